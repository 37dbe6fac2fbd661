"""Scheduled jobs under a frozen clock (company time Asia/Shanghai): each runs at its time,
exactly once per slot however many consumers queue it, and does what it says."""

from __future__ import annotations

import json
import os
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine

from extensions import db as database
from jobs import queue, schedule
from models import (
    Bill,
    Job,
    MonthlyAssessment,
    Notice,
    ReturnVisit,
    ScheduleRun,
    Staff,
    Ticket,
    WorkLog,
)
from rules import workflow

from .conftest import IN_CI

SHANGHAI = ZoneInfo("Asia/Shanghai")
REDIS_URL = os.environ.get("STEWARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def at(text: str) -> datetime:
    """A company-time moment, 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


def scheduled_names(huey, moment: datetime) -> set[str]:
    """The scheduled jobs a consumer's scheduler queues at `moment`."""
    with time_machine.travel(moment, tick=False):
        return {t.name for t in huey.read_periodic(None) if t.name.startswith("schedule:")}


def bills(app, period: str) -> int:
    with app.app_context():
        return database.session.scalar(sa.select(sa.func.count(Bill.id)).where(
            Bill.period == period))


def runs(app, name: str) -> int:
    with app.app_context():
        row = database.session.get(ScheduleRun, name)
        return row.runs if row else 0


def drain(consumers: list, moment: datetime) -> None:
    """Each consumer, in a thread of its own, takes tasks off the queue and runs them."""
    errors = []

    def consume(huey):
        with time_machine.travel(moment, tick=True):
            while (task := huey.dequeue()) is not None:
                try:
                    huey.execute(task)
                except Exception as error:  # noqa: BLE001 - reported below
                    errors.append(error)

    threads = [threading.Thread(target=consume, args=(h,)) for h in consumers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors


def _queued_huey(storage_class, name: str = "steward", **kwargs):
    """A Huey handle on a queue, knowing the app's tasks (as a consumer process would)."""
    from huey import Huey

    other = Huey(name, storage_class=storage_class, utc=True, **kwargs)
    other._registry = queue.huey._registry
    return other


def test_the_bill_run_is_scheduled_at_one_on_the_first_only(app, db):
    huey = queue.huey
    assert "schedule:monthly-bill-run" in scheduled_names(huey, at("2026-12-01 01:00"))
    for moment in ("2026-12-01 00:59", "2026-12-01 01:01", "2026-12-02 01:00",
                   "2026-11-30 17:00"):  # 17:00 UTC on the 30th is 01:00 of the 1st in UTC+8…
        assert "schedule:monthly-bill-run" not in scheduled_names(huey, at(moment)), moment
    # …and 01:00 on the 1st in Shanghai is 17:00 UTC the day before: company time decides
    assert "schedule:monthly-bill-run" in scheduled_names(
        huey, datetime(2026, 11, 30, 17, 0, tzinfo=ZoneInfo("UTC")))


def test_the_bill_run_on_the_first_runs_once_with_one_sqlite_consumer(app, db, tmp_path):
    """The scheduler queues the bill run twice (a restarted consumer checks the same minute
    again); one run bills the month, the second finds its slot taken."""
    from huey.storage import SqliteStorage

    huey, moment = _queued_huey(SqliteStorage, filename=str(tmp_path / "q.sqlite")), \
        at("2026-12-01 01:00")
    for _ in range(2):
        with time_machine.travel(moment, tick=False):
            for task in huey.read_periodic(None):
                if task.name == "schedule:monthly-bill-run":
                    huey.enqueue(task)
    assert huey.pending_count() == 2
    drain([huey], moment)
    assert bills(app, "2026-12") == 300
    assert runs(app, "monthly-bill-run") == 1
    with app.app_context():
        row = database.session.get(ScheduleRun, "monthly-bill-run")
        assert row.last_slot == "2026-12" and json.loads(row.last_result)["created"] == 300


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError as error:
        message = f"Redis not reachable at {REDIS_URL}: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def test_the_bill_run_on_the_first_runs_once_with_two_redis_consumers(app, db):
    """Two consumers, each with its scheduler, queue the bill run on the same Redis queue;
    two threads run what is queued at the same time: the month is billed once."""
    _redis_or_skip()
    from huey.storage import RedisStorage

    name = f"steward-test-{os.getpid()}-{threading.get_ident()}"
    consumers = [_queued_huey(RedisStorage, name, url=REDIS_URL) for _ in range(2)]
    consumers[0].flush()
    moment = at("2026-12-01 01:00")
    try:
        for huey in consumers:
            with time_machine.travel(moment, tick=False):
                for task in huey.read_periodic(None):
                    if task.name == "schedule:monthly-bill-run":
                        huey.enqueue(task)
        assert consumers[1].pending_count() == 2
        drain(consumers, moment)
    finally:
        consumers[0].flush()
    assert bills(app, "2026-12") == 300
    assert runs(app, "monthly-bill-run") == 1


def test_the_bill_run_command_runs_a_slot_once_unless_asked_again(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["monthly-bill-run", "--at", "2026-12-01 01:00"])
    assert first.exit_code == 0 and '"created": 300' in first.output
    again = runner.invoke(args=["monthly-bill-run", "--at", "2026-12-01 01:00"])
    assert "has run already" in again.output
    forced = runner.invoke(args=["monthly-bill-run", "--at", "2026-12-01 01:00", "--again"])
    assert '"created": 0' in forced.output and '"existing": 300' in forced.output
    assert bills(app, "2026-12") == 300


def _ticket_due(app, due: datetime) -> tuple[int, int, int]:
    """An open ticket of steward1 due at `due`; its id, steward and supervisor."""
    with app.app_context():
        s = database.session
        ticket = s.scalar(sa.select(Ticket).where(Ticket.status.in_(workflow.OPEN_STATES),
                                                  Ticket.steward_id.is_not(None))
                          .order_by(Ticket.id))
        steward = s.get(Staff, ticket.steward_id)
        s.execute(sa.update(Ticket).where(Ticket.id == ticket.id).values(due_at=due))
        # the only open ticket with a deadline, so the counts below are this ticket's
        s.execute(sa.update(Ticket).where(Ticket.id != ticket.id).values(due_at=None))
        s.commit()
        return ticket.id, steward.id, steward.supervisor_id


def notices(app, kind: str, subject_id: int | None = None) -> list[tuple[int, str]]:
    with app.app_context():
        query = sa.select(Notice.staff_id, Notice.key).where(Notice.kind == kind)
        if subject_id is not None:
            query = query.where(Notice.subject_id == subject_id)
        return sorted(tuple(row) for row in database.session.execute(query))


def _run(app, name: str, moment: datetime):
    with app.app_context(), time_machine.travel(moment, tick=False):
        return schedule.run(database.session, schedule.SCHEDULES[name])


def test_ticket_deadline_notices_appear_at_the_right_minute(app, db):
    """P-TKT-7: due soon from two hours before the deadline (the policy's due_soon_hours),
    overdue from the first minute after it; the steward and the supervisor each get one
    notice of each, however often the check runs."""
    assert "schedule:ticket-deadlines" in scheduled_names(queue.huey, at("2026-11-20 08:13"))
    ticket, steward, supervisor = _ticket_due(app, at("2026-11-20 10:00"))
    both = sorted([(steward, ""), (supervisor, "")])
    _run(app, "ticket-deadlines", at("2026-11-20 07:59"))
    assert notices(app, "ticket_due_soon") == []
    _run(app, "ticket-deadlines", at("2026-11-20 08:00"))
    assert notices(app, "ticket_due_soon", ticket) == both
    _run(app, "ticket-deadlines", at("2026-11-20 10:00"))
    assert notices(app, "ticket_overdue") == []
    result = _run(app, "ticket-deadlines", at("2026-11-20 10:01"))
    assert result["overdue"] == 1 and notices(app, "ticket_overdue", ticket) == both
    _run(app, "ticket-deadlines", at("2026-11-20 10:02"))
    assert notices(app, "ticket_overdue", ticket) == both
    assert notices(app, "ticket_due_soon", ticket) == both
    # the same minute again (a second consumer) does nothing
    assert _run(app, "ticket-deadlines", at("2026-11-20 10:02")) is None


def test_return_visits_coming_due_notify_their_steward_at_eight(app, db):
    """P-OWN-3: a visit planned for today and not made yet is a notice to its steward at
    08:00; one planned tomorrow is not."""
    assert "schedule:return-visits-due" in scheduled_names(queue.huey, at("2026-11-25 08:00"))
    assert "schedule:return-visits-due" not in scheduled_names(queue.huey,
                                                               at("2026-11-25 09:00"))
    with app.app_context():
        s = database.session
        visit = s.scalar(sa.select(ReturnVisit).where(ReturnVisit.steward_id.is_not(None))
                         .order_by(ReturnVisit.id))
        today = s.get(ReturnVisit, visit.id)
        s.execute(sa.update(ReturnVisit).values(visited_at=at("2026-11-01 10:00")))
        s.execute(sa.update(ReturnVisit).where(ReturnVisit.id == today.id).values(
            visited_at=None, planned_on=at("2026-11-25 15:00")))
        tomorrow = s.scalar(sa.select(ReturnVisit.id).where(ReturnVisit.id != today.id)
                            .order_by(ReturnVisit.id))
        s.execute(sa.update(ReturnVisit).where(ReturnVisit.id == tomorrow).values(
            visited_at=None, planned_on=at("2026-11-26 09:00")))
        s.commit()
        steward = today.steward_id
    result = _run(app, "return-visits-due", at("2026-11-25 08:00"))
    assert result["due"] == 1
    assert notices(app, "return_visit_due") == [(steward, "2026-11-25")]


def test_stewards_without_yesterdays_work_log_are_named_at_nine(app, db):
    """P-LOG-1: on-duty stewards without a log for yesterday: a notice to them and their
    supervisor; stewards who logged, and a new hire not yet on duty, get none."""
    with app.app_context():
        s = database.session
        steward = s.scalar(sa.select(Staff).where(Staff.name == s.scalar(
            sa.select(Staff.name).join(WorkLog, WorkLog.steward_id == Staff.id)
            .where(WorkLog.day == date(2026, 11, 19)).order_by(Staff.id))))
        s.execute(sa.delete(WorkLog).where(WorkLog.steward_id == steward.id,
                                           WorkLog.day == date(2026, 11, 19)))
        s.commit()
        # the demo's 李娜 has not written hers either
        missing = [steward, s.scalar(sa.select(Staff).where(Staff.name == "李娜"))]
        expected = sorted([(person.id, "2026-11-19") for person in missing]
                          + [(person.supervisor_id, "2026-11-19") for person in missing])
    result = _run(app, "missing-work-logs", at("2026-11-20 09:00"))
    assert result["missing"] == 2
    assert notices(app, "work_log_missing") == expected


def test_on_a_monday_the_work_log_asked_for_is_fridays_P_LOG_1(app, db):
    """Weekends are not working days: on Monday the check names who has no log for Friday,
    and nobody for the weekend."""
    result = _run(app, "missing-work-logs", at("2026-11-23 09:00"))
    assert result["day"] == "2026-11-20"
    with app.app_context():
        logged = database.session.scalar(sa.select(sa.func.count(WorkLog.id)).where(
            WorkLog.day == date(2026, 11, 20)))
    assert result["missing"] == 6 - logged


def test_month_end_drafts_for_every_team_on_the_first(app, db):
    assert "schedule:month-drafts" in scheduled_names(queue.huey, at("2027-01-01 02:30"))
    result = _run(app, "month-drafts", at("2027-01-01 02:30"))
    assert result["period"] == "2026-12" and result["teams"] == 2
    with app.app_context():
        drafts = database.session.scalars(sa.select(MonthlyAssessment).where(
            MonthlyAssessment.period == "2026-12")).all()
    assert len(drafts) == result["created"] == 6
    assert {d.status for d in drafts} == {"draft"}
    assert _run(app, "month-drafts", at("2027-01-01 02:31")) is None  # same month: once


def test_old_job_records_are_cleaned_up_and_stalled_ones_failed(app, db):
    now = at("2026-11-27 03:00")
    with app.app_context():
        s = database.session
        s.add_all([
            Job(kind="bill_run", status="done", finished_at=now - timedelta(days=31)),
            Job(kind="bill_run", status="done", finished_at=now - timedelta(days=2)),
            Job(kind="bill_run", status="running", heartbeat_at=now - timedelta(hours=1)),
        ])
        s.commit()
    result = _run(app, "clean-up-jobs", now)
    assert result["deleted"] == 1 and result["stale"] == 1
    with app.app_context():
        left = database.session.execute(sa.select(Job.status).order_by(Job.id)).scalars().all()
    assert left == ["done", "failed"]


def test_an_old_export_goes_with_its_file(app, db):
    """An export's file may hold owners' phones in full: it is deleted with its job record,
    and a newer export's file stays."""
    import json

    from jobs import exports

    now = at("2026-11-27 03:00")
    with app.app_context():
        files = {age: {"file": f"{age:032x}", "type": "csv"} for age in (31, 2)}
        for params in files.values():
            (exports.folder() / f"{params['file']}.csv").write_text("业主,电话\n")
        database.session.add_all([
            Job(kind="export", status="done", params=json.dumps(params),
                finished_at=now - timedelta(days=age)) for age, params in files.items()])
        database.session.commit()
    _run(app, "clean-up-jobs", now)
    with app.app_context():
        assert not (exports.folder() / f"{files[31]['file']}.csv").exists()
        assert (exports.folder() / f"{files[2]['file']}.csv").exists()


def test_the_admin_sees_each_scheduled_job_with_last_and_next_run(app, db, as_role):
    _run(app, "ticket-deadlines", at("2026-11-20 10:01"))
    with time_machine.travel(at("2026-11-20 10:05"), tick=False):
        page = as_role("admin").get("/admin/jobs/?lang=en").get_data(as_text=True)
    for name in schedule.SCHEDULES:
        assert f'id="schedule-{name}"' in page
    row = page.split('id="schedule-ticket-deadlines"')[1].split("</tr>")[0]
    assert "2026-11-20 10:01" in row and "2026-11-20 10:06" in row
    bill = page.split('id="schedule-monthly-bill-run"')[1].split("</tr>")[0]
    assert "2026-12-01 01:00" in bill and "never" in bill
    # in words, in the user's language: when each runs, what the last run did
    with time_machine.travel(at("2026-11-20 10:05"), tick=False):
        chinese = as_role("admin").get("/admin/jobs/?lang=zh_Hans_CN").get_data(as_text=True)
    assert "每月 1 日 01:00" in chinese.split('id="schedule-monthly-bill-run"')[1]
    row = chinese.split('id="schedule-ticket-deadlines"')[1].split("</tr>")[0]
    assert "每分钟" in row and "提醒:" in row and '"notices"' not in row
    assert as_role("steward1").get("/admin/jobs/").status_code == 200
    assert "schedule-" not in as_role("steward1").get("/admin/jobs/").get_data(as_text=True)
