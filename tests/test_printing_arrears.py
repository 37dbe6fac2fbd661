"""The arrears notice per household (催缴通知单, issue 15 item 4; P-FEE-2): the household's
overdue bills with what was billed, paid and is owed, the total and how to pay, for who may
see those bills."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

import settings
from admin_views.formats import money
from extensions import db as database
from models import Bill, Owner, Ownership, Unit
from models.procedures import current_ownerships
from rules import billing

from .conftest import login
from .printing_helpers import DAY, assert_document_only, get, unit_in_arrears


def test_the_arrears_notice_lists_the_households_overdue_bills_and_how_to_pay(app, db):
    """P-FEE-2: the current owner's unpaid bills past their due date, each with what was
    billed, paid and is owed, the due date and days overdue; the total; how to pay."""
    unit_id = unit_in_arrears(app, "steward1")
    response = get(app, "steward1", f"/admin/print/arrears/?unit={unit_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert_document_only(page)
    with app.app_context():
        unit = database.session.get(Unit, unit_id)
        owner = next(o.owner for o in current_ownerships(database.session, unit_id, DAY)
                     if o.is_primary)
        bills = database.session.scalars(sa.select(Bill).where(
            Bill.unit_id == unit_id, Bill.owner_id == owner.id,
            Bill.status.in_(("unpaid", "partly_paid")), Bill.due_date < DAY)).all()
        label = f"{unit.building.project.name} {unit.building.name}-{unit.number}"
        owner_name = owner.name
        figures = [(b.period, b.amount - b.paid_amount, str(b.due_date),
                    billing.days_overdue(b.due_date, DAY)) for b in bills]
    assert bills and "催缴通知单" in page and label in page and owner_name in page
    owed = sum((f[1] for f in figures), Decimal("0"))
    with app.test_request_context():
        assert f'id="notice-total"><strong>{money(owed)}</strong>' in page
        for period, amount, due, days in figures:
            assert period in page and money(amount) in page and due in page
            assert f'<td class="num">{days}</td>' in page
    assert page.count("<tr><td>") == len(figures)
    assert "到物业服务中心前台缴费" in page  # config.PAYMENT_INSTRUCTIONS
    assert "经办人签字" in page and "业主签字" in page


def test_a_unit_sold_leaves_the_former_owners_arrears_on_their_own_notice(app, db):
    """A household is a unit and the owner billed (models/arrears.py): after a sale the new
    owner's notice shows nothing overdue; `owner=` prints the former owner's bills."""
    unit_id = unit_in_arrears(app, "steward1")
    with app.app_context():
        session = database.session
        ownership = next(o for o in current_ownerships(session, unit_id, DAY) if o.is_primary)
        former = ownership.owner_id
        buyer = session.scalar(sa.select(Owner.id).where(Owner.id != former).order_by(Owner.id))
        ownership.until = date(2026, 11, 1)
        session.add(Ownership(owner_id=buyer, unit_id=unit_id, since=date(2026, 11, 1),
                              is_primary=True))
        session.commit()
        names = {o.id: o.name for o in session.scalars(
            sa.select(Owner).where(Owner.id.in_((former, buyer))))}
    path = f"/admin/print/arrears/?unit={unit_id}"
    page = get(app, "steward1", path).get_data(as_text=True)
    assert names[buyer] in page and 'id="notice-nothing"' in page
    page = get(app, "steward1", f"{path}&owner={former}").get_data(as_text=True)
    assert names[former] in page and 'id="notice-total"' in page
    page = get(app, "steward1", f"{path}&owner={buyer}").get_data(as_text=True)
    assert names[buyer] in page and 'id="notice-nothing"' in page
    for odd in ("abc", "99999999", str(buyer + 10_000)):
        assert get(app, "steward1", f"{path}&owner={odd}").status_code == 404


def test_the_arrears_notice_prints_for_who_may_see_the_bills_and_no_one_else(app, db):
    unit_id = unit_in_arrears(app, "steward1")
    path = f"/admin/print/arrears/?unit={unit_id}"
    for username, code in (("steward1", 200), ("supervisor1", 200), ("admin", 200),
                           ("steward2", 403), ("supervisor2", 403), ("hr", 403),
                           ("engineer1", 403)):
        assert get(app, username, path).status_code == code, username
    for odd in ("", "abc", "-1", "99999999", "1" * 30):
        assert get(app, "admin", f"/admin/print/arrears/?unit={odd}").status_code == 404


def test_the_payment_instructions_are_the_companys_own_words(app, db, monkeypatch):
    """STEWARD_PAYMENT_INSTRUCTIONS replaces the default text (docs/operations.md)."""
    assert settings.from_environment({"STEWARD_PAYMENT_INSTRUCTIONS": "请到前台缴费。"}) == {
        "PAYMENT_INSTRUCTIONS": "请到前台缴费。"}
    unit_id = unit_in_arrears(app, "steward1")
    monkeypatch.setitem(app.config, "PAYMENT_INSTRUCTIONS", "请到三号楼前台缴费。\n电话 1234")
    page = get(app, "steward1", f"/admin/print/arrears/?unit={unit_id}").get_data(as_text=True)
    assert 'id="notice-how">请到三号楼前台缴费。\n电话 1234<' in page


def test_a_units_details_link_to_its_arrears_notice(app, db):
    unit_id = unit_in_arrears(app, "steward1")
    page = login(app.test_client(), "supervisor1").get(
        f"/admin/unit/details/?id={unit_id}").get_data(as_text=True)
    assert f'href="/admin/print/arrears/?unit={unit_id}"' in page


def test_print_pages_need_a_sign_in(client):
    response = client.get("/admin/print/arrears/?unit=1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
