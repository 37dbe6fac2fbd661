"""What a flush changes for the running totals (models/bill_totals.py per project, steward
and due date; models/household_totals.py per household), found once per flush for both.

The survey is the first of the flush's before-flush hooks. It finds the units whose bills or
place this flush changes, as the database has them (a bill's unit before it moves, a
payment's bill's unit), and the units it moves; on PostgreSQL it locks those units
(`locks.units`) before the guards lock a payment's bill and before the totals read the
bills. A payment and a unit's move then follow one another whole, each reading what the
other committed, and two writers meet on the unit first, never bill-then-unit against
unit-then-bill.

What counts: a bill created, deleted or changed; a payment created or deleted, or given
another amount or bill (its method, time or receipt number move no total); a unit given
another steward or building; a building given another project.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import locks
from .base import changed, old_value
from .fees import Bill, Payment
from .property import Building, Unit

_SURVEYED = "flush_survey"


def _relocated(unit: Unit) -> bool:
    """Whether a flush gives the unit another steward or building, by id or by relationship
    (the admin's form and the handover set the relationship; its id follows in the flush)."""
    return any(changed(unit, key) for key in ("steward_id", "steward", "building_id",
                                               "building"))


def _counts(session: Session, obj) -> bool:
    """Whether a record of this flush can move a total (see the module's docstring)."""
    if obj in session.new or obj in session.deleted:
        return True
    if isinstance(obj, Bill):
        return session.is_modified(obj)
    return any(changed(obj, key) for key in ("amount", "bill_id", "bill"))


def _moved_units(session: Session) -> set[int]:
    """Units whose bills change group in this flush: a new steward or building, or a
    building given to another project."""
    units = {unit.id for unit in session.dirty
             if isinstance(unit, Unit) and unit.id and _relocated(unit)}
    buildings = [building.id for building in session.dirty
                 if isinstance(building, Building) and building.id
                 and (changed(building, "project_id") or changed(building, "project"))]
    if buildings:
        units.update(session.scalars(sa.select(Unit.id).where(
            Unit.building_id.in_(buildings))))
    return units


def _survey(session: Session, flush_context, instances) -> None:
    bills, units = set(), set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, Bill | Payment) or not _counts(session, obj):
            continue
        # (a relationship set but not yet flushed is in the object's __dict__; reading it
        # there loads nothing)
        if isinstance(obj, Bill):
            bills.add(obj.id)
            units.update((obj.unit_id, getattr(obj.__dict__.get("unit"), "id", None)))
        else:
            bills.update((obj.bill_id, getattr(obj.__dict__.get("bill"), "id", None),
                          old_value(obj, "bill_id")))
    bills.discard(None)
    if bills:
        units.update(session.scalars(sa.select(Bill.unit_id).where(Bill.id.in_(bills))))
    moved = _moved_units(session)
    units.update(moved)
    units.discard(None)
    session.info[_SURVEYED] = (units, moved)
    locks.units(session, units)


def surveyed(session: Session) -> tuple[set[int], set[int]]:
    """What the survey found for the flush under way: (units touched, units moved)."""
    return session.info.get(_SURVEYED, (set(), set()))


def init_app(app) -> None:
    """Registered by both running totals; first of all before-flush hooks."""
    if not sa.event.contains(Session, "before_flush", _survey):
        sa.event.listen(Session, "before_flush", _survey, insert=True)
