"""The ticket form in a real browser: choosing the owner fills the unit, the contact's name
and phone (static/ticket-form.js), and the form saves with the month's next number."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from extensions import db as database
from models import Owner, Ownership, Ticket, Unit, User

from ..helpers import one
from .test_journeys import save

pytestmark = pytest.mark.screens


def test_choosing_the_owner_fills_the_ticket_form(app, tab):
    from playwright.sync_api import expect  # installed with the browser tests' fixtures

    with app.app_context():
        steward = database.session.scalar(sa.select(User.staff_id).where(
            User.username == "steward1"))
        unit_id, owner_id, name, phone = database.session.execute(
            sa.select(Unit.id, Owner.id, Owner.name, Owner.phone)
            .join(Ownership, Ownership.unit_id == Unit.id).join(Ownership.owner)
            .where(Unit.steward_id == steward, Ownership.is_primary,
                   Ownership.until.is_(None)).order_by(Unit.id).limit(1)).one()
    tab.sign_in("steward1")
    tab.go("/admin/ticket/new/")
    page = tab.page
    assert page.evaluate("getComputedStyle(document.querySelector('form.admin-form'))"
                         ".maxWidth") == "720px"
    tab.set_value("#owner", owner_id)
    # (waiting by locator: the page's CSP refuses the string evaluation wait_for_function uses)
    expect(page.locator("#contact_phone")).to_have_value(phone)
    expect(page.locator("#contact_name")).to_have_value(name)
    expect(page.locator("#unit")).to_have_value(str(unit_id))
    page.fill("#description", "浏览器里受理的需求")
    save(tab)
    made = one(app, Ticket, description="浏览器里受理的需求")
    assert made is not None and made.unit_id == unit_id and made.contact_phone == phone
    assert made.code.startswith("T2")


CLICK_TWICE = """([selector, gap]) => {
  const button = document.querySelector(selector);
  button.click();
  setTimeout(() => button.click(), gap);
}"""


def _slow_posts(app, monkeypatch, seconds: float) -> None:
    """The live server answers a POST only after `seconds`, as over a slow phone network:
    a second click lands while the first submission is still on its way."""
    served = app.wsgi_app

    def slow(environ, start_response):
        if environ["REQUEST_METHOD"] == "POST":
            time.sleep(seconds)
        return served(environ, start_response)

    monkeypatch.setattr(app, "wsgi_app", slow)


def test_a_double_click_saves_a_form_once(app, tab, monkeypatch):
    """static/send-once.js: a second click on Save, or on a ticket's "add the note", while
    the first submission is on its way is ignored — one ticket, one note."""
    from models import TicketEvent

    with app.app_context():
        steward = database.session.scalar(sa.select(User.staff_id).where(
            User.username == "steward1"))
        owner_id = database.session.scalar(
            sa.select(Owner.id).join(Ownership, Ownership.owner_id == Owner.id)
            .join(Unit, Unit.id == Ownership.unit_id)
            .where(Unit.steward_id == steward, Ownership.until.is_(None)).limit(1))
        ticket_id = database.session.scalar(sa.select(Ticket.id).where(
            Ticket.steward_id == steward, Ticket.status == "in_progress").limit(1))
    tab.sign_in("steward1")
    page = tab.page
    _slow_posts(app, monkeypatch, 0.6)
    tab.go("/admin/ticket/new/")
    tab.set_value("#owner", owner_id)
    page.fill("#description", "双击保存的需求")
    page.evaluate(CLICK_TWICE, ["input[type=submit].btn-primary", 200])
    page.wait_for_timeout(1500)  # time for a second submission to be answered
    with app.app_context():
        assert database.session.scalar(sa.select(sa.func.count(Ticket.id)).where(
            Ticket.description == "双击保存的需求")) == 1

    tab.go(f"/admin/ticket/step/?id={ticket_id}")
    page.fill("#progress-note", "双击添加的记录")
    page.evaluate(CLICK_TWICE, ["#step-note button[type=submit]", 200])
    page.wait_for_timeout(1500)
    with app.app_context():
        assert database.session.scalar(sa.select(sa.func.count(TicketEvent.id)).where(
            TicketEvent.note == "双击添加的记录")) == 1
