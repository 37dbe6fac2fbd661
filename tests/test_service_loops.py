"""The service loops through the pages: a ticket's work dispatched to a department and done
there (P-TKT-3, P-COORD-1), and the return visits that plan themselves, with their survey
(P-OWN-3, P-KPI-1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import time_machine

from extensions import db as database
from models import Dispatch, OutboxMessage, ReturnVisit, Staff, Ticket, TicketEvent, Unit, User
from models.queries import company_zone, local_date, month_record
from services.tickets import take_step

from .conftest import login
from .helpers import finish_dispatched, flashes

TICKET_STEP = "/admin/ticket/step/?id={}"
WORK = "/admin/dispatch/step/?id={}"
VISIT = "/admin/return-visit/step/?id={}"


def _started_ticket(app, department: str | None = "engineering", steward: str = "steward1",
                    urgent: bool = False, code: str = "TLOOP-0001") -> tuple[int, int | None]:
    """A new ticket of one of `steward`'s owners, accepted and started (dispatched)."""
    with app.test_request_context():
        staff_id = database.session.scalar(
            sa.select(User.staff_id).where(User.username == steward))
        unit = database.session.scalars(sa.select(Unit).where(Unit.steward_id == staff_id)
                                        .order_by(Unit.id)).first()
        owner = unit.ownerships[0].owner
        ticket = Ticket(code=code, unit=unit, owner=owner, contact_name=owner.name,
                        contact_phone=owner.phone, description="厨房水管漏水",
                        steward_id=staff_id, urgent=urgent, important=urgent)
        database.session.add(ticket)
        database.session.flush()
        take_step(database.session, ticket, "accept", actor=steward)
        take_step(database.session, ticket, "start", actor=steward, department=department)
        database.session.commit()
        work = ticket.dispatches[0].id if ticket.dispatches else None
        return ticket.id, work


def _work(app, work_id: int) -> Dispatch:
    with app.app_context():
        found = database.session.get(Dispatch, work_id)
        database.session.expunge(found)
        return found


def test_dispatched_work_is_in_that_departments_queue_only_P_TKT_3(app, db, as_role):
    """Engineering's member sees the ticket's work in the queue and on their start page;
    security's does not, and cannot open it."""
    ticket_id, work_id = _started_ticket(app)
    engineer, guard = as_role("engineer2"), as_role("security1")
    page = engineer.get(WORK.format(work_id))
    assert page.status_code == 200 and "TLOOP-0001" in page.get_data(as_text=True)
    start = engineer.get("/admin/").get_data(as_text=True)
    assert 'id="queue-waiting"' in start and "TLOOP-0001" in start
    assert "TLOOP-0001" not in guard.get("/admin/").get_data(as_text=True)
    assert "TLOOP-0001" not in guard.get("/admin/dispatch/?page_size=100").get_data(
        as_text=True)
    assert guard.get(WORK.format(work_id)).status_code == 403


def test_a_members_progress_shows_on_the_stewards_handling_page_P_COORD_1(app, db, as_role):
    """Taken, a progress note, done: each on the ticket's history with the department and
    who; the steward's page shows the department's part and its state, and the ticket
    stays the steward's to resolve."""
    ticket_id, work_id = _started_ticket(app)
    engineer = as_role("engineer2")
    for step, note in (("take", ""), ("note", "配件已订，明早上门"), ("done", "已更换进水阀")):
        response = engineer.post(WORK.format(work_id), data={"step": step, "note": note})
        assert response.status_code == 302, flashes(response)
    work = _work(app, work_id)
    assert work.status == "done" and work.done_note == "已更换进水阀"
    page = as_role("steward1").get(TICKET_STEP.format(ticket_id)).get_data(as_text=True)
    assert 'id="ticket-dispatches"' in page and "黄磊" in page  # engineer2 took it
    assert "配件已订，明早上门" in page and "已更换进水阀" in page and "工程部" in page
    # the history names the people acting, not their accounts
    history = page.split('id="ticket-history"')[1].split("</table>")[0]
    assert "黄磊" in history and "engineer2" not in history
    queue = engineer.get(WORK.format(work_id)).get_data(as_text=True)
    notes = queue.split('id="dispatch-notes"')[1].split("</table>")[0]
    assert "黄磊" in notes and "engineer2" not in notes
    response = as_role("steward1").post(TICKET_STEP.format(ticket_id),
                                        data={"step": "resolve", "resolution": "已修好"})
    assert response.status_code == 302, flashes(response)


def test_nobody_outside_the_department_takes_its_work_P_TKT_3(app, db, as_role):
    """A steward, a supervisor, another department's member: refused with the reason, and
    the work is still waiting; a note is refused the same way."""
    _, work_id = _started_ticket(app)
    for username in ("security1", "steward1", "supervisor1", "admin"):
        client = as_role(username)
        response = client.post(WORK.format(work_id), data={"step": "take"})
        if response.status_code == 200:
            assert any("工程部" in f for f in flashes(response)), username
        else:
            assert response.status_code == 403, username
        assert _work(app, work_id).status == "waiting"
    response = as_role("cleaning2").post(WORK.format(work_id),
                                         data={"step": "note", "note": "看一下"})
    assert response.status_code == 403
    with app.app_context():
        assert database.session.scalar(sa.select(sa.func.count(TicketEvent.id)).where(
            TicketEvent.dispatch_id == work_id)) == 0


def test_only_the_taker_or_the_head_marks_it_done(app, db, as_role):
    """engineer1 heads engineering, engineer2 is a member."""
    _, work_id = _started_ticket(app)
    assert as_role("engineer1").post(WORK.format(work_id),
                                     data={"step": "take"}).status_code == 302
    refused = as_role("engineer2").post(WORK.format(work_id),
                                        data={"step": "done", "note": "好了"})
    assert refused.status_code == 200 and any("同事" in f for f in flashes(refused))
    assert _work(app, work_id).status == "taken"
    # the head may finish a colleague's work too
    _, other_id = _started_ticket(app, steward="steward2", code="TLOOP-0002")
    assert as_role("engineer2").post(WORK.format(other_id),
                                     data={"step": "take"}).status_code == 302
    finished = as_role("engineer1").post(WORK.format(other_id),
                                         data={"step": "done", "note": "好了"})
    assert finished.status_code == 302 and _work(app, other_id).status == "done"


def test_overdue_work_shows_to_the_head_and_the_stewards_supervisor(app, db):
    """An urgent, important ticket (P1: 4 hours) dispatched and not done by its deadline is
    listed for engineering's head and for steward1's supervisor; not for a member."""
    moment = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        _, work_id = _started_ticket(app, urgent=True)
    with time_machine.travel(moment + timedelta(hours=5), tick=False):
        head = login(app.test_client(), "engineer1").get("/admin/").get_data(as_text=True)
        member = login(app.test_client(), "engineer2").get("/admin/").get_data(as_text=True)
        boss = login(app.test_client(), "supervisor1").get("/admin/").get_data(as_text=True)
    late = head.split('id="queue-late"')[1].split("</table>")[0]
    assert "TLOOP-0001" in late and "已逾期" in late
    assert 'id="queue-late"' not in member
    assert "TLOOP-0001" in boss.split('id="team-late-work"')[1].split("</table>")[0]


def test_the_steward_withdraws_a_departments_part_with_the_reason(app, db, as_role):
    ticket_id, work_id = _started_ticket(app)
    steward = as_role("steward1")
    refused = steward.post(TICKET_STEP.format(ticket_id),
                           data={"step": "withdraw", "dispatch": work_id, "reason": ""})
    assert refused.status_code == 200 and _work(app, work_id).status == "waiting"
    response = steward.post(TICKET_STEP.format(ticket_id), data={
        "step": "withdraw", "dispatch": work_id, "reason": "业主已自行修好"})
    assert response.status_code == 302, flashes(response)
    assert _work(app, work_id).status == "withdrawn"
    assert steward.post(TICKET_STEP.format(ticket_id), data={
        "step": "resolve", "resolution": "业主自行处理"}).status_code == 302


# ---- return visits -----------------------------------------------------------------------
def _closed(app, ticket_id: int, at: datetime) -> None:
    with app.test_request_context():
        ticket = database.session.get(Ticket, ticket_id)
        finish_dispatched(database.session, ticket)
        take_step(database.session, ticket, "resolve", actor="steward1", resolution="已修好",
                  at=at)
        take_step(database.session, ticket, "feedback", actor="steward1", rating=5, at=at)
        take_step(database.session, ticket, "close", actor="steward1", at=at)
        database.session.commit()


def test_closing_a_ticket_plans_its_follow_up_visit_P_OWN_3(app, db):
    """Three days (policy setting visit_after_close_days) after it closes, at 10:00 company
    time, by the ticket's steward; the owner gets no message for the steward's own plan."""
    closed_at = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    with time_machine.travel(closed_at, tick=False):
        ticket_id, _ = _started_ticket(app)
        _closed(app, ticket_id, closed_at)
    with app.app_context():
        visit = database.session.scalars(sa.select(ReturnVisit).where(
            ReturnVisit.ticket_id == ticket_id)).one()
        ticket = database.session.get(Ticket, ticket_id)
        planned = visit.planned_on.astimezone(company_zone_info())
        assert (planned.date().isoformat(), planned.hour) == ("2026-11-23", 10)
        assert (visit.steward_id, visit.owner_id, visit.visited_at) == (
            ticket.steward_id, ticket.owner_id, None)
        assert database.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.event == "visit_planned",
            OutboxMessage.owner_id == visit.owner_id)) == 0


def company_zone_info():
    from zoneinfo import ZoneInfo

    return ZoneInfo(company_zone())


def test_a_visit_past_its_day_shows_overdue_on_the_stewards_start_page(app, db):
    closed_at = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    with time_machine.travel(closed_at, tick=False):
        ticket_id, _ = _started_ticket(app)
        _closed(app, ticket_id, closed_at)
    with app.app_context():
        visit_id = database.session.scalar(sa.select(ReturnVisit.id).where(
            ReturnVisit.ticket_id == ticket_id))
        # the start page lists the 15 earliest: clear the steward's older ones from the way
        database.session.execute(sa.delete(ReturnVisit).where(
            ReturnVisit.steward_id == database.session.get(ReturnVisit, visit_id).steward_id,
            ReturnVisit.visited_at.is_(None), ReturnVisit.id != visit_id,
            ReturnVisit.planned_on < datetime(2026, 11, 26, tzinfo=UTC)))
        database.session.commit()
    for day, badge in (("2026-11-23", "今天到期"), ("2026-11-25", "已逾期")):
        with time_machine.travel(datetime.fromisoformat(f"{day}T01:00:00+00:00"), tick=False):
            page = login(app.test_client(), "steward1").get("/admin/").get_data(as_text=True)
        visits = page.split('id="visits-due"')[1].split("</ul>")[0]
        line = next(li for li in visits.split("<li") if VISIT.format(visit_id) in li)
        assert badge in line, (day, line)
        assert ('id="visits-overdue-count"' in page) == (badge == "已逾期")


def test_a_visits_survey_feeds_the_satisfaction_kpi_P_KPI_1(app, db, as_role):
    """Attitude 5, efficiency 4, problem solving 3: the visit's satisfaction is 3, the lowest
    (docs/workflow.md), and the month's satisfaction counts it as a visit rated 3."""
    with app.app_context():
        staff_id = database.session.scalar(
            sa.select(User.staff_id).where(User.username == "steward1"))
        visit = database.session.scalars(sa.select(ReturnVisit).where(
            ReturnVisit.steward_id == staff_id, ReturnVisit.visited_at.is_(None))
            .order_by(ReturnVisit.planned_on)).first()
        visit_id = visit.id
    moment = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        client = login(app.test_client(), "steward1")
        response = client.post(VISIT.format(visit_id), data={
            "visited_at": "2026-11-25 10:30", "channel": "phone", "rating_attitude": "5",
            "rating_efficiency": "4", "rating_solving": "3", "opinions": "维修慢了一点",
            "needs": "", "referred_to": ""})
        assert response.status_code == 302, flashes(response)
    with app.app_context():
        visit = database.session.get(ReturnVisit, visit_id)
        assert visit.satisfaction == 3
        assert local_date(visit.visited_at).isoformat() == "2026-11-25"
        record = month_record(database.session, database.session.get(Staff, staff_id),
                              "2026-11", company_zone())
        assert ("visit", f"#{visit_id}", 3, "steward") in record.ratings


def test_a_survey_needs_all_three_and_a_time_not_to_come(app, db, as_role):
    with app.app_context():
        visit_id = database.session.scalar(sa.select(ReturnVisit.id).join(
            User, User.staff_id == ReturnVisit.steward_id).where(
            User.username == "steward1", ReturnVisit.visited_at.is_(None)))
    client = as_role("steward1")
    half = client.post(VISIT.format(visit_id), data={
        "visited_at": "2026-11-20 10:30", "channel": "phone", "rating_attitude": "5"})
    assert half.status_code == 200 and any("三" in f for f in flashes(half))
    future = client.post(VISIT.format(visit_id), data={
        "visited_at": "2099-01-01 10:30", "channel": "phone"})
    assert future.status_code == 200 and flashes(future)
    with app.app_context():
        assert database.session.get(ReturnVisit, visit_id).visited_at is None


def test_the_owners_needs_become_a_ticket_in_one_click_P_TKT_1(app, db, as_role):
    with app.app_context():
        visit = database.session.scalars(sa.select(ReturnVisit).join(
            User, User.staff_id == ReturnVisit.steward_id).where(
            User.username == "steward1", ReturnVisit.visited_at.is_not(None),
            ReturnVisit.needs_ticket_id.is_(None))).first()
        visit.needs = "楼道灯不亮"
        database.session.commit()
        visit_id, owner_id = visit.id, visit.owner_id
    client = as_role("steward1")
    response = client.post(VISIT.format(visit_id), data={"step": "ticket"})
    assert response.status_code == 302 and "/admin/ticket/step/" in response.location
    again = client.post(VISIT.format(visit_id), data={"step": "ticket"}, follow_redirects=True)
    assert "已经生成过工单" in again.get_data(as_text=True)
    with app.app_context():
        visit = database.session.get(ReturnVisit, visit_id)
        ticket = visit.needs_ticket
        assert (ticket.description, ticket.channel, ticket.owner_id, ticket.status,
                ticket.steward_id) == ("楼道灯不亮", "visit", owner_id, "new", visit.steward_id)


def test_the_schedule_plans_a_regular_visit_for_every_owner_P_OWN_3(app, db):
    """An owner without a planned visit gets one a visit interval (90 days) after the last
    visit made; running again plans nothing more."""
    from jobs.scheduled import plan_visits

    now = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)
    with app.app_context():
        plan_visits(database.session, now)  # owners since the demo's last run
        database.session.commit()
        visit = database.session.scalars(sa.select(ReturnVisit).where(
            ReturnVisit.visited_at.is_not(None)).order_by(ReturnVisit.visited_at.desc())).first()
        owner_id, unit_id, last = visit.owner_id, visit.unit_id, visit.visited_at
        database.session.execute(sa.delete(ReturnVisit).where(
            ReturnVisit.owner_id == owner_id, ReturnVisit.unit_id == unit_id,
            ReturnVisit.visited_at.is_(None)))
        database.session.commit()
        assert plan_visits(database.session, now) == {"planned": 1}
        database.session.commit()
        planned = database.session.scalars(sa.select(ReturnVisit).where(
            ReturnVisit.owner_id == owner_id, ReturnVisit.unit_id == unit_id,
            ReturnVisit.visited_at.is_(None))).one()
        assert local_date(planned.planned_on) == local_date(last) + timedelta(days=90)
        assert plan_visits(database.session, now) == {"planned": 0}


def test_a_survey_never_changes_a_confirmed_months_satisfaction_P_KPI_1(app, db, as_role):
    """March is confirmed for steward1: a visit recorded in March is refused, and nothing
    changes; reopening the month comes first (P-ASM-1)."""
    with app.app_context():
        visit_id = database.session.scalar(sa.select(ReturnVisit.id).join(
            User, User.staff_id == ReturnVisit.steward_id).where(
            User.username == "steward1", ReturnVisit.visited_at.is_(None)))
    response = as_role("steward1").post(VISIT.format(visit_id), data={
        "visited_at": "2026-03-08 10:00", "channel": "phone", "rating_attitude": "1",
        "rating_efficiency": "1", "rating_solving": "1"})
    assert response.status_code == 200 and any("2026-03" in f for f in flashes(response))
    with app.app_context():
        assert database.session.get(ReturnVisit, visit_id).visited_at is None


def test_a_corrected_deadline_moves_the_departments_too(app, db, as_role):
    """A supervisor makes a P4 ticket urgent and important: it is due in 4 hours from
    intake, and so is engineering's part of it (P-TKT-7)."""
    ticket_id, work_id = _started_ticket(app)
    with app.app_context():
        intake = database.session.get(Ticket, ticket_id).intake_at
    response = as_role("supervisor1").post(f"/admin/ticket/correct/?id={ticket_id}", data={
        "intake_at": intake.astimezone(company_zone_info()).strftime("%Y-%m-%d %H:%M:%S"),
        "urgent": "y", "important": "y", "reason": "业主家中漏水严重"})
    assert response.status_code == 302, flashes(response)
    with app.app_context():
        ticket = database.session.get(Ticket, ticket_id)
        assert ticket.priority == "P1"
        assert database.session.get(Dispatch, work_id).due_at == ticket.due_at


def test_a_departments_code_stays_once_work_went_to_it(app, db, as_role):
    _, work_id = _started_ticket(app)
    admin = as_role("admin")
    with app.app_context():
        department_id = database.session.get(Dispatch, work_id).department_id
    from .helpers import form_data

    data = form_data(app, "department", department_id, "admin") | {"code": "marketing"}
    response = admin.post(f"/admin/department/edit/?id={department_id}", data=data)
    assert response.status_code == 200 and any("代码" in f for f in flashes(response))
    with app.app_context():
        from models import Department

        assert database.session.get(Department, department_id).code == "engineering"
