"""The owner's page in a real browser at phone width (390×844), issue 14's acceptance:
open the link, see the shared progress, rate 2 → the ticket reopens with a rework (P-TKT-6);
the next link, rate 5 → it can close (P-TKT-5); tampered and expired links refused; no
internal note and nobody else's data on the page; opt out of non-essential notices
(P-COM-1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from extensions import db as database
from models import Owner, Ticket
from services.tickets import take_step

from ..owner_page_helpers import INTERNAL, NOW, SHARED, resolve_again, resolved_ticket

pytestmark = pytest.mark.screens


def _rate(page, attitude: int, efficiency: int, solving: int, comment: str = "") -> None:
    for name, value in (("attitude", attitude), ("efficiency", efficiency),
                        ("solving", solving)):
        page.locator(f"#dimension-{name} label").nth(value - 1).click()
    if comment:
        page.fill("#comment", comment)
    page.click("#submit-rating")


def test_the_owner_follows_and_rates_their_request_on_a_phone(app, phone):
    with time_machine.travel(NOW, tick=True):
        prepared = resolved_ticket(app)
        response = phone.go(prepared.path)
        assert response.status == 200
        page = phone.page
        assert page.locator("#status").inner_text() == "已解决"
        assert SHARED in page.locator("#progress").inner_text()
        body = page.locator("body").inner_text()
        assert INTERNAL not in body
        with app.app_context():
            ticket = database.session.get(Ticket, prepared.ticket_id)
            assert ticket.contact_phone not in body
            assert str(ticket.unit) in page.locator("#unit").inner_text()
        # fits the phone: nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        phone.screenshot("owner-page-phone")
        _rate(page, 4, 2, 3, "还是漏水")
        page.wait_for_selector("#reopened")
        with app.app_context():
            ticket = database.session.get(Ticket, prepared.ticket_id)
            assert (ticket.status, ticket.rework_count > 0) == ("in_progress", True)
            assert ticket.feedback_source == "owner" and ticket.satisfaction == 2
        # the used link says so; the reworked ticket's next message brings a new one
        assert phone.go(prepared.path).status == 410
        assert "已用于评价" in page.locator("#refused").inner_text()
        fresh = resolve_again(app, prepared.ticket_id)
        phone.go(fresh)
        _rate(page, 5, 5, 5, "修好了，谢谢")
        page.wait_for_selector("#thanks")
        with app.test_request_context():
            ticket = database.session.get(Ticket, prepared.ticket_id)
            assert ticket.status == "feedback_given"
            take_step(database.session, ticket, "close", actor="steward1")
            database.session.commit()
            assert ticket.status == "closed"


def test_tampered_and_expired_links_and_the_opt_out_on_a_phone(app, phone):
    with time_machine.travel(NOW, tick=True) as traveller:
        prepared = resolved_ticket(app)
        phone.go(prepared.path)
        phone.page.click("#notices-toggle")
        phone.page.wait_for_selector(".alert.success")
        assert "恢复接收" in phone.page.locator("#notices").inner_text()
        with app.app_context():
            assert database.session.get(Owner, prepared.owner_id).notices_opt_out is True
        assert phone.go(prepared.path[:-4] + "AAAA").status == 404
        assert "链接无效" in phone.page.locator("#refused").inner_text()
        traveller.shift(timedelta(days=app.config["OWNER_LINK_DAYS"], hours=1))
        assert phone.go(prepared.path).status == 410
        assert "已过期" in phone.page.locator("#refused").inner_text()


def test_the_link_in_the_captured_message_opens_the_request_on_a_phone(app, phone):
    """End to end: resolving the ticket writes the owner's message to the outbox, the
    worker's delivery captures it (the demo's channel), and the link in the captured text
    opens the page on a phone, where a rating of 2 reopens the ticket (P-TKT-5, P-TKT-6)."""
    import json
    import re
    from pathlib import Path
    from urllib.parse import urlparse

    from services import outbox
    from services.channels import CAPTURE_FILE

    capture = Path(app.instance_path) / CAPTURE_FILE
    capture.unlink(missing_ok=True)
    app.config["NOTICE_CAPTURE"] = True
    try:
        with time_machine.travel(NOW, tick=True):
            prepared = resolved_ticket(app)
            with app.test_request_context():
                outbox.deliver_due(database.session)
                database.session.commit()
            with app.app_context():
                code = database.session.get(Ticket, prepared.ticket_id).code
            sent = [json.loads(line) for line in capture.read_text("utf-8").splitlines()]
            resolved = [m for m in sent if m["event"] == "ticket_resolved" and code in m["body"]]
            assert len(resolved) == 1
            link = re.search(r"https?://\S+/o/[\w.\-]+", resolved[0]["body"])[0]
            assert phone.go(urlparse(link).path).status == 200
            _rate(phone.page, 2, 2, 2, "没修好")
            phone.page.wait_for_selector("#reopened")
            with app.app_context():
                ticket = database.session.get(Ticket, prepared.ticket_id)
                assert (ticket.status, ticket.feedback_source) == ("in_progress", "owner")
    finally:
        app.config["NOTICE_CAPTURE"] = False
        capture.unlink(missing_ok=True)
