"""The ticket workflow through the screens, on the demo data (P-TKT-1…7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from extensions import db as database
from models import Dispatch, Staff, Ticket, TicketEvent, Unit, User
from rules.refusal import Refused

from .helpers import flashes, one

STEP = "/admin/ticket/step/?id={}"


def new_ticket(app, steward="steward1", **fields) -> int:
    """A fresh ticket of `steward`'s, entered through the ORM as an import would."""
    with app.app_context():
        staff_id = database.session.scalar(
            sa.select(User.staff_id).where(User.username == steward))
        unit = database.session.scalars(sa.select(Unit).where(Unit.steward_id == staff_id)).first()
        ticket = Ticket(code=fields.pop("code", "TW-0001"), unit=unit, contact_name="王先生",
                        contact_phone="13812345678", description="厨房水管漏水",
                        steward_id=staff_id, **fields)
        database.session.add(ticket)
        database.session.commit()
        return ticket.id


def ticket(app, ticket_id) -> Ticket:
    return one(app, Ticket, id=ticket_id)


def events(app, ticket_id) -> list[tuple]:
    with app.app_context():
        return list(database.session.execute(
            sa.select(TicketEvent.actor, TicketEvent.from_status, TicketEvent.to_status)
            .where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)))


def step(client, ticket_id, name, **inputs):
    return client.post(STEP.format(ticket_id), data={"step": name, **inputs})


def test_a_steward_takes_a_ticket_from_intake_to_closed_P_TKT_1_to_5(app, db, as_role):
    ticket_id = new_ticket(app, urgent=True, important=True)
    created = ticket(app, ticket_id)
    assert created.priority == "P1"  # P-TKT-2
    assert created.due_at - created.intake_at == timedelta(hours=4)  # P-TKT-7
    client = as_role("steward1")
    page = client.get(STEP.format(ticket_id)).get_data(as_text=True)
    assert 'id="step-accept"' in page and 'id="step-close"' not in page
    for name, inputs in [("accept", {}), ("start", {"department": "engineering"})]:
        response = step(client, ticket_id, name, **inputs)
        assert response.status_code == 302, flashes(response)
    # P-TKT-3: engineering takes its part and marks it done before the steward resolves
    refused = step(client, ticket_id, "resolve", resolution="更换三通阀")
    assert refused.status_code == 200 and "工程部" in " ".join(flashes(refused))
    with app.app_context():
        work_id = database.session.scalar(sa.select(Dispatch.id).where(
            Dispatch.ticket_id == ticket_id))
    engineer = as_role("engineer1")
    for name, note in (("take", ""), ("done", "更换了三通阀")):
        response = engineer.post(f"/admin/dispatch/step/?id={work_id}",
                                 data={"step": name, "note": note})
        assert response.status_code == 302, flashes(response)
    for name, inputs in [("resolve", {"resolution": "更换三通阀"}),
                         ("feedback", {"rating": "5", "note": "很满意"}), ("close", {})]:
        response = step(client, ticket_id, name, **inputs)
        assert response.status_code == 302, flashes(response)
    done = ticket(app, ticket_id)
    assert (done.status, done.department, done.satisfaction, done.feedback) == (
        "closed", "engineering", 5, "很满意")
    assert done.resolved_at is not None and done.closed_at is not None
    assert events(app, ticket_id) == [
        ("steward1", "new", "accepted"), ("steward1", "accepted", "in_progress"),
        ("engineer1", None, None), ("engineer1", None, None),
        ("steward1", "in_progress", "resolved"), ("steward1", "resolved", "feedback_given"),
        ("steward1", "feedback_given", "closed"),
    ]


def test_a_steward_cannot_close_without_feedback_P_TKT_5(app, db, as_role):
    ticket_id = new_ticket(app)
    client = as_role("steward1")
    for name, inputs in [("accept", {}), ("start", {}), ("resolve", {"resolution": "已修好"})]:
        step(client, ticket_id, name, **inputs)
    response = step(client, ticket_id, "close")
    assert response.status_code == 200
    assert "状态为 已解决 的工单不能执行“关闭”。" in flashes(response)
    assert ticket(app, ticket_id).status == "resolved"
    assert len(events(app, ticket_id)) == 3


def test_a_rating_of_1_reopens_the_ticket_and_counts_a_rework_P_TKT_6(app, db, as_role):
    ticket_id = new_ticket(app)
    client = as_role("steward1")
    for name, inputs in [("accept", {}), ("start", {}), ("resolve", {"resolution": "已修好"}),
                         ("feedback", {"rating": "1", "note": "还在漏"})]:
        assert step(client, ticket_id, name, **inputs).status_code == 302
    reopened = ticket(app, ticket_id)
    assert (reopened.status, reopened.rework_count, reopened.satisfaction) == (
        "in_progress", 1, 1)
    assert reopened.resolved_at is None  # the next resolution decides "on time"
    assert events(app, ticket_id)[-1] == ("steward1", "resolved", "in_progress")
    # handled again, rated 4 this time: closes normally
    for name, inputs in [("resolve", {"resolution": "返工"}), ("feedback", {"rating": "4"}),
                         ("close", {})]:
        assert step(client, ticket_id, name, **inputs).status_code == 302
    assert (ticket(app, ticket_id).status, ticket(app, ticket_id).rework_count) == ("closed", 1)


def test_a_refused_step_keeps_what_was_typed(app, db, as_role):
    ticket_id = new_ticket(app)
    client = as_role("steward1")
    step(client, ticket_id, "accept")
    step(client, ticket_id, "start")
    response = step(client, ticket_id, "feedback", rating="5")  # not resolved yet
    assert response.status_code == 200 and ticket(app, ticket_id).status == "in_progress"
    response = step(client, ticket_id, "resolve", resolution="")
    assert response.status_code == 200 and flashes(response)
    response = step(client, ticket_id, "feedback", rating="9")
    assert ticket(app, ticket_id).status == "in_progress"
    # the page that says why shows again what was typed, ready to correct and send again
    assert step(client, ticket_id, "resolve", resolution="更换了进水阀门").status_code == 302
    for rating in ("", "9"):
        response = step(client, ticket_id, "feedback", rating=rating, note="业主说周五再来看一次")
        assert response.status_code == 200 and flashes(response)
        assert ticket(app, ticket_id).status == "resolved"
        assert ">业主说周五再来看一次</textarea>" in response.get_data(as_text=True)


def test_a_steward_cannot_act_on_another_stewards_ticket(app, db, as_role):
    ticket_id = new_ticket(app, steward="steward4")
    client = as_role("steward1")
    assert client.get(STEP.format(ticket_id)).status_code == 403
    assert step(client, ticket_id, "accept").status_code == 403
    response = client.post("/admin/ticket/action/", data={"action": "accept",
                                                          "rowid": str(ticket_id)})
    assert response.status_code == 403
    assert ticket(app, ticket_id).status == "new" and events(app, ticket_id) == []


def test_a_supervisor_handles_the_teams_tickets_and_hr_none(app, db, as_role):
    ticket_id = new_ticket(app, steward="steward2")
    assert step(as_role("supervisor1"), ticket_id, "accept").status_code == 302
    assert events(app, ticket_id) == [("supervisor1", "new", "accepted")]
    assert step(as_role("supervisor2"), ticket_id, "start").status_code == 403
    assert step(as_role("hr"), ticket_id, "start").status_code == 403
    assert ticket(app, ticket_id).status == "accepted"


def test_bulk_accept_and_close_report_the_refused_ones(app, db, as_role):
    fresh = [new_ticket(app, code=f"TW-10{i}") for i in range(3)]
    client = as_role("steward1")
    response = client.post("/admin/ticket/action/", data={
        "action": "accept", "rowid": [str(pk) for pk in fresh]}, follow_redirects=True)
    assert [ticket(app, pk).status for pk in fresh] == ["accepted"] * 3
    response = client.post("/admin/ticket/action/", data={
        "action": "close", "rowid": [str(fresh[0])]}, follow_redirects=True)
    assert any("TW-100" in f for f in flashes(response))
    assert ticket(app, fresh[0]).status == "accepted"


def test_status_cannot_be_set_around_the_workflow(app, db):
    """Neither the form (no status field) nor a direct write skips the steps."""
    ticket_id = new_ticket(app)
    with app.app_context():
        row = database.session.get(Ticket, ticket_id)
        row.status = "closed"
        with pytest.raises(Refused, match="cannot go from new to closed"):
            database.session.flush()
        database.session.rollback()
        row = database.session.get(Ticket, ticket_id)
        row.status = "accepted"  # a legal move, but without its event
        with pytest.raises(Refused, match="through its workflow steps"):
            database.session.flush()
        database.session.rollback()
        with pytest.raises(Refused, match="starts as new"):
            database.session.add(Ticket(code="TW-X", contact_name="x", contact_phone="x",
                                        description="x", status="closed"))
            database.session.flush()


def test_the_ticket_form_has_no_workflow_fields(app, db, as_role):
    page = as_role("admin").get("/admin/ticket/new/").get_data(as_text=True)
    for field in ("status", "satisfaction", "resolved_at", "rework_count", "due_at", "priority"):
        assert f'name="{field}"' not in page


def test_a_new_ticket_through_the_form_gets_priority_and_deadline(app, db, as_role):
    """P-TKT-1, P-OWN-2: a need taken in by WeChat is recorded with unit, contact name, phone
    and content; P-TKT-2 important only is P3; P-TKT-7 its deadline is 48 h from intake."""
    client = as_role("steward1")
    with app.app_context():
        staff_id = database.session.scalar(
            sa.select(User.staff_id).where(User.username == "steward1"))
        unit_id = database.session.scalar(sa.select(Unit.id).where(Unit.steward_id == staff_id))
    response = client.post("/admin/ticket/new/", data={
        "code": "TW-FORM", "channel": "wechat", "unit": str(unit_id), "contact_name": "李女士",
        "contact_phone": "13900001111", "category": "repair", "important": "y",
        "description": "门禁失灵", "intake_at": "2026-11-20 09:00"})
    assert response.status_code == 302, flashes(response)
    made = one(app, Ticket, code="TW-FORM")
    assert (made.status, made.priority, made.steward_id) == ("new", "P3", staff_id)
    assert made.due_at == datetime(2026, 11, 22, 1, 0, tzinfo=UTC)  # 09:00 +08:00 + 48 h


def test_overdue_and_due_soon_filters_list_open_tickets_only_P_TKT_7(app, db, as_role):
    now = datetime.now(UTC)
    new_ticket(app, code="TW-LATE", intake_at=now - timedelta(hours=80))  # P4: 72 h
    new_ticket(app, code="TW-SOON", intake_at=now - timedelta(hours=71))
    new_ticket(app, code="TW-CALM", intake_at=now)
    with app.app_context():
        staff_id = database.session.scalar(
            sa.select(User.staff_id).where(User.username == "steward1"))
        expected = set(database.session.scalars(sa.select(Ticket.code).where(
            Ticket.steward_id == staff_id, Ticket.due_at < now,
            Ticket.status.in_(["new", "accepted", "in_progress"]))))
    client = as_role("steward1")
    index = _filter_index(client.get("/admin/ticket/").get_data(as_text=True))
    overdue = _codes(client.get(f"/admin/ticket/?flt0_{index}=overdue&page_size=100"))
    due_soon = _codes(client.get(f"/admin/ticket/?flt0_{index}=due_soon&page_size=100"))
    assert "TW-LATE" in overdue and overdue == expected
    assert due_soon == {"TW-SOON"}
    assert client.get(f"/admin/ticket/?flt0_{index}=bogus").status_code == 200


def _codes(response) -> set[str]:
    import re

    return set(re.findall(r'/admin/ticket/step/\?id=\d+">([^<]+)</a>',
                          response.get_data(as_text=True)))


def _filter_index(page: str) -> int:
    """The index Flask-Admin gave the deadline filter on this list page."""
    import json
    import re

    data = json.loads(re.search(r'id="filter-groups-data"[^>]*>(.*?)</', page, re.S)[1])
    for entries in data.values():
        for entry in entries:
            if any(option[0] == "overdue" for option in entry.get("options") or ()):
                return entry["index"]
    raise AssertionError("no deadline filter on the page")


def test_only_on_duty_stewards_take_units_or_tickets_P_TRN_2(app, db, as_role):
    """steward7 is the newcomer still in onboarding."""
    with app.app_context():
        newcomer = database.session.scalar(
            sa.select(Staff).where(Staff.employee_no == "E107"))
        unit = database.session.scalars(sa.select(Unit)).first()
        unit.steward = newcomer
        with pytest.raises(Refused, match="on duty"):
            database.session.flush()
        database.session.rollback()
    with pytest.raises(Refused, match="on duty"):
        new_ticket(app, steward="steward7")


def test_a_step_meeting_another_users_write_is_a_message_not_a_500(
        app, db, as_role, monkeypatch):
    """Two people stepping the same ticket at once: the later write fails its version check
    (StaleDataError); the page says so and nothing is saved."""
    from sqlalchemy.orm.exc import StaleDataError

    import admin_views.tickets as screens

    def collide(*args, **kwargs):
        raise StaleDataError("version mismatch")

    ticket_id = new_ticket(app)
    monkeypatch.setattr(screens, "take_step", collide)
    response = step(as_role("steward1"), ticket_id, "accept")
    assert response.status_code == 200
    assert any("Someone else" in f or "同时" in f for f in flashes(response))
    assert ticket(app, ticket_id).status == "new"
