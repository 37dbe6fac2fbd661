"""The monthly bill run and waivers (P-FEE-1)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import (
    Bill,
    Building,
    FeeStandard,
    Ownership,
    Unit,
    audit,
    bill_totals,
    household_totals,
    locks,
)
from models.base import utcnow
from rules import billing, periods
from rules.refusal import N_, Refused

CHUNK = 2000  # units read and bills written per round trip


@dataclass
class BillRun:
    period: str
    created: int = 0
    existing: int = 0  # bills of the period that were already there
    without_owner: int = 0  # units billed with no primary owner on the first day
    standards: int = 0


def _insert(session: Session):
    """INSERT … ON CONFLICT DO NOTHING for the bill's unique key, in this database's words:
    a run that overlaps another one skips what the other has just written."""
    dialect = session.get_bind().dialect.name
    module = {"postgresql": postgresql, "sqlite": sqlite}.get(dialect)
    if module is None:
        raise RuntimeError(f"the bill run does not support {dialect}")
    return module.insert(Bill.__table__).on_conflict_do_nothing(
        index_elements=["unit_id", "standard_id", "period"])


def bill_run(session: Session, period: str, *, due_day: int = 25,
             actor: str | None = None) -> BillRun:
    """One bill per unit per fee standard in force in `period`: area × rate (or the fixed
    amount) rounded half-up to the fen, billed to the unit's primary owner on the month's
    first day, due on `due_day` (or the month's last day). Running it again creates nothing."""
    first, last = periods.first_day(period), periods.last_day(period)
    due = date(first.year, first.month, min(due_day, last.day))
    run = BillRun(period)
    by_project: dict[int, list] = defaultdict(list)
    for standard in session.execute(sa.select(
        FeeStandard.id, FeeStandard.name, FeeStandard.project_id, FeeStandard.basis,
        FeeStandard.rate, FeeStandard.effective_from, FeeStandard.effective_until,
    )):
        if billing.in_force(standard.effective_from, standard.effective_until, first, last):
            by_project[standard.project_id].append(standard)
            run.standards += 1
    if not by_project:
        return run
    owners = {}
    for unit_id, owner_id in session.execute(
        sa.select(Ownership.unit_id, Ownership.owner_id)
        .where(Ownership.is_primary, Ownership.since <= first,
               sa.or_(Ownership.until.is_(None), Ownership.until >= first))
        .order_by(Ownership.since, Ownership.id)
    ):
        owners[unit_id] = owner_id  # the latest primary ownership wins
    billed = {(unit_id, standard_id) for unit_id, standard_id in session.execute(
        sa.select(Bill.unit_id, Bill.standard_id).where(Bill.period == period))}
    insert, now, after, attempted = _insert(session), utcnow(), 0, 0
    while True:
        units = session.execute(
            sa.select(Unit.id, Unit.area, Building.project_id).join(Unit.building)
            .where(Unit.id > after, Building.project_id.in_(list(by_project)))
            .order_by(Unit.id).limit(CHUNK)
        ).all()
        if not units:
            break
        after = units[-1].id
        rows = []
        for unit in units:
            owner_id = owners.get(unit.id)
            for standard in by_project[unit.project_id]:
                if (unit.id, standard.id) in billed:
                    run.existing += 1
                    continue
                run.without_owner += owner_id is None
                amount = billing.monthly_amount(standard.basis, standard.rate, unit.area)
                if amount > billing.MAX_AMOUNT:
                    raise Refused(N_("Fee standard %(standard)s would bill a unit %(amount)s, "
                                     "more than a bill can hold; correct its rate."),
                                  standard=standard.name, amount=amount)
                rows.append({
                    "unit_id": unit.id, "owner_id": owner_id, "standard_id": standard.id,
                    "period": period, "due_date": due, "status": "unpaid",
                    "amount": amount,
                    "paid_amount": billing.ZERO, "created_at": now, "updated_at": now,
                    "created_by": actor, "updated_by": actor, "version": 1,
                })
        if rows:
            # Core executemany without RETURNING: on PostgreSQL about twice as fast as the
            # ORM's bulk insert with RETURNING (see the benchmark in the README)
            session.connection().execute(insert, rows)
            attempted += len(rows)
            chunk = {row["unit_id"] for row in rows}
            locks.units(session, chunk)
            household_totals.refresh(session, chunk)
    # This run's rows are the ones stamped with its own moment; the rest of what it tried
    # was written meanwhile by an overlapping run.
    run.created = session.scalar(sa.select(sa.func.count(Bill.id)).where(
        Bill.period == period, Bill.created_at == now)) if attempted else 0
    run.existing += attempted - run.created
    if run.created:
        bill_totals.add_bills(session, sa.and_(Bill.period == period, Bill.created_at == now))
        audit.record_bulk(session, "bill", {"period": period, "created": run.created})
    return run


def waive(bill: Bill) -> None:
    """Waive a bill nobody has paid anything on (read under the bill's lock: a payment being
    saved meanwhile is either seen here or waits for the waiver)."""
    locks.hold(sa.orm.object_session(bill), bill)
    billing.check_waiver(bill.paid_amount)
    bill.status = "waived"
