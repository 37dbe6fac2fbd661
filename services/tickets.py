"""A ticket's workflow step, recorded as a ticket event (P-TKT-1…7)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models import Ticket, TicketEvent
from models.base import utcnow
from models.queries import local_date, policy_at
from rules import workflow


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
) -> workflow.Outcome:
    """Move `ticket` one step on and flush, or raise `rules.refusal.Refused` leaving it
    unchanged.

    The owner's rating is judged by the policy in force when the need came in, the same
    policy that set its deadline."""
    at = at or utcnow()
    outcome = workflow.take_step(
        ticket.status, step, at=at, rework_count=ticket.rework_count or 0,
        resolution=resolution, rating=rating, department=department,
        policy=policy_at(session, local_date(ticket.intake_at)),
    )
    before = ticket.status
    for key, value in outcome.changes.items():
        setattr(ticket, key, value)
    if step == "feedback" and note:
        ticket.feedback = note
    session.add(TicketEvent(
        ticket=ticket, at=at, actor=actor, from_status=before, to_status=outcome.status,
        note=(resolution if step == "resolve" else note) or None,
    ))
    session.flush()  # one step, one flush: the guards see each move on its own
    return outcome
