"""Which changes notify an owner, decided in one place at every flush — so a form, an
inline edit, a list action, a service, a command or an import all notify alike — and the
community event announcement (an action).

Before a flush, the pending changes are read: a new ticket (received), a ticket's step
(dispatched, resolved, reopened after a poor rating, closed), a ticket note marked "tell the
owner" (progress), a return visit planned, an arrears reminder logged. After the flush (ids
assigned), one outbox row per owner is added to the same session, so it commits — or rolls
back — with the change that caused it.
"""

from __future__ import annotations

import weakref

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import Session

from models import (
    ArrearsReminder,
    Bill,
    Building,
    CommunityEvent,
    OutboxMessage,
    Owner,
    Ownership,
    ReturnVisit,
    Ticket,
    TicketEvent,
    Unit,
)
from models.base import changed, utcnow
from models.queries import company_today
from models.tickets import HANDLING_DEPARTMENT, TICKET_CATEGORY
from rules import notices as notice_rules

from . import outbox

PENDING = "notices_pending"
OFF = "notices_off"  # session.info flag: this session writes no messages (the demo's past)
# session.info key: records written without a message of their own — the return visits the
# schedule plans (services/visits.py) are the steward's plan, not an appointment the owner
# made; the steward arranges the time and the owner hears of it then.
QUIET = "notices_quiet"


def quietly(session: Session, record) -> None:
    """Write `record` without the message its creation would send."""
    session.info.setdefault(QUIET, weakref.WeakSet()).add(record)
LOCALE = "zh_Hans_CN"  # owners read Chinese


def _moment(value) -> str:
    """A time in a message, as the screens show it: the company's clock."""
    from admin_views.formats import moment

    return moment(value)


def _ticket_step(event: TicketEvent) -> str | None:
    before, after = event.from_status, event.to_status
    if after and before != after:
        if (before, after) == ("resolved", "in_progress"):
            return "ticket_reopened"
        if (before, after) == ("accepted", "in_progress"):
            return "ticket_dispatched"
        return {"resolved": "ticket_resolved", "closed": "ticket_closed"}.get(after)
    if event.shared_with_owner and (event.note or "").strip():
        return "ticket_progress"
    return None


def _before_flush(session: Session, flush_context, instances) -> None:
    pending = []
    if not session.info.get(OFF):
        for obj in session.new:
            if isinstance(obj, Ticket):
                pending.append(("ticket_received", obj))
            elif isinstance(obj, TicketEvent) and (kind := _ticket_step(obj)):
                pending.append((kind, obj))
            elif (isinstance(obj, ReturnVisit) and obj.planned_on and not obj.visited_at
                    and obj not in session.info.get(QUIET, ())):
                pending.append(("visit_planned", obj))
            elif isinstance(obj, ArrearsReminder):
                pending.append(("arrears_reminder", obj))
        for obj in session.dirty:
            if (isinstance(obj, ReturnVisit) and obj.planned_on and not obj.visited_at
                    and changed(obj, "planned_on")):
                pending.append(("visit_planned", obj))
    session.info[PENDING] = pending


def _after_flush_postexec(session: Session, flush_context) -> None:
    pending = session.info.pop(PENDING, [])
    if not pending:
        return
    with session.no_autoflush, force_locale(LOCALE):
        for kind, obj in pending:
            WRITERS[kind](session, kind, obj)


# ---- one writer per kind of change ------------------------------------------------------
def owner_link(session: Session, ticket: Ticket) -> str:
    """The owner's link to `ticket` (its first nonce written beside the record)."""
    from services.owner_links import link_for

    try:
        return link_for(ticket)
    except RuntimeError:  # outside an app: no address to link to
        return ""


def _ticket_message(session: Session, kind: str, ticket: Ticket, **variables) -> None:
    owner = ticket.owner or (session.get(Owner, ticket.owner_id) if ticket.owner_id else None)
    if owner is None:
        return  # a walk-in without an owner record: nobody to write to
    link = owner_link(session, ticket)
    outbox.write(session, kind, owner, {"code": ticket.code, "link": link, **variables},
                 ticket=ticket, urgent=bool(ticket.urgent))


def _received(session: Session, kind: str, ticket: Ticket) -> None:
    _ticket_message(session, kind, ticket, deadline=_moment(ticket.due_at),
                    category=str(TICKET_CATEGORY.label(ticket.category)))


def _step(session: Session, kind: str, event: TicketEvent) -> None:
    ticket = event.ticket or session.get(Ticket, event.ticket_id)
    if kind == "ticket_dispatched" and not ticket.department:
        return  # solved on the spot: the next message is "resolved"
    extra = {
        "ticket_dispatched": {"department": str(HANDLING_DEPARTMENT.label(ticket.department))},
        "ticket_progress": {"note": notice_rules.clause(event.note)},
    }.get(kind, {})  # never the resolution: it is the staff's record, not the owner's
    _ticket_message(session, kind, ticket, **extra)


def _visit(session: Session, kind: str, visit: ReturnVisit) -> None:
    owner = visit.owner or session.get(Owner, visit.owner_id)
    steward = visit.steward.name if visit.steward else ""
    outbox.write(session, kind, owner, {"time": _moment(visit.planned_on), "steward": steward},
                 about=("return_visit", visit.id))


def _arrears(session: Session, kind: str, reminder: ArrearsReminder) -> None:
    """The owner of the reminded bill: everything they owe that is past due, and how to
    pay (P-FEE-2)."""
    bill = reminder.bill or session.get(Bill, reminder.bill_id)
    if bill.owner_id is None:
        return
    owner = bill.owner or session.get(Owner, bill.owner_id)
    owed = list(session.scalars(sa.select(Bill).where(
        Bill.owner_id == owner.id, Bill.status.in_(("unpaid", "partly_paid")),
        Bill.due_date < company_today()).order_by(Bill.period)))
    if bill not in owed:
        owed.append(bill)
    from admin_views.formats import money

    left = {b.id: b.amount - (b.paid_amount or 0) for b in owed}
    bills = "；".join(f"{b.period} {b.unit} {money(left[b.id])}" for b in owed)
    amount = sum(left.values())
    outbox.write(session, kind, owner, {"amount": money(amount),
                                        "bills": bills}, about=("arrears_reminder", reminder.id))


WRITERS = {
    "ticket_received": _received,
    "ticket_dispatched": _step,
    "ticket_progress": _step,
    "ticket_resolved": _step,
    "ticket_reopened": _step,
    "ticket_closed": _step,
    "visit_planned": _visit,
    "arrears_reminder": _arrears,
}


# ---- the community event announcement -----------------------------------------------------
def announce(session: Session, event: CommunityEvent) -> int:
    """A message about `event` to each current owner of a unit in its project (or only in
    its building, when the event names one), once per owner however often it is announced.
    Returns how many were written (owners who opted out get none: it is not essential)."""
    building_id = event.building_id
    today = company_today()
    query = (sa.select(Owner).join(Ownership, Ownership.owner_id == Owner.id)
             .join(Unit, Unit.id == Ownership.unit_id)
             .join(Building, Building.id == Unit.building_id)
             .where(Building.project_id == event.project_id, Ownership.since <= today,
                    sa.or_(Ownership.until.is_(None), Ownership.until >= today))
             .distinct().order_by(Owner.id))
    if building_id is not None:
        query = query.where(Building.id == building_id)
    told = set(session.scalars(sa.select(OutboxMessage.owner_id).where(
        OutboxMessage.subject_kind == "community_event", OutboxMessage.subject_id == event.id)))
    written = 0
    template = outbox.template_for(session, "community_event", None)  # once, for every owner
    with force_locale(LOCALE):
        for owner in session.scalars(query).all():
            if owner.id in told:
                continue
            written += outbox.write(session, "community_event", owner, {
                "title": event.title, "time": _moment(event.starts_at),
                "location": event.location or "", "project": event.project.name},
                about=("community_event", event.id), now=utcnow(),
                template=template) is not None
    session.flush()
    return written


def init_app(app) -> None:
    """Registered after the guards, so a new ticket's deadline is set when it is read. A
    malformed quiet-hours setting stops the app here, not in every later save."""
    try:
        notice_rules.quiet_hours(app.config.get("NOTICE_QUIET_HOURS",
                                           outbox.DEFAULTS["NOTICE_QUIET_HOURS"]))
    except ValueError as error:
        raise RuntimeError(f"STEWARD_NOTICE_QUIET_HOURS: {error}") from None
    if not sa.event.contains(Session, "before_flush", _before_flush):
        sa.event.listen(Session, "before_flush", _before_flush)
        sa.event.listen(Session, "after_flush_postexec", _after_flush_postexec)
