"""The steward's day on a phone (390×844), issue 15's journey: start page → a ticket → a
step → arrears → a reminder → the owner's file → the call link. On every page of the way
each link, button and field lies within the screen (no sideways scrolling; the test measures
every control's box against the viewport) and is at least 40 px tall to tap. And every role's
start page, at a desk's 1366×768 and at the phone's width, saved as a screenshot."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from extensions import db as database
from models import ArrearsReminder, TicketEvent

from ..helpers import ACCOUNT
from .conftest import DESK, PHONE

pytestmark = pytest.mark.screens


def fits(phone, where: str) -> None:
    assert phone.misfits() == [], where


def test_a_stewards_day_on_the_phone(app, phone):
    page = phone.page
    phone.go("/login")
    fits(phone, "sign-in page")
    phone.sign_in("steward1")
    fits(phone, "start page")
    menu = [a.inner_text() for a in page.locator("#phone-menu a").all()]
    assert menu == ["首页", "需求工单", "新建工单", "欠费", "回访", "工作日志"]

    # the first ticket by deadline, a progress note told to the owner
    page.locator("#my-tickets a").first.click()
    page.wait_for_selector("#step-note")
    fits(phone, "ticket handling")
    code = page.locator("h3, h4").first.inner_text()
    page.fill("#progress-note", "已联系业主，明早上门")
    page.locator("label[for=tell-owner]").tap()
    assert page.is_checked("#tell-owner")
    with page.expect_navigation():
        page.locator("#step-note button[type=submit]").tap()
    fits(phone, "ticket handling after a note")
    with app.app_context():
        assert database.session.scalar(sa.select(sa.func.count(TicketEvent.id)).where(
            TicketEvent.note == "已联系业主，明早上门")) == 1, code

    # arrears from the compact menu, a reminder logged for the first household
    page.locator("#phone-menu a", has_text="欠费").tap()
    page.wait_for_selector("#arrears-list")
    fits(phone, "arrears")
    phone.screenshot("phone-arrears-steward")
    row = page.locator("#arrears-list tbody tr").first
    owner = row.locator("a.owner-file").inner_text()
    with app.app_context():
        before = database.session.scalar(sa.select(sa.func.count(ArrearsReminder.id)))
    with page.expect_navigation():
        row.locator("a", has_text="登记催缴").tap()
    fits(phone, "reminder form")
    page.fill("#note", "电话联系，业主答应月底前缴清")
    page.keyboard.press("Escape")
    with page.expect_navigation():
        page.locator("input[type=submit].btn-primary").first.tap()
    with app.app_context():
        assert database.session.scalar(sa.select(sa.func.count(ArrearsReminder.id))) == before + 1

    # back to the household, on to the owner's file and their number to call
    phone.go("/admin/bill/arrears/")
    with page.expect_navigation():
        page.locator("#arrears-list a.owner-file", has_text=owner).first.tap()
    page.wait_for_selector("#owner-file")
    fits(phone, "owner's file")
    call = page.locator("#owner-phone a[href^='tel:']")
    assert call.count() == 1 and call.inner_text() in call.get_attribute("href")
    phone.screenshot("phone-owner-file-steward")


@pytest.mark.parametrize("role", ["admin", "hr", "supervisor", "steward", "department"])
def test_every_roles_start_page_fits_a_desk_and_a_phone(role, tab):
    tab.sign_in(ACCOUNT[role])
    for size, viewport in (("desk", DESK), ("phone", PHONE)):
        tab.page.set_viewport_size(viewport)
        tab.go("/admin/")
        assert tab.page.evaluate(
            "document.scrollingElement.scrollWidth <= window.innerWidth"), size
        if size == "desk":  # the top bar on one line: the menus, the language, the account
            tab.page.wait_for_load_state("load")
            assert tab.page.evaluate(
                "document.querySelector('nav.navbar').getBoundingClientRect().height") < 70
        tab.screenshot(f"start-{role}-{size}")
    assert tab.misfits() == []  # at the phone's width


def test_every_page_a_steward_opens_fits_the_phone(app, phone):
    """Each list, form, details and work page a steward may open has no control past the
    screen's edges or too small to tap."""
    from ..test_chinese_interface import pages_for

    phone.sign_in("steward1")
    misfits = {}
    for path in pages_for(app, "steward"):
        phone.go(path)
        found = phone.misfits()
        if found:
            misfits[path] = found[:3]
    phone.go("/admin/no-such-page/")  # an error page: its two ways out are buttons to tap
    assert phone.page.locator("#error-page").is_visible()
    misfits["error page"] = phone.misfits()
    phone.go("/admin/")  # the menu opened: 中文 | English as large as the rest
    phone.page.click(".navbar-toggler")
    phone.page.locator("#language-switch").wait_for(state="visible")
    misfits["language switch"] = phone.misfits("#language-switch a")
    assert misfits == {"error page": [], "language switch": []}


@pytest.mark.parametrize("by", ["project", "steward"])
def test_the_collection_report_scrolls_in_its_box_on_a_phone(phone, by):
    """Thirteen columns of months do not fit 390 px: the table scrolls within its box, its
    names stay on one line, and the page itself does not scroll sideways."""
    phone.sign_in("admin")
    phone.go(f"/admin/bill/collection/?by={by}")
    page = phone.page
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    box = page.locator("#collection-table").evaluate(
        "t => [t.parentElement.scrollWidth > t.parentElement.clientWidth,"
        " t.querySelector('tbody td').getBoundingClientRect().height]")
    assert box[0] and box[1] < 40, box  # scrolls in its box; a name on one line


def test_the_date_picker_s_days_are_large_enough_to_tap_on_a_phone(phone):
    """A day or an hour in the picker is 40 px tall (32 × 26 px by default) and the picker
    stays on the screen."""
    phone.sign_in("steward1")
    phone.go("/admin/ticket/new/")
    phone.page.click("#intake_at")
    picker = phone.page.locator(".daterangepicker:visible")
    picker.wait_for()
    day = picker.locator("td.available").first.bounding_box()
    whole = picker.bounding_box()
    assert day["height"] >= 40 and day["width"] >= 36
    assert whole["x"] >= 0 and whole["x"] + whole["width"] <= PHONE["width"]
