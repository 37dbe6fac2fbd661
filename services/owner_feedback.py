"""What an owner does on their own page (no account): rate a resolved request (P-TKT-5,
P-OWN-3) and opt out of, or back into, non-essential notices (P-COM-1). Each change is
recorded as the owner's: the ticket event's actor and the audit trail name the owner, the
audit trail's source is "owner's page"."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.orm import Session

from models import Owner, Ticket, audit
from models.tracking import cli_actor
from rules import owner_feedback, workflow
from rules.refusal import N_, Refused

from . import owner_links
from .tickets import take_step

ACTOR_PREFIX = "owner:"


def owner_actor(owner: Owner | None) -> str:
    """How the owner is named as an actor: "owner:<id>" (shown as 业主 #id)."""
    return f"{ACTOR_PREFIX}{owner.id}" if owner is not None else ACTOR_PREFIX.rstrip(":")


@contextmanager
def acting_as_owner(owner: Owner | None):
    """Changes made inside are stamped and audited as the owner's, in one change set."""
    tokens = cli_actor.set(owner_actor(owner)), audit.batch.set((str(uuid.uuid4()), "owner"))
    try:
        yield
    finally:
        audit.batch.reset(tokens[1])
        cli_actor.reset(tokens[0])


def rate(session: Session, ticket: Ticket, ratings: dict[str, int | None],
         comment: str | None, *, at: datetime | None = None) -> workflow.Outcome:
    """The owner's rating of a resolved ticket: its feedback step, from the owner. A poor
    rating reopens it with a rework (P-TKT-6); the link used is spent either way. Flushes,
    or raises Refused leaving the caller to roll back."""
    if ticket.status != "resolved":
        raise Refused(N_("This request is not waiting for your rating."))
    rating = owner_feedback.combined_rating(ratings)
    comment = owner_feedback.clean_comment(comment)
    with acting_as_owner(ticket.owner):
        ticket.rating_attitude = ratings["attitude"]
        ticket.rating_efficiency = ratings["efficiency"]
        ticket.rating_solving = ratings["solving"]
        owner_links.used_for_rating(ticket)
        return take_step(session, ticket, "feedback", actor=owner_actor(ticket.owner), at=at,
                         rating=rating, note=comment, source="owner")


def set_notices(session: Session, owner: Owner, *, opt_out: bool) -> bool:
    """The owner's consent to non-essential notices; True when it changed. Audited as the
    owner's own change, so the owner record's history is the consent's history."""
    if bool(owner.notices_opt_out) == opt_out:
        return False
    with acting_as_owner(owner):
        owner.notices_opt_out = opt_out
        session.flush()
    return True
