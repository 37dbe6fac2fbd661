"""The scheduled jobs, declared in one place with their times in the company's zone.

Huey's consumer checks its periodic tasks each minute; every consumer with a scheduler does,
so with several consumers a task may be queued more than once. Exactly one run per slot is
kept by `claim`: one conditional UPDATE of the schedule's row (`schedule_run`) in the same
transaction as the work. A second runner finds the slot taken and does nothing; a run that
fails rolls back its claim with its work, so the slot may run again.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from extensions import db
from models import ScheduleRun
from models.base import utcnow
from models.queries import company_zone
from rules.periods import period_of, previous_period
from rules.refusal import N_

from . import scheduled
from .cron import Cron
from .queue import app, huey

log = logging.getLogger(__name__)


def _month(local: datetime) -> str:
    return period_of(local.date())


def _minute(local: datetime) -> str:
    return f"{local:%Y-%m-%dT%H:%M}"


def _hour(local: datetime) -> str:
    return f"{local:%Y-%m-%dT%H}"


def _day(local: datetime) -> str:
    return local.date().isoformat()


def _bill_run(session: Session, now: datetime) -> dict:
    from dataclasses import asdict

    from services.billing import bill_run

    local = now.astimezone(ZoneInfo(company_zone()))
    return asdict(bill_run(session, period_of(local.date()), actor="schedule"))


def _month_drafts(session: Session, now: datetime) -> dict:
    from services.assessments import run_month

    from .kinds import _company_run

    local = now.astimezone(ZoneInfo(company_zone()))
    period = previous_period(period_of(local.date()))
    result = _company_run(session, lambda done, total: None,
                          lambda supervisor: run_month(session, supervisor, period, now))
    return {"period": period, **result}


def _clean_up(session: Session, now: datetime) -> dict:
    return scheduled.clean_up_jobs(session, now,
                                   int(os.environ.get("STEWARD_JOB_KEEP_DAYS", "30")))


@dataclass(frozen=True)
class Schedule:
    name: str  # also the `flask` command
    title: str  # an English message id
    cron: Cron  # company time
    slot: Callable[[datetime], str]  # the run's key from the local time: one run per slot
    body: Callable[[Session, datetime], dict]


SCHEDULES = {s.name: s for s in (
    Schedule("monthly-bill-run", N_("The month's bill run"), Cron("0", "1", "1"), _month,
             _bill_run),
    Schedule("ticket-deadlines", N_("Tickets overdue and due soon: notices"), Cron(),
             _minute, scheduled.ticket_deadlines),
    Schedule("return-visits-due", N_("Return visits coming due: notices"), Cron("0", "8"),
             _day, scheduled.return_visits_due),
    Schedule("plan-visits", N_("Regular return visits planned for every owner"),
             Cron("30", "7"), _day, scheduled.plan_visits),
    Schedule("missing-work-logs", N_("Stewards without yesterday's work log: notices"),
             Cron("0", "9"), _day, scheduled.missing_work_logs),
    Schedule("month-drafts", N_("Monthly assessment drafts for every team"),
             Cron("30", "2", "1"), _month, _month_drafts),
    Schedule("clean-up-jobs", N_("Old job records cleaned up"), Cron("0", "3"), _day,
             _clean_up),
    Schedule("purge-uploads", N_("Uploaded import files past their retention deleted"),
             Cron("15"), _hour, scheduled.purge_uploads),
    Schedule("career-moves", N_("Career moves that take effect today applied"),
             Cron("5", "0"), _day, scheduled.career_moves),
)}


def local_now(now: datetime | None = None) -> datetime:
    return (now or utcnow()).astimezone(ZoneInfo(company_zone()))


def claim(session: Session, name: str, slot: str, now: datetime) -> bool:
    """Take `slot` for this run, in the session's transaction; False when taken already."""
    if session.get(ScheduleRun, name) is None:
        try:
            with session.begin_nested():
                session.add(ScheduleRun(name=name))
        except IntegrityError:
            pass  # another runner created the row at the same moment
    taken = session.execute(sa.update(ScheduleRun).where(
        ScheduleRun.name == name,
        sa.or_(ScheduleRun.last_slot.is_(None), ScheduleRun.last_slot < slot))
        .values(last_slot=slot, last_run_at=now, runs=ScheduleRun.runs + 1))
    return bool(taken.rowcount)


def run(session: Session, schedule: Schedule, now: datetime | None = None,
        again: bool = False) -> dict | None:
    """Run `schedule` for the slot `now` falls in, once: None when that slot has run."""
    from app import command_actor

    now = (now or utcnow()).replace(second=0, microsecond=0)
    slot = schedule.slot(local_now(now))
    try:
        if again:
            session.execute(sa.update(ScheduleRun).where(ScheduleRun.name == schedule.name)
                            .values(last_slot=None))
        if not claim(session, schedule.name, slot, now):
            session.rollback()
            return None
        with command_actor(f"schedule:{schedule.name}"):
            result = {"slot": slot, **schedule.body(session, now)}
        session.execute(sa.update(ScheduleRun).where(ScheduleRun.name == schedule.name)
                        .values(last_result=json.dumps(result, ensure_ascii=False,
                                                       default=str)))
        session.commit()
        return result
    except OperationalError:
        # SQLite: another runner held the write lock past the busy timeout; it runs the slot
        session.rollback()
        log.warning("%s %s: the database was busy; left to the other runner",
                    schedule.name, slot)
        return None
    except Exception:
        session.rollback()
        log.exception("scheduled job %s failed for %s", schedule.name, slot)
        session.execute(sa.update(ScheduleRun).where(ScheduleRun.name == schedule.name)
                        .values(last_result=json.dumps({"slot": slot, "error": True})))
        session.commit()
        raise


def next_run(schedule: Schedule, now: datetime | None = None) -> datetime:
    return schedule.cron.next_after(local_now(now))


def _periodic(schedule: Schedule):
    def due(moment: datetime) -> bool:
        # Huey hands a naive UTC moment (utc=True); the schedule is in company time
        return schedule.cron.matches(local_now(moment.replace(tzinfo=UTC)))

    def task() -> None:
        with app().app_context():
            try:
                result = run(db.session, schedule)
                log.info("%s: %s", schedule.name, result or "slot already run")
            finally:
                db.session.remove()

    return huey.periodic_task(due, name=f"schedule:{schedule.name}")(task)


TASKS = {name: _periodic(schedule) for name, schedule in SCHEDULES.items()}


def register_cli(flask_app) -> None:
    """Each scheduled job is also a command: `flask ticket-deadlines [--at …] [--again]`;
    `flask schedules` lists them."""

    def command(schedule: Schedule):
        @click.option("--at", "at", default=None,
                      help="Run as if it were this company time, 'YYYY-MM-DD HH:MM'.")
        @click.option("--again", is_flag=True, help="Run even if this slot has run.")
        def run_command(at: str | None, again: bool) -> None:
            now = None
            if at:
                try:
                    now = datetime.strptime(at, "%Y-%m-%d %H:%M").replace(
                        tzinfo=ZoneInfo(company_zone())).astimezone(UTC)
                except ValueError:
                    raise click.BadParameter("write it like 2026-12-01 01:00",
                                             param_hint="--at") from None
            result = run(db.session, schedule, now, again)
            click.echo(json.dumps(result, ensure_ascii=False, default=str) if result
                       else f"{schedule.name}: this slot has run already (--again to rerun)")

        run_command.__doc__ = f"Scheduled job: {schedule.title} ({schedule.cron}, company time)."
        return flask_app.cli.command(schedule.name)(run_command)

    for schedule in SCHEDULES.values():
        command(schedule)

    @flask_app.cli.command("schedules")
    def list_schedules() -> None:
        """The scheduled jobs: when each last ran, and when it runs next."""
        for schedule in SCHEDULES.values():
            row = db.session.get(ScheduleRun, schedule.name)
            last = row.last_run_at.astimezone(ZoneInfo(company_zone())) if (
                row and row.last_run_at) else None
            click.echo(f"{schedule.name:20} {schedule.cron!s:14} "
                       f"last: {f'{last:%Y-%m-%d %H:%M}' if last else 'never':16} "
                       f"next: {next_run(schedule):%Y-%m-%d %H:%M}")

