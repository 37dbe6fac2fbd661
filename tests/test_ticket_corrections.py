"""A ticket's intake time, urgency and importance set its deadline (P-TKT-2, P-TKT-7) and so
the steward's on-time rate (P-KPI-3). Once the ticket is accepted they are fixed; a
correction is a supervisor's act with a reason, kept in the audit trail, and never touches a
month whose assessment is confirmed (P-ASM-1)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from extensions import db as database
from models import AuditEntry, MonthlyAssessment, Staff, Ticket, TicketEvent, Unit, User
from rules import corrections
from rules.refusal import Refused
from rules.scoring import on_time_rate

from .helpers import flashes, form_data, one, url

ZONE = ZoneInfo("Asia/Shanghai")
CORRECT = "/admin/ticket/correct/?id={}"
INTAKE = ("intake_at", "urgent", "important", "priority", "due_at", "version")


def _local(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)


def closed_late_ticket(app, intake: str, steward: str = "steward1", code: str = "TC-0001"):
    """A P4 ticket of `steward`'s taken in at `intake` (local) and resolved a day after its
    72-hour deadline, then closed: late in the on-time rate of its deadline's month."""
    from services.tickets import take_step

    start = _local(intake)
    with app.app_context():
        staff_id = database.session.scalar(
            sa.select(User.staff_id).where(User.username == steward))
        unit = database.session.scalars(
            sa.select(Unit).where(Unit.steward_id == staff_id)).first()
        ticket = Ticket(code=code, unit=unit, contact_name="王先生", contact_phone="13812345678",
                        description="楼道灯不亮", steward_id=staff_id, intake_at=start)
        database.session.add(ticket)
        database.session.flush()
        for hours, name, inputs in [(1, "accept", {}), (2, "start", {}),
                                    (96, "resolve", {"resolution": "更换灯泡"}),
                                    (97, "feedback", {"rating": 4}), (98, "close", {})]:
            take_step(database.session, ticket, name, actor=steward,
                      at=start + timedelta(hours=hours), **inputs)
        database.session.commit()
        return ticket.id


def ticket_of_month(app, steward: str, period: str) -> int:
    """A closed demo ticket of `steward` counted in `period` (its deadline's month)."""
    with app.app_context():
        staff_id = database.session.scalar(
            sa.select(User.staff_id).where(User.username == steward))
        return next(t.id for t in database.session.scalars(
            sa.select(Ticket).where(Ticket.steward_id == staff_id, Ticket.status == "closed")
            .order_by(Ticket.id))
            if t.due_at.astimezone(ZONE).strftime("%Y-%m") == period)


def on_time(app, steward: str, period: str):
    """The steward's on-time rate (P-KPI-3) of `period`, as the month's run computes it."""
    from models.queries import month_record

    with app.app_context():
        staff = database.session.scalar(
            sa.select(Staff).join(User, User.staff_id == Staff.id).where(User.username == steward))
        record = month_record(database.session, staff, period, "Asia/Shanghai")
        rate = on_time_rate(record.tickets, datetime(2030, 1, 1, tzinfo=ZONE))
        return rate.score, rate.late


def intake_of(app, ticket_id) -> tuple:
    found = one(app, Ticket, id=ticket_id)
    return tuple(getattr(found, name) for name in INTAKE)


def assessment_status(app, steward: str, period: str) -> str | None:
    with app.app_context():
        return database.session.scalar(
            sa.select(MonthlyAssessment.status)
            .join(User, User.staff_id == MonthlyAssessment.staff_id)
            .where(User.username == steward, MonthlyAssessment.period == period))


# ---- the rule, on its own ----------------------------------------------------------------
def test_the_intake_is_free_until_the_ticket_is_accepted_P_TKT_2():
    corrections.check_intake_change("new", None)
    for status in ("accepted", "in_progress", "resolved", "feedback_given", "closed"):
        with pytest.raises(Refused):
            corrections.check_intake_change(status, None)


def test_only_a_supervisor_with_a_reason_corrects_and_never_in_a_confirmed_month_P_KPI_3():
    ok = corrections.Correction("supervisor", "业主来电时间登记错误")
    corrections.check_intake_change("closed", ok)
    for refused, confirmed in [
        (corrections.Correction("steward", "我登记错了"), ()),
        (corrections.Correction("admin", "登记错误"), ()),
        (corrections.Correction("supervisor", "  "), ()),
        (ok, ("2026-10",)),
    ]:
        with pytest.raises(Refused):
            corrections.check_intake_change("closed", refused, confirmed)


# ---- through the web client --------------------------------------------------------------
def test_a_steward_cannot_move_a_closed_tickets_deadline_P_TKT_7_P_KPI_3(app, db, as_role):
    """The attack of issue 17: a steward edits intake time, urgency or importance of their own
    closed late ticket to turn it on time. Refused; ticket and on-time rate unchanged."""
    assert assessment_status(app, "steward1", "2026-11") != "confirmed"
    ticket_id = closed_late_ticket(app, "2026-11-05 09:00")
    before, kpi = intake_of(app, ticket_id), on_time(app, "steward1", "2026-11")
    assert one(app, Ticket, id=ticket_id).code in kpi[1]  # late, as it really was
    client = as_role("steward1")

    page = client.get(url("ticket", f"edit/?id={ticket_id}")).get_data(as_text=True)
    assert 'name="intake_at"' not in page and 'name="urgent"' not in page
    data = form_data(app, "ticket", ticket_id, "steward1")
    for forged in ({"intake_at": "2026-11-06 12:00"}, {"urgent": "y", "important": "y"},
                   {"important": "y"}):
        response = client.post(url("ticket", f"edit/?id={ticket_id}"), data=data | forged)
        assert response.status_code == 200
        assert any("受理后" in text for text in flashes(response)), flashes(response)
        assert intake_of(app, ticket_id) == before
    response = client.post(url("ticket", "ajax/update/"), data={
        "list_form_pk": str(ticket_id), "intake_at": "2026-11-06 12:00"})
    assert response.status_code == 403
    assert intake_of(app, ticket_id) == before
    # nor the supervisor's page
    assert client.get(CORRECT.format(ticket_id)).status_code == 403
    response = client.post(CORRECT.format(ticket_id), data={
        "intake_at": "2026-11-06 12:00", "reason": "登记错误"})
    assert response.status_code == 403
    assert intake_of(app, ticket_id) == before
    assert on_time(app, "steward1", "2026-11") == kpi


def test_a_change_of_an_accepted_intake_outside_the_views_is_refused_at_flush(app, db):
    """Imports, scripts and any other path meet the same rule at flush (models/guards.py)."""
    ticket_id = closed_late_ticket(app, "2026-11-05 09:00")
    with app.app_context():
        ticket = database.session.get(Ticket, ticket_id)
        ticket.intake_at = _local("2026-11-06 12:00")
        with pytest.raises(Refused):
            database.session.flush()
        database.session.rollback()
    assert one(app, Ticket, id=ticket_id).intake_at == _local("2026-11-05 09:00")


def test_a_supervisor_corrects_the_intake_with_a_reason_in_the_audit_trail(app, db, as_role):
    ticket_id = closed_late_ticket(app, "2026-11-05 09:00")
    code = one(app, Ticket, id=ticket_id).code
    before = intake_of(app, ticket_id)
    client = as_role("supervisor1")
    page = client.get("/admin/ticket/step/?id=" + str(ticket_id)).get_data(as_text=True)
    assert 'id="correct-intake-link"' in page
    assert client.get(CORRECT.format(ticket_id)).status_code == 200

    # without a reason: refused, nothing changes
    response = client.post(CORRECT.format(ticket_id), data={
        "intake_at": "2026-11-06 12:00", "reason": " "})
    assert response.status_code == 200 and "更正需要写明原因。" in flashes(response)
    assert intake_of(app, ticket_id) == before

    response = client.post(CORRECT.format(ticket_id), data={
        "intake_at": "2026-11-06 12:00", "reason": "业主11月6日中午才来电，登记时写错日期"})
    assert response.status_code == 302, flashes(response)
    after = one(app, Ticket, id=ticket_id)
    assert after.intake_at == _local("2026-11-06 12:00")
    assert after.due_at == _local("2026-11-09 12:00")  # P4: 72 h from the corrected intake
    assert code not in on_time(app, "steward1", "2026-11")[1]
    with app.app_context():
        event = database.session.scalars(
            sa.select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
            .order_by(TicketEvent.id.desc())).first()
        assert (event.actor, event.note) == ("supervisor1", "业主11月6日中午才来电，登记时写错日期")
        entries = database.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.username == "supervisor1")
            .order_by(AuditEntry.id)).all()
    ticket_entry = next(e for e in entries if e.entity == "ticket" and e.entity_id == ticket_id)
    changes = json.loads(ticket_entry.changes)
    assert {"intake_at", "due_at"} <= set(changes)
    event_entry = next(e for e in entries if e.entity == "ticket_event")
    assert event_entry.change_set == ticket_entry.change_set
    assert json.loads(event_entry.changes)["note"][1] == "业主11月6日中午才来电，登记时写错日期"
    assert "受理信息已更正" in client.get("/admin/ticket/step/?id=" + str(ticket_id)).get_data(
        as_text=True)


def test_no_correction_once_the_months_assessment_is_confirmed_P_ASM_1(app, db, as_role):
    assert assessment_status(app, "steward1", "2026-10") == "confirmed"
    ticket_id = ticket_of_month(app, "steward1", "2026-10")
    before, kpi = intake_of(app, ticket_id), on_time(app, "steward1", "2026-10")
    response = as_role("supervisor1").post(CORRECT.format(ticket_id), data={
        "intake_at": "2026-10-06 12:00", "reason": "登记错误"})
    assert response.status_code == 200
    assert any("已确认" in text for text in flashes(response)), flashes(response)
    assert intake_of(app, ticket_id) == before
    assert on_time(app, "steward1", "2026-10") == kpi


def test_only_supervisors_open_the_correction_page(app, db, as_role):
    ticket_id = closed_late_ticket(app, "2026-11-05 09:00")
    assert as_role("admin").get(CORRECT.format(ticket_id)).status_code == 403
    assert as_role("hr").get(CORRECT.format(ticket_id)).status_code == 403
    assert as_role("supervisor2").get(CORRECT.format(ticket_id)).status_code == 403  # not theirs


# ---- the same deadline reached another way (found probing the fix) -------------------------
def test_a_ticket_cannot_be_taken_in_with_a_future_intake_P_TKT_7(app, db, as_role):
    """A steward creating a ticket dated next year would get a deadline next year: on time
    whenever it is resolved. Refused, on the form and at flush; nothing saved."""
    client = as_role("steward1")
    with app.app_context():
        count = database.session.scalar(sa.select(sa.func.count(Ticket.id)))
        staff_id = database.session.scalar(
            sa.select(User.staff_id).where(User.username == "steward1"))
        unit_id = database.session.scalars(
            sa.select(Unit.id).where(Unit.steward_id == staff_id)).first()
    response = client.post(url("ticket", "new/"), data={
        "code": "TC-FUTURE", "unit": str(unit_id), "contact_name": "王先生",
        "contact_phone": "13812345678", "description": "楼道灯不亮",
        "intake_at": "2027-06-01 09:00", "urgent": "y", "important": "y"})
    assert any("不能晚于现在" in text for text in flashes(response)), flashes(response)
    with app.app_context():
        assert database.session.scalar(sa.select(sa.func.count(Ticket.id))) == count
        ticket = database.session.get(Ticket, ticket_of_month(app, "steward1", "2026-11"))
        ticket.intake_at = datetime.now(ZONE) + timedelta(days=3)
        with pytest.raises(Refused):
            database.session.flush()
        database.session.rollback()


def test_no_new_ticket_lands_in_a_confirmed_month_P_ASM_1(app, db):
    """A ticket backdated into a confirmed month would change that month's on-time rate
    after confirmation: refused at flush, whatever path creates it."""
    assert assessment_status(app, "steward1", "2026-10") == "confirmed"
    with pytest.raises(Refused, match="confirmed"):
        closed_late_ticket(app, "2026-10-05 09:00")
    with app.app_context():
        database.session.rollback()
        assert database.session.scalar(
            sa.select(sa.func.count()).where(Ticket.code == "TC-0001")) == 0


def test_a_supervisor_cannot_hand_a_confirmed_months_ticket_to_another_steward_P_ASM_1(
        app, db, as_role):
    """Reassigning a ticket moves its on-time result from one steward's month to another's;
    where either month is confirmed it is refused, and the ticket keeps its steward."""
    assert assessment_status(app, "steward1", "2026-10") == "confirmed"
    ticket_id = ticket_of_month(app, "steward1", "2026-10")
    steward_before = one(app, Ticket, id=ticket_id).steward_id
    with app.app_context():
        other = database.session.scalar(
            sa.select(User.staff_id).where(User.username == "steward2"))
    data = form_data(app, "ticket", ticket_id, "supervisor1") | {"steward": str(other)}
    response = as_role("supervisor1").post(url("ticket", f"edit/?id={ticket_id}"), data=data)
    assert response.status_code == 200
    assert any("已确认" in text for text in flashes(response)), flashes(response)
    assert one(app, Ticket, id=ticket_id).steward_id == steward_before


def test_the_correction_form_keeps_the_limits_of_other_forms(app, db, as_role):
    """A reason longer than a note may be, or an intake time that is no time, is a message on
    the form in Chinese; nothing changes."""
    ticket_id = closed_late_ticket(app, "2026-11-05 09:00")
    before, client = intake_of(app, ticket_id), as_role("supervisor1")
    for data, words in (({"intake_at": "2026-11-06 12:00", "reason": "写" * 2001}, "2000"),
                        ({"intake_at": "1e10", "reason": "登记错误"}, "请按 2026-11-10 09:30")):
        page = client.post(CORRECT.format(ticket_id), data=data).get_data(as_text=True)
        assert words in page, page[-2000:]
        assert "Not a valid" not in page
        assert intake_of(app, ticket_id) == before
