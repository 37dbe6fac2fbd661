"""The flush guard of ownerships: one primary owner of a unit at a time (P-OWN-1), whatever
path the write takes (form, import, a move-in's completion)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from rules.ownership import check_one_primary

from . import locks
from .base import changed
from .property import Owner, Ownership, Unit

WATCHED = ("unit", "unit_id", "since", "until", "is_primary")


def guard_ownership(session: Session, ownership: Ownership, is_new: bool) -> None:
    if ownership.is_primary is None:  # the column's default, which the INSERT would give
        ownership.is_primary = True
    if not ownership.is_primary or not (is_new or any(changed(ownership, k) for k in WATCHED)):
        return
    unit_id = ownership.unit.id if ownership.unit is not None else ownership.unit_id
    if unit_id is None or ownership.since is None:
        return  # a new unit has no other owners; a missing date is the table's to refuse
    # two primary owners written at once: the second waits here and then sees the first
    locks.hold(session, ownership.unit or session.get(Unit, unit_id))
    stored = session.scalars(sa.select(Ownership).where(
        Ownership.unit_id == unit_id, Ownership.id != (ownership.id or -1))).all()
    pending = [o for o in session.new if isinstance(o, Ownership) and o is not ownership
               and (o.unit.id if o.unit is not None else o.unit_id) == unit_id]
    others = [o for o in dict.fromkeys([*stored, *pending])
              if o.is_primary and o not in session.deleted]
    check_one_primary(ownership.since, ownership.until,
                      [(_owner_name(session, o), o.since, o.until) for o in others])


def _owner_name(session: Session, ownership: Ownership) -> str:
    owner = ownership.owner or session.get(Owner, ownership.owner_id)
    return owner.name if owner is not None else "?"
