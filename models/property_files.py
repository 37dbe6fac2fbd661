"""What a unit's file and an owner's file (房屋档案, 业主档案) read: each section in one query,
newest first and at most SHOWN rows, within the reader's row scope.

The reader's scope comes in as `scope(model)`: the WHERE condition of the rows of `model`
the reader may read (None: all), the same condition their lists apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager, joinedload

from . import (
    ArrearsReminder,
    Bill,
    Building,
    Ownership,
    Procedure,
    Project,
    ReturnVisit,
    Ticket,
    Unit,
    UnitAssignment,
)

SHOWN = 10  # rows of a section; the rest are on the list the section links to
OWING = ("unpaid", "partly_paid")

Scope = Callable[[type], "sa.ColumnElement[bool] | None"]

# model -> its rows about one unit / one owner (the file's sections and the lists' filters)
UNIT_PATHS: dict[type, Callable[[int], sa.ColumnElement[bool]]] = {
    Ownership: lambda pk: Ownership.unit_id == pk,
    Bill: lambda pk: Bill.unit_id == pk,
    Ticket: lambda pk: Ticket.unit_id == pk,
    ReturnVisit: lambda pk: ReturnVisit.unit_id == pk,
    Procedure: lambda pk: Procedure.unit_id == pk,
    ArrearsReminder: lambda pk: ArrearsReminder.bill_id.in_(
        sa.select(Bill.id).where(Bill.unit_id == pk)),
}
OWNER_PATHS: dict[type, Callable[[int], sa.ColumnElement[bool]]] = {
    Ownership: lambda pk: Ownership.owner_id == pk,
    Bill: lambda pk: Bill.owner_id == pk,
    Ticket: lambda pk: Ticket.owner_id == pk,
    ReturnVisit: lambda pk: ReturnVisit.owner_id == pk,
    Procedure: lambda pk: Procedure.owner_id == pk,
    ArrearsReminder: lambda pk: ArrearsReminder.bill_id.in_(
        sa.select(Bill.id).where(Bill.owner_id == pk)),
}

# How each section is ordered (newest first) and what its rows show of their neighbours.
ORDER = {
    # what is still owed first (the arrears), then the newest
    Bill: (sa.case((Bill.status.in_(OWING), 0), else_=1), Bill.period.desc(), Bill.id.desc()),
    Ticket: (Ticket.intake_at.desc(), Ticket.id.desc()),
    ReturnVisit: (sa.func.coalesce(ReturnVisit.visited_at, ReturnVisit.planned_on).desc(),
                  ReturnVisit.id.desc()),
    Procedure: (Procedure.started_on.desc(), Procedure.id.desc()),
    ArrearsReminder: (ArrearsReminder.reminded_at.desc(), ArrearsReminder.id.desc()),
}
LOADED = {
    Bill: (joinedload(Bill.owner), joinedload(Bill.standard)),
    Ticket: (),
    ReturnVisit: (joinedload(ReturnVisit.owner), joinedload(ReturnVisit.unit)),
    Procedure: (joinedload(Procedure.owner),),
    ArrearsReminder: (joinedload(ArrearsReminder.bill), joinedload(ArrearsReminder.steward)),
}


def building_order():
    """Buildings in natural order: 2栋 before 10栋 (rules/ordering.py)."""
    return (Building.name_key,)


def room_order():
    """Rooms in natural order: 101, 102, …, 1001 (rules/ordering.py)."""
    return (Unit.number_key,)


def unit_label(unit: Unit) -> str:
    """A unit as the pickers and the files name it: "项目 楼栋-房号"."""
    return f"{unit.building.project.name} {unit.building.name}-{unit.number}"


@dataclass
class Section:
    rows: list = field(default_factory=list)
    more: bool = False  # there are older rows than those shown
    readable: bool = True  # the reader may read this kind of record at all


@dataclass
class Arrears:
    owed: Decimal = Decimal("0.00")  # everything still to pay
    overdue_count: int = 0
    overdue_owed: Decimal = Decimal("0.00")


def within(query, scope: Scope, model: type):
    """`query` limited to the rows of `model` the reader may read."""
    condition = scope(model)
    return query if condition is None else query.where(condition)


def section(session: Session, model: type, about, scope: Scope,
            readable: bool = True) -> Section:
    """The newest SHOWN rows of `model` matching `about`, within the reader's scope."""
    if not readable:
        return Section(readable=False)
    query = within(sa.select(model).where(about).options(*LOADED[model]), scope, model)
    rows = list(session.scalars(query.order_by(*ORDER[model]).limit(SHOWN + 1)).unique())
    return Section(rows[:SHOWN], len(rows) > SHOWN)


def arrears(session: Session, about, scope: Scope, today: date) -> Arrears:
    """What the unit's or owner's bills (within scope) still owe, and how much is overdue."""
    left = Bill.amount - Bill.paid_amount
    overdue = sa.and_(Bill.status.in_(OWING), Bill.due_date < today)
    query = within(sa.select(
        sa.func.coalesce(sa.func.sum(sa.case((Bill.status.in_(OWING), left), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((overdue, 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((overdue, left), else_=0)), 0),
    ).where(about), scope, Bill)
    owed, count, overdue_owed = session.execute(query).one()
    return Arrears(Decimal(owed).quantize(Decimal("0.01")), int(count),
                   Decimal(overdue_owed).quantize(Decimal("0.01")))


def owners_of_unit(session: Session, unit_id: int, scope: Scope) -> Section:
    """The unit's owners over time: current ones first, then the latest before."""
    query = within(sa.select(Ownership).options(joinedload(Ownership.owner)).where(
        Ownership.unit_id == unit_id), scope, Ownership)
    rows = list(session.scalars(query.order_by(
        Ownership.until.is_not(None), Ownership.since.desc(), Ownership.id.desc())
        .limit(SHOWN + 1)))
    return Section(rows[:SHOWN], len(rows) > SHOWN)


def stewards_of_unit(session: Session, unit_id: int) -> Section:
    """The unit's stewards over time, the current one first."""
    rows = list(session.scalars(sa.select(UnitAssignment).options(
        joinedload(UnitAssignment.steward)).where(UnitAssignment.unit_id == unit_id)
        .order_by(UnitAssignment.end_on.is_not(None), UnitAssignment.id.desc())
        .limit(SHOWN + 1)))
    return Section(rows[:SHOWN], len(rows) > SHOWN)


def units_of_owner(session: Session, owner_id: int, scope: Scope) -> Section:
    """The owner's units over time: current ones first, each in natural order of project,
    building and room, with the unit's steward."""
    query = within(sa.select(Ownership).join(Ownership.unit).join(Unit.building)
                    .join(Building.project).options(
        contains_eager(Ownership.unit).contains_eager(Unit.building)
        .contains_eager(Building.project),
        contains_eager(Ownership.unit).joinedload(Unit.steward),
    ).where(Ownership.owner_id == owner_id), scope, Ownership)
    rows = list(session.scalars(query.order_by(
        Ownership.until.is_not(None), Project.name, *building_order(), *room_order(),
        Ownership.since.desc()).limit(SHOWN + 1)).unique())
    return Section(rows[:SHOWN], len(rows) > SHOWN)
