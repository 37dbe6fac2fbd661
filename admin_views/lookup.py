"""Finding a unit or an owner by room, name or phone (rules/lookup.py decides what is
searched): the units and owners in the reader's scope, at most FOUND of each."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager

from models import Building, Owner, Ownership, Project, Unit
from models.property_files import Scope, building_order, room_order, within
from rules.lookup import Lookup

from .search import ESCAPE, contains_pattern

FOUND = 20  # units or owners a lookup lists


def contains(column, word: str):
    """`column` holds `word` as typed (its "%" and "_" are characters, not wildcards)."""
    return sa.cast(column, sa.Unicode).ilike(contains_pattern(word), escape=ESCAPE)


def find_units(session: Session, lookup: Lookup, scope: Scope) -> list[Unit]:
    """Units in scope whose room is `lookup.room`, and whose project or building names
    contain each of its other words; in natural order, at most FOUND + 1."""
    if not lookup.finds_units:
        return []
    room = lookup.room
    query = (sa.select(Unit).join(Unit.building).join(Building.project)
             .options(contains_eager(Unit.building).contains_eager(Building.project))
             .where(sa.func.upper(Unit.number) == room.number))
    if room.buildings:
        query = query.where(Building.name.in_(room.buildings))
    for word in lookup.words:
        query = query.where(sa.or_(contains(Project.name, word), contains(Building.name, word)))
    query = within(query, scope, Unit)
    return list(session.scalars(query.order_by(
        Project.name, *building_order(), *room_order()).limit(FOUND + 1)).unique())


def find_owners(session: Session, lookup: Lookup, scope: Scope) -> list[Owner]:
    """Owners in scope whose names contain each word and whose phone holds the digits
    (when the lookup searches phones), at most FOUND + 1."""
    if not lookup.finds_owners:
        return []
    query = sa.select(Owner)
    if lookup.phone is not None:
        query = query.where(contains(Owner.phone, lookup.phone))
    for word in lookup.words:
        query = query.where(contains(Owner.name, word))
    query = within(query, scope, Owner)
    return list(session.scalars(query.order_by(Owner.name, Owner.id).limit(FOUND + 1)))


def current_units(session: Session, owner_ids: list[int], scope: Scope,
                  today: date) -> dict[int, list[Unit]]:
    """Each found owner's units today (within scope), to tell same-named owners apart."""
    if not owner_ids:
        return {}
    query = within(sa.select(Ownership).join(Ownership.unit).join(Unit.building)
                    .join(Building.project).options(
        contains_eager(Ownership.unit).contains_eager(Unit.building)
        .contains_eager(Building.project)).where(
        Ownership.owner_id.in_(owner_ids), Ownership.since <= today,
        sa.or_(Ownership.until.is_(None), Ownership.until >= today)), scope, Ownership)
    found: dict[int, list[Unit]] = {}
    for ownership in session.scalars(query.order_by(
            Project.name, *building_order(), *room_order())).unique():
        found.setdefault(ownership.owner_id, []).append(ownership.unit)
    return found
