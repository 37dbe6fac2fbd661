"""What the scheduled checks do: in-app notices for ticket deadlines, return visits coming
due and missing work logs; cleaning up old job records. Each works in the session given and
returns a summary; the schedule's runner commits (jobs/schedule.py)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from models import Job, Notice, ReturnVisit, Staff, Ticket, WorkLog
from models.queries import company_zone, local_date, policy_at
from rules import reminders, workflow
from rules.periods import day_window
from rules.refusal import N_

MESSAGES = {
    "ticket_overdue": N_("Ticket %(code)s is past its deadline."),
    "ticket_due_soon": N_("Ticket %(code)s is due soon."),
    "return_visit_due": N_("A return visit to %(owner)s is due."),
    "work_log_missing": N_("%(name)s has no work log for %(day)s."),
}


def notify(session: Session, kind: str, recipients: list[int], subject: str,
           subject_id: int, key: str = "", **params) -> int:
    """Notices to `recipients` not already sent for this (kind, record, key)."""
    sent = set(session.scalars(sa.select(Notice.staff_id).where(
        Notice.kind == kind, Notice.subject == subject, Notice.subject_id == subject_id,
        Notice.key == key)))
    new = [staff_id for staff_id in recipients if staff_id not in sent]
    for staff_id in new:
        session.add(Notice(kind=kind, staff_id=staff_id, subject=subject,
                           subject_id=subject_id, key=key, message=MESSAGES[kind],
                           params=json.dumps(params, ensure_ascii=False)))
    return len(new)


def ticket_deadlines(session: Session, now: datetime) -> dict:
    """Open tickets past or near their deadline (P-TKT-7): a notice to the steward and the
    supervisor, once per ticket and state."""
    policy = policy_at(session, local_date(now))
    steward = aliased(Staff)
    found = {"overdue": 0, "due_soon": 0, "notices": 0}
    for ticket in session.execute(
        sa.select(Ticket.id, Ticket.code, Ticket.status, Ticket.due_at, Ticket.steward_id,
                  steward.supervisor_id)
        .outerjoin(steward, steward.id == Ticket.steward_id)
        .where(Ticket.status.in_(workflow.OPEN_STATES), Ticket.due_at.is_not(None),
               Ticket.due_at <= now + timedelta(hours=policy.due_soon_hours))
    ):
        state = workflow.deadline_state(ticket.status, ticket.due_at, now, policy)
        if state is None:
            continue
        found[state] += 1
        found["notices"] += notify(
            session, f"ticket_{state}",
            reminders.deadline_recipients(ticket.steward_id, ticket.supervisor_id),
            "ticket", ticket.id, code=ticket.code)
    return found


def return_visits_due(session: Session, now: datetime) -> dict:
    """Return visits planned up to today and not made (P-OWN-3): a notice to the steward,
    once a day."""
    today = local_date(now)
    _, end = day_window(today, today, company_zone())
    found = {"due": 0, "notices": 0}
    for visit in session.scalars(sa.select(ReturnVisit).where(
            ReturnVisit.visited_at.is_(None), ReturnVisit.planned_on.is_not(None),
            ReturnVisit.planned_on < end, ReturnVisit.steward_id.is_not(None))):
        if reminders.visit_due(local_date(visit.planned_on), False, today):
            found["due"] += 1
            found["notices"] += notify(session, "return_visit_due", [visit.steward_id],
                                       "return_visit", visit.id, today.isoformat(),
                                       owner=str(visit.owner))
    return found


def missing_work_logs(session: Session, now: datetime) -> dict:
    """On-duty stewards without the last working day's log (P-LOG-1, "yesterday's"; on a
    Monday or a weekend the Friday's): a notice to them and their supervisor, once."""
    yesterday = reminders.last_working_day_before(local_date(now))
    logged = set(session.scalars(sa.select(WorkLog.steward_id).where(WorkLog.day == yesterday)))
    found = {"day": yesterday.isoformat(), "missing": 0, "notices": 0}
    for person in session.scalars(sa.select(Staff).where(Staff.position == "steward")
                                  .order_by(Staff.id)):
        if person.id in logged or not reminders.work_log_expected(
                person.position, person.status, person.hire_date, yesterday):
            continue
        found["missing"] += 1
        found["notices"] += notify(
            session, "work_log_missing",
            reminders.deadline_recipients(person.id, person.supervisor_id), "staff",
            person.id, yesterday.isoformat(), name=person.name, day=yesterday.isoformat())
    return found


def career_moves(session: Session, now: datetime) -> dict:
    """Career moves whose effective date has come are applied to the staff records; a
    steward's that still has work outstanding waits for the handover (services/careers.py)."""
    from services.careers import apply_due

    return apply_due(session, now)


def plan_visits(session: Session, now: datetime) -> dict:
    """Every current owner of a unit with a steward gets a planned regular visit when they
    have none (P-OWN-3; rules/visits.py)."""
    from services.visits import plan_regular

    return plan_regular(session, now)


def clean_up_jobs(session: Session, now: datetime, keep_days: int) -> dict:
    """Finished job records older than `keep_days` go, and the files of exports among them;
    running ones whose worker stopped are marked failed."""
    from . import exports
    from .runner import settle

    stale = 0
    for job in session.scalars(sa.select(Job).where(Job.status == "running")).all():
        stale += settle(session, job, now, commit=False).status == "failed"
    old = sa.and_(Job.status.in_(("done", "failed")),
                  Job.finished_at < now - timedelta(days=keep_days))
    for params in session.scalars(sa.select(Job.params).where(old, Job.kind == "export")):
        exports.discard(json.loads(params))
    deleted = session.execute(sa.delete(Job).where(old)).rowcount
    return {"deleted": deleted, "stale": stale}


def purge_uploads(session: Session, now: datetime) -> dict:
    """Uploaded import files past their retention are deleted (services/uploads.py), and the
    checks of files that are gone forget their rows (owners' names and phones)."""
    from services import uploads

    from .kinds import forget_rows

    deleted = uploads.purge_expired_uploads(now)
    forgotten = 0
    for job in session.scalars(sa.select(Job).where(Job.kind == "import_check")).all():
        token = json.loads(job.params or "{}").get("token", "")
        if uploads.TOKEN.match(token) and not (uploads.folder() / token).exists():
            before = job.result
            forget_rows(session, token)
            forgotten += job.result != before
    return {"deleted": deleted, "forgotten": forgotten}
