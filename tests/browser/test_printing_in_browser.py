"""Printing in a real browser (issue 15, item 4): with the print media of chromium, a work
page shows no menu, form or button, and the printed documents fit an A4 page's width with
only the document showing. Saves each document as a PDF and a picture in test-artifacts/."""

from __future__ import annotations

import pytest
import time_machine

from ..printing_helpers import confirmed_month, dispatched_ticket, unit_in_arrears
from .conftest import ARTIFACTS

pytestmark = pytest.mark.screens

# A4's 210 mm less the 12 mm margins each side (static/print.css), in CSS pixels (96/in).
A4_CONTENT_PX = round((210 - 24) / 25.4 * 96)

HIDDEN_IN_PRINT = "nav, .navbar, form, button, .btn, .alert-dismissable, .print-toolbar"


def shown(tab, selector: str) -> int:
    """How many elements matching `selector` take up room on the page."""
    return tab.page.eval_on_selector_all(
        selector, "els => els.filter(e => e.getClientRects().length > 0).length")


def test_a_work_page_prints_without_its_menus_and_forms(app, tab):
    ticket_id, _part = dispatched_ticket(app, "engineering", "steward1")
    with time_machine.travel("2026-11-20 10:00 +08:00"):
        tab.sign_in("steward1")
        tab.go(f"/admin/ticket/step/?id={ticket_id}")
        assert shown(tab, ".navbar") == 1 and shown(tab, "form") > 0  # on screen
        tab.page.emulate_media(media="print")
        assert shown(tab, HIDDEN_IN_PRINT) == 0
        assert shown(tab, "#ticket-history") == 1  # the content stays
        tab.screenshot("print-ticket-handling-page")


def test_the_documents_print_alone_within_an_a4_page(app, tab):
    sheet = confirmed_month(app, "steward1")
    ticket_id, _part = dispatched_ticket(app, "engineering", "steward1")
    unit_id = unit_in_arrears(app, "steward1")
    documents = {
        "print-monthly-sheet": f"/admin/print/monthly-sheet/?id={sheet}",
        "print-service-record": f"/admin/print/ticket/?id={ticket_id}",
        "print-arrears-notice": f"/admin/print/arrears/?unit={unit_id}",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    with time_machine.travel("2026-11-20 10:00 +08:00"):
        tab.sign_in("supervisor1")
        tab.page.set_viewport_size({"width": A4_CONTENT_PX, "height": 1000})
        for name, path in documents.items():
            assert tab.go(path).status == 200, path
            assert shown(tab, "#print-button") == 1  # on screen: the button to print
            tab.page.emulate_media(media="print")
            assert shown(tab, HIDDEN_IN_PRINT) == 0, path
            assert shown(tab, "#print-document") == 1
            width = tab.page.evaluate("document.documentElement.scrollWidth")
            assert width <= A4_CONTENT_PX, (path, width)
            tab.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            tab.page.pdf(path=str(ARTIFACTS / f"{name}.pdf"), prefer_css_page_size=True)
            tab.page.emulate_media(media="screen")
