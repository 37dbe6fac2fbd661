"""The ticket form in a real browser: choosing the owner fills the unit, the contact's name
and phone (static/ticket-form.js), and the form saves with the month's next number."""

from __future__ import annotations

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
