"""Running totals beside the bills: for each project, steward and due date, what is receivable
and collected (the collection report, P-FEE-3) and what is still owed (the arrears, P-FEE-2).

The whole company's collection report, arrears summary and dashboard read these ~25,000 rows
instead of summing 2.4 million bills (issue 16). A team's or a steward's pages still sum
their own bills, which their indexes find quickly, and so does a page filtered by building.

The totals are kept at flush by adding differences, never by recomputing a group: an
`INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x` commutes with any other transaction's,
so two payments saved at once on a steward's bills both count.
- First, on PostgreSQL, the units whose bills or place the flush changes are locked, so a
  payment and a unit's move never read each other's half-done work.
- Before a flush, what the bills it changes or deletes contribute, and the bills of a unit
  it gives to another steward or building (or of a building it gives to another project),
  is read in SQL and taken away from their groups; after the flush, what the changed and
  new bills and the moved units' bills contribute is read again and added to their groups.
- The bill run writes bills without the ORM and adds its own totals (`add_bills`).
`rebuild` recomputes everything from the bills (the migration, the scale builder, a repair);
`models.invariants` checks that the totals equal the bills' sums.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import flush_survey
from .base import Base
from .fees import Bill
from .flush_survey import surveyed
from .property import Building, Unit

NO_STEWARD = 0  # the key of none: a unit without a steward, a bill billed to nobody
OPEN = ("unpaid", "partly_paid")
ZERO = Decimal("0.00")
SUMS = ("bills", "amount", "paid", "open_bills", "owed")


class BillTotal(Base):
    """One project's, steward's and due date's bills summed. Derived data: no version, no
    audit; `steward_key` is the units' steward id, 0 for units without one."""

    __tablename__ = "bill_total"
    __table_args__ = (sa.UniqueConstraint("project_id", "steward_key", "due_date"),
                      sa.Index("ix_bill_total_due_date", "due_date"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"))
    steward_key: Mapped[int]
    due_date: Mapped[date]
    bills: Mapped[int] = mapped_column(default=0)  # not waived: receivable
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=ZERO)
    paid: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=ZERO)
    open_bills: Mapped[int] = mapped_column(default=0)  # unpaid or partly paid
    owed: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=ZERO)


def as_key(column) -> sa.ColumnElement[int]:
    """An id (a steward's, an owner's) as a totals key: 0 for none (a literal, so that
    PostgreSQL sees the same expression in the SELECT and the GROUP BY)."""
    return sa.func.coalesce(column, sa.literal_column(str(NO_STEWARD)))


def steward_id() -> sa.ColumnElement[int]:
    """A total's steward key back as a steward id: NULL for none."""
    return sa.func.nullif(BillTotal.steward_key, sa.literal_column(str(NO_STEWARD)))


# ---- what bills contribute -----------------------------------------------------------------
KEY = ["project_id", "steward_key", "due_date"]


def _sums_sql(sign: int = 1):
    """The five sums of a set of bills, as SQL aggregates over Bill (negated with -1)."""
    not_waived = Bill.status != "waived"
    is_open = Bill.status.in_(OPEN)

    def total(value, where):
        return sa.type_coerce(sa.func.coalesce(sa.func.sum(value).filter(where), 0) * sign,
                              sa.Numeric(14, 2))

    return (sa.func.count(Bill.id).filter(not_waived) * sign, total(Bill.amount, not_waived),
            total(Bill.paid_amount, not_waived), sa.func.count(Bill.id).filter(is_open) * sign,
            total(Bill.amount - Bill.paid_amount, is_open))


def _grouped(where, sign: int = 1) -> sa.Select:
    """(project, steward key, due date, five sums) of the bills matching `where`, in the
    groups' order."""
    key = (Building.project_id, as_key(Unit.steward_id), Bill.due_date)
    return (sa.select(*key, *_sums_sql(sign))
            .select_from(Bill).join(Unit, Bill.unit_id == Unit.id)
            .join(Building, Unit.building_id == Building.id)
            .where(where).group_by(*key).order_by(*key))


def _add(session: Session, where: sa.ColumnElement[bool], sign: int = 1) -> None:
    """Add (or with sign -1 take away) what the bills matching `where` contribute, read and
    written in one statement, the groups in one order (two writers lock shared groups
    alike)."""
    module = {"postgresql": postgresql, "sqlite": sqlite}[session.get_bind().dialect.name]
    insert = module.insert(BillTotal.__table__).from_select([*KEY, *SUMS],
                                                            _grouped(where, sign))
    session.connection().execute(insert.on_conflict_do_update(
        index_elements=KEY,
        set_={name: getattr(BillTotal.__table__.c, name) + getattr(insert.excluded, name)
              for name in SUMS}))


def add_bills(session: Session, where: sa.ColumnElement[bool]) -> None:
    """Add the bills matching `where` (written without the ORM: the bill run)."""
    _add(session, where)


def rebuild(connection: sa.Connection) -> int:
    """Every total recomputed from the bills, in one statement after one delete; returns how
    many groups there are."""
    connection.execute(sa.delete(BillTotal.__table__))
    return connection.execute(sa.insert(BillTotal.__table__).from_select(
        [*KEY, *SUMS], _grouped(sa.true()))).rowcount


def mismatches(session: Session) -> list[str]:
    """Groups whose totals differ from their bills' sums, described (empty when all agree)."""
    kept = {(r[0], r[1], r[2]): tuple(r[3:]) for r in session.execute(sa.select(
        BillTotal.project_id, BillTotal.steward_key, BillTotal.due_date,
        *(getattr(BillTotal, name) for name in SUMS)))}
    counted = {(r[0], r[1], r[2]): tuple(r[3:]) for r in session.execute(_grouped(sa.true()))}
    nothing = (0, ZERO, ZERO, 0, ZERO)
    found = []
    for key in sorted(set(kept) | set(counted), key=str):
        have = tuple(Decimal(v) for v in kept.get(key, nothing))
        want = tuple(Decimal(v) for v in counted.get(key, nothing))
        if have != want:
            found.append(f"bill totals of project {key[0]}, steward {key[1]}, due {key[2]}: "
                         f"kept {have}, the bills sum to {want}")
    return found


# ---- kept at flush ------------------------------------------------------------------------------
_PENDING = "bill_totals_pending"


def _touched(bills: set[int], units: set[int]) -> sa.ColumnElement[bool]:
    return sa.or_(Bill.id.in_(bills), Bill.unit_id.in_(units))


def _before_flush(session: Session, flush_context, instances) -> None:
    """Take away what the bills this flush changes or deletes, and the bills of the units it
    moves, contribute now (as the database holds them; on PostgreSQL their units are
    locked by the flush's survey, models/flush_survey.py, already)."""
    changing = {bill.id for bill in session.dirty
                if isinstance(bill, Bill) and bill.id and session.is_modified(bill)}
    deleting = {bill.id for bill in session.deleted if isinstance(bill, Bill) and bill.id}
    moved = surveyed(session)[1]
    session.info[_PENDING] = (changing, moved)
    if changing or deleting or moved:
        _add(session, _touched(changing | deleting, moved), -1)


def _after_flush(session: Session, flush_context) -> None:
    """Add what the changed and new bills, and the moved units' bills, contribute now."""
    changing, moved = session.info.pop(_PENDING, (set(), set()))
    changing = changing | {bill.id for bill in session.new if isinstance(bill, Bill)}
    if changing or moved:
        _add(session, _touched(changing, moved))


def init_app(app) -> None:
    flush_survey.init_app(app)
    if not sa.event.contains(Session, "before_flush", _before_flush):
        sa.event.listen(Session, "before_flush", _before_flush)
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
