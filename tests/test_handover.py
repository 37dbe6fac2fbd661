"""HR's decisions take effect: a confirmed dismissal becomes a planned career move (P-RP-3),
a leaving steward's work is handed over in one change — all or nothing — and moves apply on
their date (P-CAR-1, P-CAR-2), through the pages as HR uses them, under a frozen clock."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine

from extensions import db as database
from jobs import schedule
from models import (
    AuditEntry,
    CareerMove,
    Procedure,
    ReturnVisit,
    RewardPenalty,
    Staff,
    Ticket,
    Unit,
    User,
)

from .conftest import login
from .helpers import flashes, one

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW = "/admin/career-move/new/"
HANDOVER = "/admin/career-move/handover/?id={}"


def at(text: str) -> datetime:
    """A company-time moment, 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


@pytest.fixture
def today(app, db):
    """The demo's today, 2026-11-20 10:00 company time, frozen."""
    with time_machine.travel(at("2026-11-20 10:00"), tick=False) as clock:
        yield clock


def staff_id(app, username: str) -> int:
    with app.app_context():
        return database.session.scalar(sa.select(User.staff_id).where(User.username == username))


def count(app, model, **where) -> int:
    with app.app_context():
        return database.session.scalar(sa.select(sa.func.count()).select_from(model)
                                       .filter_by(**where))


def open_tickets(app, steward: int) -> int:
    with app.app_context():
        return database.session.scalar(sa.select(sa.func.count(Ticket.id)).where(
            Ticket.steward_id == steward, Ticket.status != "closed"))


def record_move(app, hr, who: int, kind: str, effective_on: str, **fields):
    """HR records a career move on its form; the move's id."""
    response = hr.post(NEW, data={"staff": str(who), "kind": kind, "effective_on": effective_on,
                                  "reason": "测试", **fields}, follow_redirects=True)
    assert response.status_code == 200
    with app.app_context():
        move_id = database.session.scalar(sa.select(sa.func.max(CareerMove.id)).where(
            CareerMove.staff_id == who, CareerMove.kind == kind))
    return move_id, response


def run_job(app, moment: datetime):
    with app.app_context():
        return schedule.run(database.session, schedule.SCHEDULES["career-moves"], moment)


def test_a_dismissal_hr_confirms_becomes_a_planned_move_30_days_on_P_RP_3(app, db, as_role,
                                                                       today):
    """P-RP-3: two consecutive fails → dismissal; once HR confirms it, it is a career move
    planned for the notice period's end, which HR may still move."""
    leaving = staff_id(app, "steward3")
    with app.app_context():
        suggestion = RewardPenalty(staff_id=leaving, kind="dismissal", status="pending",
                                   reason="连续两次考核不合格")
        database.session.add(suggestion)
        database.session.commit()
        suggestion_id = suggestion.id
    hr = as_role("hr")
    hr.post("/admin/reward-penalty/action/", data={"action": "confirm",
                                                  "rowid": [str(suggestion_id)]})
    move = one(app, CareerMove, reward_penalty_id=suggestion_id)
    assert (move.kind, move.status, move.staff_id) == ("dismissal", "planned", leaving)
    assert move.effective_on == date(2026, 12, 20)
    assert move.from_position == "steward"
    form = hr.get(f"/admin/career-move/edit/?id={move.id}").get_data(as_text=True)
    assert 'value="2026-12-20"' in form  # HR may still change the date


def test_the_handover_moves_everything_outstanding_in_one_change_set(app, db, as_role, today):
    """Units, open tickets, planned visits and open procedures go to the proposed receiver
    (same supervisor, fewest units), in one audited change set; closed tickets stay."""
    leaving, receiver = staff_id(app, "steward1"), staff_id(app, "steward2")
    closed_before = count(app, Ticket, steward_id=leaving, status="closed")
    units_before = count(app, Unit, steward_id=receiver)
    hr = as_role("hr")
    move_id, _ = record_move(app, hr, leaving, "dismissal", "2026-12-20")
    page = hr.get(HANDOVER.format(move_id))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'<option value="{receiver}" selected' in text  # 李娜: same team, 50 units
    assert 'data-kind="units">50<' in text
    visits = count(app, ReturnVisit, steward_id=leaving, visited_at=None)
    assert visits > 0
    response = hr.post(HANDOVER.format(move_id), data={"receiver": str(receiver)},
                       follow_redirects=True)
    assert response.status_code == 200, flashes(response)
    assert count(app, Unit, steward_id=leaving) == 0
    assert count(app, Unit, steward_id=receiver) == units_before + 50
    assert open_tickets(app, leaving) == 0
    assert count(app, ReturnVisit, steward_id=leaving, visited_at=None) == 0
    assert count(app, Procedure, steward_id=leaving, status="open") == 0
    assert count(app, Ticket, steward_id=leaving, status="closed") == closed_before  # history
    with app.app_context():
        sets = set(database.session.scalars(sa.select(AuditEntry.change_set).where(
            AuditEntry.entity.in_(("unit", "ticket", "return_visit", "procedure")),
            AuditEntry.changes.like(f'%"steward_id": [{leaving}, {receiver}]%'))))
    assert len(sets) == 1
    assert one(app, CareerMove, id=move_id).status == "planned"  # its date has not come


def test_a_receiver_not_on_duty_is_refused_and_nothing_moves(app, db, as_role, today):
    """The flush guard refuses a steward not on duty (P-TRN-2): the page says why and not a
    single unit has changed hands."""
    leaving = staff_id(app, "steward1")
    trainee = staff_id(app, "steward7")
    hr = as_role("hr")
    move_id, _ = record_move(app, hr, leaving, "dismissal", "2026-12-20")
    response = hr.post(HANDOVER.format(move_id), data={"receiver": str(trainee)},
                       follow_redirects=True)
    assert any("在岗" in f or "on duty" in f for f in flashes(response)), flashes(response)
    assert count(app, Unit, steward_id=leaving) == 50
    assert count(app, Unit, steward_id=trainee) == 0


def test_a_refusal_mid_way_undoes_what_was_already_moved(app, db, as_role, today):
    """Units are moved and flushed before the tickets; a ticket counted in a confirmed month
    (P-ASM-1) is then refused, and the units are back with the leaving steward."""
    leaving, receiver = staff_id(app, "steward1"), staff_id(app, "steward2")
    with app.app_context():
        ticket = database.session.scalars(sa.select(Ticket).where(
            Ticket.steward_id == leaving, Ticket.status != "closed")).first()
        code = ticket.code
        # due in October, whose assessments are confirmed (written past the guards)
        database.session.execute(sa.update(Ticket).where(Ticket.id == ticket.id).values(
            due_at=at("2026-10-30 12:00")))
        database.session.commit()
    hr = as_role("hr")
    move_id, _ = record_move(app, hr, leaving, "dismissal", "2026-12-20")
    page = hr.get(HANDOVER.format(move_id)).get_data(as_text=True)
    assert 'id="blocked-tickets"' in page and code in page
    response = hr.post(HANDOVER.format(move_id), data={"receiver": str(receiver)},
                       follow_redirects=True)
    assert any("2026-10" in f for f in flashes(response)), flashes(response)
    assert count(app, Unit, steward_id=leaving) == 50
    assert open_tickets(app, leaving) > 0


def test_the_job_applies_a_dismissal_on_its_date_and_not_before_P_RP_3(app, db, as_role,
                                                                       today):
    """P-RP-3: on the effective date the steward has left and the login account is closed,
    every open session ended."""
    leaving, receiver = staff_id(app, "steward1"), staff_id(app, "steward2")
    hr = as_role("hr")
    move_id, _ = record_move(app, hr, leaving, "dismissal", "2026-12-01")
    hr.post(HANDOVER.format(move_id), data={"receiver": str(receiver)})
    before = one(app, User, username="steward1")
    today.move_to(at("2026-11-30 00:05"))
    run_job(app, at("2026-11-30 00:05"))
    assert one(app, CareerMove, id=move_id).status == "planned"
    assert one(app, Staff, id=leaving).status == "on_duty"
    today.move_to(at("2026-12-01 00:05"))
    run_job(app, at("2026-12-01 00:05"))
    assert one(app, CareerMove, id=move_id).status == "done"
    assert one(app, Staff, id=leaving).status == "left"
    after = one(app, User, username="steward1")
    assert not after.active and after.session_token != before.session_token


def test_a_due_move_with_work_outstanding_waits_for_the_handover(app, db, as_role, today):
    """The job leaves a leaving steward's move waiting, HR sees it so; the handover applies
    it at once."""
    leaving, receiver = staff_id(app, "steward1"), staff_id(app, "steward2")
    hr = as_role("hr")
    move_id, _ = record_move(app, hr, leaving, "dismissal", "2026-11-21")
    today.move_to(at("2026-11-21 00:05"))
    assert run_job(app, at("2026-11-21 00:05"))["waiting"] == 1
    assert one(app, CareerMove, id=move_id).status == "waiting"
    assert one(app, Staff, id=leaving).status == "on_duty"
    assert HANDOVER.format(move_id).replace("&", "&amp;") in hr.get("/admin/").get_data(
        as_text=True)
    hr.post(HANDOVER.format(move_id), data={"receiver": str(receiver)})
    assert one(app, CareerMove, id=move_id).status == "done"
    assert one(app, Staff, id=leaving).status == "left"


def test_a_dismissed_steward_cannot_sign_in_from_the_effective_date_P_RP_3(app, db, as_role,
                                                                          today):
    """Even before the job has run: the sign-in itself checks the dismissal's date."""
    hr = as_role("hr")
    record_move(app, hr, staff_id(app, "steward4"), "dismissal", "2026-11-25")
    today.move_to(at("2026-11-24 18:00"))
    login(app.test_client(), "steward4")
    today.move_to(at("2026-11-25 08:00"))
    response = app.test_client().post("/login", data={"username": "steward4",
                                                      "password": "demo12345"})
    assert response.status_code == 200  # the form again, not a redirect in
    assert one(app, User, username="steward4").active  # the job has not run


def test_a_promotion_that_skips_a_step_is_refused_P_CAR_1(app, db, as_role, today):
    """P-CAR-1: steward → supervisor → manager, one step at a time."""
    leaving = staff_id(app, "steward5")
    hr = as_role("hr")
    _, response = record_move(app, hr, leaving, "promotion", "2027-01-01",
                              to_position="manager")
    assert any("one step up" in f or "逐级" in f for f in flashes(response)), flashes(response)
    assert count(app, CareerMove, staff_id=leaving) == 0
    move_id, _ = record_move(app, hr, leaving, "promotion", "2027-01-01",
                             to_position="supervisor")
    assert one(app, CareerMove, id=move_id).status == "planned"


def test_a_transfer_to_marketing_takes_effect_after_the_handover_P_CAR_2(app, db, as_role,
                                                                        today):
    """P-CAR-2: a steward transferred to marketing by aptitude and wish, effective today:
    waiting while the units are theirs, done once handed over."""
    leaving, receiver = staff_id(app, "steward6"), staff_id(app, "steward5")
    hr = as_role("hr")
    move_id, response = record_move(app, hr, leaving, "transfer", "2026-11-20",
                                    to_department="marketing")
    assert one(app, CareerMove, id=move_id).status == "waiting"
    listing = hr.get("/admin/career-move/").get_data(as_text=True)
    assert "Waiting for handover" in listing or "待交接" in listing
    hr.post(HANDOVER.format(move_id), data={"receiver": str(receiver)})
    person = one(app, Staff, id=leaving)
    assert (person.department, person.position, person.status) == (
        "marketing", "other", "on_duty")
    assert one(app, CareerMove, id=move_id).status == "done"


def test_a_supervisor_reads_career_moves_but_cannot_hand_over(app, db, as_role, today):
    hr = as_role("hr")
    move_id, _ = record_move(app, hr, staff_id(app, "steward1"), "dismissal", "2026-12-20")
    supervisor = as_role("supervisor1")
    assert supervisor.get(f"/admin/career-move/details/?id={move_id}").status_code == 200
    assert supervisor.get(HANDOVER.format(move_id)).status_code == 403
    assert supervisor.post(HANDOVER.format(move_id), data={"receiver": "1"}).status_code == 403
    assert count(app, Unit, steward_id=staff_id(app, "steward1")) == 50
    assert as_role("admin").get(HANDOVER.format(move_id)).status_code == 200

