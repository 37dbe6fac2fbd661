"""Running totals per household (a unit and the owner billed, P-FEE-2): its unpaid bills,
what they still owe and the oldest one's due date, beside the unit's building, room sort key
and steward — so the whole company's arrears page lists its 50 households longest overdue
from one index (models/arrears.py) instead of grouping a million overdue bills (issue 16).

Unlike the sums of models/bill_totals.py, an oldest due date cannot be kept by adding
differences, so a household's row is recomputed from its bills. Two transactions paying
bills of one household at once must not each write what they saw alone, so the household's
unit is locked first (the flush's survey in models/flush_survey.py, `locks.units`) and the
bills read after, which on PostgreSQL's READ COMMITTED sees what the other committed while
it waited.
- After a flush that creates, changes or deletes bills or payments, or moves a unit to
  another building, room number or steward, the households of those units are recomputed
  (the units the survey found, no query of their own).
- The bill run recomputes the households of each chunk of units it billed (`refresh`).
(A building given to another project changes no row: the arrears page finds a project's
households through their buildings.)
`rebuild` recomputes every row; `models.invariants` checks them against the bills.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import flush_survey
from .base import Base, changed
from .bill_totals import OPEN, ZERO, as_key
from .fees import Bill
from .flush_survey import surveyed
from .property import Unit


class HouseholdTotal(Base):
    """One household's unpaid bills summed. Derived data: no version, no audit."""

    __tablename__ = "household_total"
    __table_args__ = (
        sa.UniqueConstraint("unit_id", "owner_key"),
        # the arrears page's order: longest overdue first, then building and room
        sa.Index("ix_household_total_arrears_order", "oldest_open", "building_id",
                 "number_key", "unit_id", "owner_key"),
        sa.Index("ix_household_total_steward_key", "steward_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    owner_key: Mapped[int]
    building_id: Mapped[int]
    number_key: Mapped[str] = mapped_column(sa.String(100))
    steward_key: Mapped[int]
    open_bills: Mapped[int] = mapped_column(default=0)
    owed: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=ZERO)
    oldest_open: Mapped[date | None]


def _sums(units: sa.ColumnElement[bool]) -> sa.Select:
    """(unit, owner key, open bills, owed, oldest open due date) of the units chosen, one
    row per household with a bill unpaid (their unpaid bills, from the partial index
    `ix_bill_outstanding`)."""
    owner = as_key(Bill.owner_id)
    return (sa.select(Bill.unit_id, owner.label("owner_key"),
                      sa.func.count(Bill.id).label("open_bills"),
                      sa.func.sum(Bill.amount - Bill.paid_amount).label("owed"),
                      sa.func.min(Bill.due_date).label("oldest_open"))
            .where(units, Bill.status.in_(OPEN)).group_by(Bill.unit_id, owner))


def _placed(sums: sa.Subquery) -> sa.Select:
    """The sums beside their unit's building, room key and steward."""
    return (sa.select(sums.c.unit_id, sums.c.owner_key, Unit.building_id, Unit.number_key,
                      as_key(Unit.steward_id), sums.c.open_bills,
                      sums.c.owed, sums.c.oldest_open)
            .join(Unit, Unit.id == sums.c.unit_id))


COLUMNS = ["unit_id", "owner_key", "building_id", "number_key", "steward_key", "open_bills",
           "owed", "oldest_open"]


def refresh(session: Session, units: Collection[int]) -> None:
    """Recompute every household of these units from their bills. The caller holds the
    units' rows (`locks.units`: the flush's survey, the bill run per chunk), so a second
    transaction refreshing a unit waited for the first and reads the bills it committed;
    SQLite lets one writer in at a time anyway."""
    units = sorted(set(units))
    if units:
        _recompute(session.connection(), HouseholdTotal.unit_id.in_(units),
                   Bill.unit_id.in_(units))


def rebuild(connection: sa.Connection) -> int:
    """Every household recomputed from the bills; returns how many there are."""
    _recompute(connection, sa.true(), sa.true())
    return connection.scalar(sa.select(sa.func.count()).select_from(HouseholdTotal))


def _recompute(connection: sa.Connection, rows: sa.ColumnElement[bool],
               bills: sa.ColumnElement[bool]) -> None:
    """Replace the `rows` chosen with their households recomputed from the `bills` chosen."""
    table = HouseholdTotal.__table__
    connection.execute(sa.delete(table).where(rows))
    connection.execute(sa.insert(table).from_select(COLUMNS,
                                                    _placed(_sums(bills).subquery())))


def mismatches(session: Session) -> list[str]:
    """Households whose row differs from their bills' recomputation, described."""
    table = HouseholdTotal.__table__
    kept = {(r.unit_id, r.owner_key): tuple(r) for r in session.execute(
        sa.select(*(table.c[name] for name in COLUMNS)))}
    counted = {(r[0], r[1]): tuple(r) for r in session.execute(
        _placed(_sums(sa.true()).subquery()))}
    found = []
    for key in sorted(set(kept) | set(counted)):
        have, want = kept.get(key), counted.get(key)
        if have is None or want is None or _plain(have) != _plain(want):
            found.append(f"household total of unit {key[0]}, owner {key[1]}: kept {have}, "
                         f"the bills give {want}")
    return found


def _plain(row: tuple) -> tuple:
    return tuple(Decimal(v) if isinstance(v, (int, float, Decimal)) else v for v in row)


# ---- kept at flush ------------------------------------------------------------------------------
def _after_flush(session: Session, flush_context) -> None:
    """Recompute the households of the units the flush's survey found (a changed or deleted
    bill's unit before the flush, a payment's bill's unit, a moved unit), of the new and
    changed bills' units now, and of units given another room number."""
    units = set(surveyed(session)[0])
    units.update(bill.unit_id for bill in (*session.new, *session.dirty)
                 if isinstance(bill, Bill) and (bill in session.new
                                                or session.is_modified(bill)))
    units.update(unit.id for unit in session.dirty if isinstance(unit, Unit) and unit.id
                 and changed(unit, "number"))
    refresh(session, units)


def init_app(app) -> None:
    flush_survey.init_app(app)
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
