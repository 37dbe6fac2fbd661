"""A ticket's workflow step, and a correction of its intake, each recorded as a ticket event
(P-TKT-1…7)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models import Ticket, TicketEvent
from models.base import utcnow
from models.guards import intake_correction
from models.queries import local_date, policy_at
from rules import corrections, workflow
from rules.refusal import N_, Refused

from . import dispatch as dispatching
from . import visits


def take_step(
    session: Session,
    ticket: Ticket,
    step: str,
    *,
    actor: str | None,
    at: datetime | None = None,
    resolution: str | None = None,
    rating: int | None = None,
    department: str | None = None,
    note: str | None = None,
    source: str = "steward",
) -> workflow.Outcome:
    """Move `ticket` one step on and flush, or raise `rules.refusal.Refused` leaving it
    unchanged.

    The owner's rating is judged by the policy in force when the need came in, the same
    policy that set its deadline. `source` says who gave it: the steward recording it, or
    the owner on their own page (services/owner_page.py)."""
    at = at or utcnow()
    outcome = workflow.take_step(
        ticket.status, step, at=at, rework_count=ticket.rework_count or 0,
        resolution=resolution, rating=rating, department=department,
        policy=policy_at(session, local_date(ticket.intake_at)),
    )
    if step == "resolve":
        dispatching.check_resolvable(ticket)
    before = ticket.status
    for key, value in outcome.changes.items():
        setattr(ticket, key, value)
    if step == "feedback":
        ticket.feedback_source = source
        if source != "owner":  # the three dimensions are the owner's own rating only
            ticket.rating_attitude = ticket.rating_efficiency = ticket.rating_solving = None
        if note:
            ticket.feedback = note
    session.add(TicketEvent(
        ticket=ticket, at=at, actor=actor, from_status=before, to_status=outcome.status,
        note=(resolution if step == "resolve" else note) or None,
    ))
    if step == "start" and department:
        dispatching.dispatch(session, ticket, department, actor=actor, at=at)
    if step == "close":
        visits.plan_follow_up(session, ticket, at)
    session.flush()  # one step, one flush: the guards see each move on its own
    return outcome


def correct_intake(
    session: Session,
    ticket: Ticket,
    *,
    intake_at: datetime,
    urgent: bool,
    important: bool,
    reason: str,
    actor: str | None,
    role: str | None,
) -> None:
    """A supervisor's correction of an accepted ticket's intake time, urgency or importance,
    with the reason, recorded as a ticket event; the deadline follows. Flushes, or raises
    `rules.refusal.Refused` (rules/corrections.py) leaving nothing changed."""
    correction = corrections.Correction(role, (reason or "").strip())
    if (ticket.intake_at, bool(ticket.urgent), bool(ticket.important)) == (
            intake_at, urgent, important):
        raise Refused(N_("Nothing to correct: the intake is already as entered."))
    ticket.intake_at, ticket.urgent, ticket.important = intake_at, urgent, important
    session.add(TicketEvent(
        ticket=ticket, at=utcnow(), actor=actor, from_status=ticket.status,
        to_status=ticket.status, note=correction.reason or None,
    ))
    with intake_correction(session, ticket, correction):
        session.flush()
