"""Planning return visits (P-OWN-3): the follow-up when a ticket closes, and the regular
visit the daily schedule plans for every owner without one (rules/visits.py)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Owner, Ownership, ReturnVisit, Ticket, Unit
from models.base import utcnow
from models.queries import company_zone, local_date, policy_at
from rules import visits as rules

from . import notices


def planned_moment(day: date) -> datetime:
    """A visit planned for `day`: that morning, company time."""
    return datetime.combine(day, time(rules.PLANNED_HOUR), ZoneInfo(company_zone()))


def plan_follow_up(session: Session, ticket: Ticket, closed_at: datetime) -> ReturnVisit | None:
    """The visit after a closed ticket, by its steward, on the owner's preferred channel."""
    if ticket.owner_id is None:
        return None
    day = local_date(closed_at)
    owner = ticket.owner or session.get(Owner, ticket.owner_id)
    visit = ReturnVisit(
        owner_id=ticket.owner_id, unit_id=ticket.unit_id, ticket=ticket,
        steward_id=ticket.steward_id, channel=owner.preferred_channel,
        planned_on=planned_moment(rules.follow_up_day(day, policy_at(session, day))))
    session.add(visit)
    notices.quietly(session, visit)
    return visit


def plan_regular(session: Session, now: datetime) -> dict:
    """A planned visit for every current owner of a unit with a steward who has none open:
    one interval after the last visit made to them at that unit (rules/visits.py)."""
    today = local_date(now)
    policy = policy_at(session, today)
    open_plan = sa.exists().where(
        ReturnVisit.owner_id == Ownership.owner_id, ReturnVisit.unit_id == Ownership.unit_id,
        ReturnVisit.visited_at.is_(None), ReturnVisit.planned_on.is_not(None))
    last = (sa.select(sa.func.max(ReturnVisit.visited_at))
            .where(ReturnVisit.owner_id == Ownership.owner_id,
                   ReturnVisit.unit_id == Ownership.unit_id)
            .scalar_subquery())
    rows = session.execute(
        sa.select(Ownership.owner_id, Ownership.unit_id, Unit.steward_id,
                  Owner.preferred_channel, last)
        .join(Unit, Unit.id == Ownership.unit_id).join(Owner, Owner.id == Ownership.owner_id)
        .where(Unit.steward_id.is_not(None), Ownership.since <= today,
               # an ownership ends on its `until` day (services/procedures.py)
               sa.or_(Ownership.until.is_(None), Ownership.until > today), ~open_plan)
        .order_by(Ownership.unit_id, Ownership.owner_id)).all()
    for owner_id, unit_id, steward_id, channel, last_visit in rows:
        day = rules.next_regular_day(local_date(last_visit) if last_visit else None, today,
                                     unit_id, policy)
        visit = ReturnVisit(owner_id=owner_id, unit_id=unit_id, steward_id=steward_id,
                            channel=channel, planned_on=planned_moment(day))
        session.add(visit)
        notices.quietly(session, visit)
    session.flush()
    return {"planned": len(rows)}


def drop_plans(session: Session, owner_id: int | None, unit_id: int) -> int:
    """An owner who has left the unit (a move-out) is not visited there any more: the visits
    planned and not made are deleted (the audit trail keeps them)."""
    planned = session.scalars(sa.select(ReturnVisit).where(
        ReturnVisit.owner_id == owner_id, ReturnVisit.unit_id == unit_id,
        ReturnVisit.visited_at.is_(None))).all()
    for visit in planned:
        session.delete(visit)
    return len(planned)


def record(session: Session, visit: ReturnVisit, entered: dict) -> None:
    """The visit as made: when, how, the survey (its satisfaction is the guard's: the lowest
    dimension, models/service_guards.py), the owner's opinions and needs."""
    rules.check_visited_at(entered["visited_at"], utcnow())
    visit.visited_at = entered["visited_at"]
    visit.channel = entered["channel"]
    for key in ("rating_attitude", "rating_efficiency", "rating_solving"):
        value = entered.get(key)
        setattr(visit, key, int(value) if value else None)
    visit.opinions = (entered.get("opinions") or "").strip() or None
    visit.needs = (entered.get("needs") or "").strip() or None
    visit.referred_to = entered.get("referred_to") or None
    session.flush()


def ticket_from_needs(session: Session, visit: ReturnVisit, actor: str | None,
                      at: datetime | None = None) -> Ticket:
    """The needs the owner raised on the visit as a new ticket of the visit's steward, taken
    in by visit (P-TKT-1); once per visit."""
    rules.check_needs_ticket(visit.needs, visit.needs_ticket_id is not None)
    owner = visit.owner
    at = at or utcnow()
    ticket = Ticket(  # numbered at flush, in the month's series (models/numbering.py)
        channel="visit", owner_id=visit.owner_id,
        unit_id=visit.unit_id, contact_name=owner.name, contact_phone=owner.phone or "-",
        category="other", description=visit.needs, steward_id=visit.steward_id,
        intake_at=at)
    session.add(ticket)
    session.flush()
    visit.needs_ticket_id = ticket.id
    session.flush()
    return ticket
