"""What must hold of the data whatever happened to it (forms, races, imports, a fuzzer):
checked after the fuzz harness and the race tests.

- every bill's paid amount is the sum of its payments, and its status follows (P-FEE-1);
- no bill is paid more than its amount, and a waived bill has no payments;
- every ticket's status is the state its last transition led to (P-TKT-1);
- every unit's open steward stretch is its steward's, and there is at most one (P-KPI-2);
- no unit has two primary owners on the same day (P-OWN-1);
- every record's current version has its audit entry (bills the bill run wrote at version
  1 are covered by the run's bulk entry);
- the running totals beside the bills, per group and per household, equal the bills'
  sums (models/bill_totals.py, models/household_totals.py).
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from rules import billing

from . import bill_totals, household_totals
from .base import Entity
from .fees import Bill, Payment
from .platform import AuditEntry
from .property import Ownership, Unit, UnitAssignment
from .tickets import Ticket, TicketEvent

EXAMPLES = 5


def broken(session: Session) -> list[str]:
    """One line per broken invariant (with up to EXAMPLES example rows); empty when whole."""
    return [*_bills(session), *_tickets(session), *_assignments(session),
            *_primary_owners(session), *_audit(session),
            *bill_totals.mismatches(session)[:EXAMPLES],
            *household_totals.mismatches(session)[:EXAMPLES]]


def _bills(session: Session) -> list[str]:
    paid = (sa.select(Payment.bill_id, sa.func.sum(Payment.amount).label("total"),
                      sa.func.count(Payment.id).label("n"))
            .group_by(Payment.bill_id).subquery())
    rows = session.execute(
        sa.select(Bill.id, Bill.amount, Bill.paid_amount, Bill.status,
                  sa.func.coalesce(paid.c.total, 0), sa.func.coalesce(paid.c.n, 0))
        .outerjoin(paid, paid.c.bill_id == Bill.id))
    wrong_sum, wrong_status, overpaid, waived_paid = [], [], [], []
    for bill_id, amount, paid_amount, status, total, count in rows:
        total = Decimal(total).quantize(billing.FEN)
        if paid_amount != total:
            wrong_sum.append(f"#{bill_id} {paid_amount} ≠ {total}")
        if paid_amount > amount:
            overpaid.append(f"#{bill_id} {paid_amount} > {amount}")
        if status == "waived" and count:
            waived_paid.append(f"#{bill_id}")
        expected = billing.bill_status(amount, paid_amount, status == "waived")
        if status != expected:
            wrong_status.append(f"#{bill_id} {status} ≠ {expected}")
    return [f"{what}: {len(found)} ({', '.join(found[:EXAMPLES])})" for what, found in (
        ("bill paid amount is not the sum of its payments", wrong_sum),
        ("bill status does not follow from its payments", wrong_status),
        ("bill paid more than its amount", overpaid),
        ("waived bill with payments", waived_paid)) if found]


def _tickets(session: Session) -> list[str]:
    last = (sa.select(TicketEvent.ticket_id, sa.func.max(TicketEvent.id).label("id"))
            .where(TicketEvent.to_status.is_not(None)).group_by(TicketEvent.ticket_id)
            .subquery())
    rows = session.execute(
        sa.select(Ticket.id, Ticket.status, TicketEvent.to_status)
        .outerjoin(last, last.c.ticket_id == Ticket.id)
        .outerjoin(TicketEvent, TicketEvent.id == last.c.id))
    wrong = [f"#{tid} {status} ≠ {to or 'new'}" for tid, status, to in rows
             if status != (to or "new")]
    return [f"ticket status is not its last event's: {len(wrong)} "
            f"({', '.join(wrong[:EXAMPLES])})"] if wrong else []


def _assignments(session: Session) -> list[str]:
    open_rows = (sa.select(UnitAssignment.unit_id, sa.func.count().label("n"),
                           sa.func.max(UnitAssignment.steward_id).label("steward_id"))
                 .where(UnitAssignment.end_on.is_(None)).group_by(UnitAssignment.unit_id)
                 .subquery())
    rows = session.execute(
        sa.select(Unit.id, Unit.steward_id, open_rows.c.n, open_rows.c.steward_id)
        .outerjoin(open_rows, open_rows.c.unit_id == Unit.id)
        .where(sa.or_(open_rows.c.n > 1,
                      sa.func.coalesce(open_rows.c.steward_id, 0)
                      != sa.func.coalesce(Unit.steward_id, 0)))
        .order_by(Unit.id).limit(EXAMPLES)).all()
    found = [f"#{unit} {steward} ≠ {held} ({n or 0} open)" for unit, steward, n, held in rows]
    return [f"unit steward history does not end in its steward: {', '.join(found)}"
            ] if found else []


def _primary_owners(session: Session) -> list[str]:
    first, second = sa.orm.aliased(Ownership), sa.orm.aliased(Ownership)

    def lasts(row) -> sa.ColumnElement:  # not an empty stretch (ended the day it began)
        return sa.or_(row.until.is_(None), row.until > row.since)

    rows = session.execute(
        sa.select(first.unit_id, first.id, second.id)
        .join(second, sa.and_(second.unit_id == first.unit_id, second.id > first.id))
        .where(first.is_primary, second.is_primary, lasts(first), lasts(second),
               sa.or_(second.until.is_(None), first.since < second.until),
               sa.or_(first.until.is_(None), second.since < first.until))
        .order_by(first.unit_id).limit(EXAMPLES)).all()
    found = [f"unit #{unit} (#{a}, #{b})" for unit, a, b in rows]
    return [f"two primary owners at once: {', '.join(found)}"] if found else []


def _audit(session: Session) -> list[str]:
    found = []
    bulk_bills = session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(
        AuditEntry.entity == "bill", AuditEntry.action == "bulk"))
    for mapper in Entity.registry.mappers:
        model = mapper.class_
        if not issubclass(model, Entity):
            continue
        entry = sa.select(AuditEntry.id).where(
            AuditEntry.entity == model.__tablename__, AuditEntry.entity_id == model.id,
            AuditEntry.entity_version == model.version)
        query = sa.select(model.id).where(~entry.exists())
        if model is Bill and bulk_bills:
            query = query.where(Bill.version > 1)
        missing = session.scalars(query.order_by(model.id).limit(EXAMPLES + 1)).all()
        if missing:
            total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
            found.append(f"{model.__tablename__}: {total} without an audit entry for their "
                         f"version (#{', #'.join(map(str, missing[:EXAMPLES]))})")
    return found
