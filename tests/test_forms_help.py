"""Forms that help (issue 15, item 7): numbers given by the month's series, today as the
default date, the owner filling the ticket form, one primary owner at a time (P-OWN-1), HR's
buttons on the record, the current onboarding session first (P-TRN-2), a readable width."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine

from extensions import db as database
from models import (
    Bill,
    Owner,
    Ownership,
    Payment,
    ReturnVisit,
    RewardPenalty,
    Staff,
    Ticket,
    TrainingResult,
    TrainingSession,
    Unit,
    User,
)
from rules.numbering import SERIES, highest_count
from rules.refusal import Refused

from .conftest import ROOT, login
from .helpers import flashes, one

# 2026-11-20 10:30 in the company's time zone (+08:00)
NOW = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)


def _staff_id(username: str) -> int:
    return database.session.scalar(sa.select(User.staff_id).where(User.username == username))


def _own_unit(app, username="steward1") -> tuple[int, int, str, str]:
    """A unit of the steward's with a current primary owner: unit, owner, name, phone."""
    with app.app_context():
        unit_id, owner_id, name, phone = database.session.execute(
            sa.select(Unit.id, Owner.id, Owner.name, Owner.phone)
            .join(Ownership, Ownership.unit_id == Unit.id).join(Ownership.owner)
            .where(Unit.steward_id == _staff_id(username), Ownership.is_primary,
                   Ownership.until.is_(None)).order_by(Unit.id).limit(1)).one()
        return unit_id, owner_id, name, phone


def _ticket_form(unit_id, **fields) -> dict:
    return {"channel": "phone", "unit": str(unit_id), "contact_name": "李女士",
            "contact_phone": "13900001111", "category": "repair", "description": "门禁失灵",
            "intake_at": "2026-11-20 10:00", **fields}


# ---- numbers ----------------------------------------------------------------------------
def _next_in_november(app, step: int = 0) -> str:
    """The demo's November tickets are numbered T202611-0001 on: the series counts on from
    the highest of them."""
    with app.app_context():
        codes = database.session.scalars(sa.select(Ticket.code)).all()
    return SERIES["ticket"].number(date(2026, 11, 1), highest_count(
        SERIES["ticket"], date(2026, 11, 1), codes) + 1 + step)


def test_a_ticket_left_without_a_code_gets_the_months_next_number(app, db):
    """The series counts on from the month's numbers already given; a code typed in is kept,
    and the series passes over it when it reaches it."""
    unit_id = _own_unit(app)[0]
    expected = [_next_in_november(app, step) for step in range(4)]
    assert expected[0] > "T202611-0100"  # the demo's
    with time_machine.travel(NOW, tick=False):
        client = login(app.test_client(), "steward1")
        page = client.get("/admin/ticket/new/").get_data(as_text=True)
        assert "T202611-0001" in page  # the field says what an empty one gets
        assert not re.search(r'<input[^>]*id="code"[^>]*required', page)
        made = []
        for typed in ("", expected[1], "", "  "):
            response = client.post("/admin/ticket/new/", data=_ticket_form(
                unit_id, code=typed, description=f"门禁失灵 {len(made)}"))
            assert response.status_code == 302, flashes(response)
            with app.app_context():
                made.append(database.session.scalar(
                    sa.select(Ticket.code).order_by(Ticket.id.desc()).limit(1)))
    assert made == expected


def test_a_typed_code_another_ticket_has_is_refused_on_the_form(app, db):
    unit_id = _own_unit(app)[0]
    with time_machine.travel(NOW, tick=False):
        client = login(app.test_client(), "steward1")
        before = database_count(app, Ticket)
        taken = one(app, Ticket, id=1).code
        response = client.post("/admin/ticket/new/", data=_ticket_form(unit_id, code=taken))
    assert response.status_code == 200
    assert database_count(app, Ticket) == before


def test_a_new_month_starts_its_series_at_one(app, db):
    unit_id = _own_unit(app)[0]
    with time_machine.travel(datetime(2026, 12, 1, 1, 0, tzinfo=UTC), tick=False):
        client = login(app.test_client(), "steward1")
        response = client.post("/admin/ticket/new/", data=_ticket_form(
            unit_id, code="", intake_at="2026-12-01 08:30"))
        assert response.status_code == 302, flashes(response)
    assert one(app, Ticket, code="T202612-0001") is not None


def test_a_ticket_made_from_a_visits_needs_is_numbered_in_the_series(app, db):
    from services.visits import ticket_from_needs

    expected = _next_in_november(app)
    with time_machine.travel(NOW, tick=False), app.app_context():
        visit = database.session.scalars(sa.select(ReturnVisit).where(
            ReturnVisit.visited_at.is_not(None), ReturnVisit.needs_ticket_id.is_(None),
            ReturnVisit.steward_id == _staff_id("steward1"))).first()
        visit.needs = "楼道灯不亮"
        ticket = ticket_from_needs(database.session, visit, "steward1")
        assert ticket.code == expected
        database.session.rollback()


def test_a_payment_left_without_a_receipt_number_gets_the_months_next(app, db):
    with app.app_context():
        bill_id = database.session.scalar(sa.select(Bill.id).where(Bill.status == "unpaid")
                                          .order_by(Bill.id))
    with time_machine.travel(NOW, tick=False):
        client = login(app.test_client(), "admin")
        page = client.get(f"/admin/payment/new/?bill={bill_id}").get_data(as_text=True)
        assert 'value="2026-11-20 10:30"' in page  # paid now, unless said otherwise
        for typed in ("", "RT-OWN-1", ""):
            response = client.post("/admin/payment/new/", data={
                "bill": str(bill_id), "amount": "1.00", "method": "cash",
                "paid_at": "2026-11-20 10:30", "receipt_no": typed})
            assert response.status_code == 302, flashes(response)
    with app.app_context():
        numbers = database.session.scalars(sa.select(Payment.receipt_no).where(
            Payment.bill_id == bill_id).order_by(Payment.id)).all()
    assert numbers == ["R202611-000001", "RT-OWN-1", "R202611-000002"]


def database_count(app, model) -> int:
    with app.app_context():
        return database.session.scalar(sa.select(sa.func.count()).select_from(model))


# ---- today as the default ---------------------------------------------------------------
@pytest.mark.parametrize(("username", "entity", "field", "shown"), [
    ("steward1", "ticket", "intake_at", "2026-11-20 10:30"),
    ("steward1", "patrol", "patrolled_at", "2026-11-20 10:30"),
    ("steward1", "incident", "occurred_at", "2026-11-20 10:30"),
    ("steward1", "arrears-reminder", "reminded_at", "2026-11-20 10:30"),
    ("steward1", "work-log", "day", "2026-11-20"),
    ("steward1", "procedure", "started_on", "2026-11-20"),
    ("hr", "training-result", "taken_on", "2026-11-20"),
    ("admin", "meeting", "held_at", "2026-11-20 10:30"),
])
def test_a_create_form_starts_when_it_happened_at_now(app, db, username, entity, field,
                                                       shown):
    with time_machine.travel(NOW, tick=False):
        page = login(app.test_client(), username).get(f"/admin/{entity}/new/")
    assert page.status_code == 200
    found = re.search(rf'<input[^>]*\bid="{field}"[^>]*>', page.get_data(as_text=True))
    assert found and f'value="{shown}"' in found[0], found and found[0]


def test_plans_start_empty(app, db):
    """A visit planned, a session's first day, a move's date are the user's to choose."""
    with time_machine.travel(NOW, tick=False):
        pages = {
            "planned_on": login(app.test_client(), "steward1").get("/admin/return-visit/new/"),
            "starts_on": login(app.test_client(), "hr").get("/admin/training-session/new/"),
            "effective_on": login(app.test_client(), "hr").get("/admin/career-move/new/")}
    for field, page in pages.items():
        found = re.search(rf'<input[^>]*\bid="{field}"[^>]*>', page.get_data(as_text=True))
        assert found and 'value=""' in found[0] or "value=" not in found[0], found[0]


# ---- the owner fills the ticket form ----------------------------------------------------
def test_choosing_an_owner_fills_their_unit_and_phone(app, db):
    unit_id, owner_id, name, phone = _own_unit(app)
    client = login(app.test_client(), "steward1")
    page = client.get("/admin/ticket/new/").get_data(as_text=True)
    assert "ticket-form.js" in page and 'data-url="/admin/ticket/owner-fill/"' in page
    found = client.get(f"/admin/ticket/owner-fill/?owner={owner_id}").get_json()
    assert found["name"] == name and found["phone"] == phone
    assert [pk for pk, _label in found["units"]] == [unit_id]
    assert (ROOT / "static" / "ticket-form.js").is_file()


def test_the_owner_fill_keeps_to_the_users_own_owners(app, db):
    """Another steward's owner is no owner of steward1's: nothing to fill; a role that may
    not create tickets may not ask; a nonsense id is nobody."""
    other_owner = _own_unit(app, "steward2")[1]
    empty = {"units": [], "name": None, "phone": None}
    steward = login(app.test_client(), "steward1")
    assert steward.get(f"/admin/ticket/owner-fill/?owner={other_owner}").get_json() == empty
    assert steward.get("/admin/ticket/owner-fill/?owner=-1x").get_json() == empty
    admin = login(app.test_client(), "admin").get(
        f"/admin/ticket/owner-fill/?owner={other_owner}").get_json()
    assert admin["units"] and admin["phone"]
    supervisor = login(app.test_client(), "supervisor1")
    assert supervisor.get(f"/admin/ticket/owner-fill/?owner={other_owner}").status_code == 403


def test_a_phone_the_role_sees_masked_is_not_filled(app, db, monkeypatch):
    import admin_views.ticket_form as ticket_form

    owner_id = _own_unit(app)[1]
    monkeypatch.setattr(ticket_form, "reveals_personal", lambda: False)
    found = login(app.test_client(), "steward1").get(
        f"/admin/ticket/owner-fill/?owner={owner_id}").get_json()
    assert found["phone"] is None and found["units"]


# ---- one primary owner at a time (P-OWN-1) ----------------------------------------------
def test_a_second_primary_owner_of_a_unit_at_the_same_time_is_refused_P_OWN_1(app, db):
    unit_id, owner_id, name, _phone = _own_unit(app)
    with app.app_context():
        newcomer = database.session.scalar(sa.select(Owner.id).where(Owner.id != owner_id)
                                           .order_by(Owner.id))
    client = login(app.test_client(), "admin")
    form = {"owner": str(newcomer), "unit": str(unit_id), "since": "2026-11-01",
            "is_primary": "y"}
    response = client.post("/admin/ownership/new/", data=form)
    assert response.status_code == 200
    assert any("该房屋在此期间已有主业主" in f and name in f for f in flashes(response))
    assert one(app, Ownership, owner_id=newcomer, unit_id=unit_id) is None
    # a co-owner who is not primary is recorded
    response = client.post("/admin/ownership/new/", data={**form, "is_primary": ""})
    assert response.status_code == 302, flashes(response)
    assert one(app, Ownership, owner_id=newcomer, unit_id=unit_id).is_primary is False


def test_the_guard_refuses_it_whatever_path_the_write_takes_P_OWN_1(app, db):
    unit_id, owner_id, _name, _phone = _own_unit(app)
    with app.app_context():
        current = database.session.scalars(sa.select(Ownership).where(
            Ownership.unit_id == unit_id, Ownership.is_primary)).one()
        other = database.session.scalar(sa.select(Owner).where(Owner.id != owner_id))
        database.session.add(Ownership(owner=other, unit_id=unit_id, since=date(2026, 11, 1)))
        with pytest.raises(Refused):
            database.session.flush()
        database.session.rollback()
        # once the first ownership ends, the next primary owner is taken from that day
        current = database.session.get(Ownership, current.id)
        current.until = date(2026, 11, 1)
        database.session.add(Ownership(owner=other, unit_id=unit_id, since=date(2026, 11, 1)))
        database.session.flush()
        database.session.rollback()


# ---- HR's buttons on the record -----------------------------------------------------------
def _newcomer(app) -> int:
    with app.app_context():
        return database.session.scalar(sa.select(Staff.id).where(Staff.status == "onboarding"))


def test_put_on_duty_is_a_button_on_the_staff_record_P_TRN_2(app, db):
    """The same action as the list's: refused, with the reason, until the onboarding exam is
    passed; then the person is on duty and the button is gone."""
    person = _newcomer(app)
    details = f"/admin/staff/details/?id={person}"
    hr = login(app.test_client(), "hr")
    for page in (details, f"/admin/staff/edit/?id={person}"):
        assert 'id="record-action-put_on_duty"' in hr.get(page).get_data(as_text=True)
    post = {"action": "put_on_duty", "rowid": str(person), "url": details}
    response = hr.post("/admin/staff/action/", data=post, follow_redirects=True)
    assert any("入职考试" in f or "考核" in f for f in flashes(response)), flashes(response)
    assert one(app, Staff, id=person).status == "onboarding"
    with app.app_context():
        course = database.session.scalar(sa.select(TrainingSession.id).where(
            TrainingSession.starts_on == date(2026, 11, 3)))
        database.session.add(TrainingResult(session_id=course, staff_id=person,
                                            taken_on=date(2026, 11, 19),
                                            exam_score=Decimal("88")))
        database.session.commit()
    response = hr.post("/admin/staff/action/", data=post)
    assert response.status_code == 302 and response.headers["Location"].endswith(details)
    assert one(app, Staff, id=person).status == "on_duty"
    assert 'id="record-action-put_on_duty"' not in hr.get(details).get_data(as_text=True)


def test_roles_without_the_action_see_no_button_and_may_not_post_it(app, db):
    person = _newcomer(app)
    admin = login(app.test_client(), "admin")  # reads staff records, changes none
    page = admin.get(f"/admin/staff/details/?id={person}").get_data(as_text=True)
    assert "record-action" not in page
    response = admin.post("/admin/staff/action/", data={
        "action": "put_on_duty", "rowid": str(person)})
    assert response.status_code == 403
    assert one(app, Staff, id=person).status == "onboarding"


def test_confirm_and_reject_are_buttons_on_a_pending_suggestion(app, db):
    with app.app_context():
        made = [RewardPenalty(staff_id=_staff_id("steward1"), kind="certificate",
                              reason="优秀") for _ in range(2)]
        database.session.add_all(made)
        database.session.commit()
        first, second = (r.id for r in made)
    hr = login(app.test_client(), "hr")
    page = hr.get(f"/admin/reward-penalty/details/?id={first}").get_data(as_text=True)
    assert 'id="record-action-confirm"' in page and 'id="record-action-reject"' in page
    assert "csrf_token" in page
    hr.post("/admin/reward-penalty/action/", data={"action": "confirm", "rowid": str(first)})
    hr.post("/admin/reward-penalty/action/", data={"action": "reject", "rowid": str(second)})
    assert one(app, RewardPenalty, id=first).status == "confirmed"
    assert one(app, RewardPenalty, id=second).status == "rejected"
    page = hr.get(f"/admin/reward-penalty/details/?id={first}").get_data(as_text=True)
    assert "record-action" not in page  # decided: nothing more to decide


# ---- the exam form ----------------------------------------------------------------------
def test_the_exam_form_offers_the_current_onboarding_session_first_P_TRN_2(app, db):
    with time_machine.travel(NOW, tick=False):
        page = login(app.test_client(), "hr").get("/admin/training-result/new/")
    select = re.search(r'<select[^>]*id="session".*?</select>', page.get_data(as_text=True),
                       re.S)[0]
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", select)
    assert "2026-11-03" in options[0][1] and "selected" in options[0][0]


# ---- a readable width -------------------------------------------------------------------
def test_forms_are_a_readable_width_on_a_desk(app, db):
    page = login(app.test_client(), "admin").get("/admin/ticket/new/").get_data(as_text=True)
    assert "/static/forms.css" in page
    css = (ROOT / "static" / "forms.css").read_text()
    assert re.search(r"form\.admin-form[^{]*\{[^}]*max-width:\s*720px", css)
