"""Projects, buildings, units, owners and who owns what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    Base,
    Choices,
    Entity,
    choice,
    keeps_natural_key,
    natural_key_column,
    positive,
    ref,
    trigram,
)

if TYPE_CHECKING:
    from .people import Staff

PROJECT_KIND = Choices(
    "project_kind",
    residential=_l("Residential community"),
    office=_l("Office building"),
    industrial_park=_l("Industrial park"),
    other=_l("Other"),
)
UNIT_USAGE = Choices(
    "unit_usage",
    owner_occupied=_l("Owner-occupied"),
    rented=_l("Rented"),
    vacant=_l("Vacant"),
    renovating=_l("Renovating"),
)
CONTACT_CHANNEL = Choices(
    "contact_channel",
    phone=_l("Phone"),
    wechat=_l("WeChat"),
    email=_l("Email"),
    visit=_l("Visit"),
    letter=_l("Letter"),
)

PHONE = {"format": "phone"}
ID_NUMBER = {"format": "id_number"}


class Project(Entity):
    __tablename__ = "project"

    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    kind: Mapped[str] = choice(PROJECT_KIND, index=True)
    address: Mapped[str | None] = mapped_column(sa.String(200))
    notes: Mapped[str | None] = mapped_column(sa.Text)

    buildings: Mapped[list[Building]] = relationship(back_populates="project")

    def __str__(self) -> str:
        return self.name


class Building(Entity):
    __tablename__ = "building"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "name"),
        positive("floors"),
    )

    project_id: Mapped[int] = ref("project.id")
    name: Mapped[str] = mapped_column(sa.String(50), index=True)
    floors: Mapped[int | None]
    # 2栋 before 10栋 (rules/ordering.py)
    name_key: Mapped[str] = natural_key_column("name")
    _keep_name_key = keeps_natural_key("name", "name_key")

    project: Mapped[Project] = relationship(back_populates="buildings")
    units: Mapped[list[Unit]] = relationship(back_populates="building")

    def __str__(self) -> str:
        return self.name


class Unit(Entity):
    __tablename__ = "unit"
    __table_args__ = (
        sa.UniqueConstraint("building_id", "number"),
        positive("area"),
        trigram("unit", "number"),
        # the unit list's order: by building, rooms in natural order
        sa.Index("ix_unit_building_id_number_key", "building_id", "number_key"),
    )

    building_id: Mapped[int] = ref("building.id")
    number: Mapped[str] = mapped_column(sa.String(20), index=True)
    floor: Mapped[int | None]
    area: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2), info={"min": Decimal("0.01")})
    usage: Mapped[str] = choice(UNIT_USAGE, default="owner_occupied", index=True)
    steward_id: Mapped[int | None] = ref("staff.id", nullable=True)
    # 101, 102, …, 1001 (rules/ordering.py)
    number_key: Mapped[str] = natural_key_column("number")
    _keep_number_key = keeps_natural_key("number", "number_key")

    # Joined always: a unit is shown as "building-number" everywhere it appears.
    building: Mapped[Building] = relationship(back_populates="units", lazy="joined")
    steward: Mapped[Staff | None] = relationship(foreign_keys=[steward_id])
    ownerships: Mapped[list[Ownership]] = relationship(back_populates="unit")
    # The unit's stewards over time; a unit deleted takes its history with it.
    assignments: Mapped[list[UnitAssignment]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="UnitAssignment.id")

    @staticmethod
    def label(building: str, number: str) -> str:
        """A unit as it is shown everywhere, from its building's name and its number."""
        return f"{building}-{number}"

    def __str__(self) -> str:
        return Unit.label(self.building.name, self.number)


class UnitAssignment(Base):
    """Who was the steward of a unit when: one row per stretch, written at every flush that
    gives a unit a steward or takes one away (models/guards.py), so a past month's figures
    read the units the steward had then (P-KPI-2)."""

    __tablename__ = "unit_assignment"
    __table_args__ = (
        sa.CheckConstraint("end_on IS NULL OR start_on IS NULL OR end_on >= start_on",
                           name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = ref("unit.id")
    steward_id: Mapped[int] = ref("staff.id")
    start_on: Mapped[date | None]  # none: since the unit's records began
    end_on: Mapped[date | None]  # the first day no longer the unit's steward; none: still is

    unit: Mapped[Unit] = relationship(back_populates="assignments")
    steward: Mapped[Staff] = relationship()


class Owner(Entity):
    __tablename__ = "owner"
    __table_args__ = (trigram("owner", "name"), trigram("owner", "phone"))

    name: Mapped[str] = mapped_column(sa.String(50), index=True)
    phone: Mapped[str] = mapped_column(sa.String(20), index=True, info=PHONE)
    email: Mapped[str | None] = mapped_column(sa.String(120), info={"format": "email"})
    wechat_id: Mapped[str | None] = mapped_column(sa.String(50))
    id_number: Mapped[str | None] = mapped_column(sa.String(18), unique=True, info=ID_NUMBER)
    preferred_channel: Mapped[str] = choice(CONTACT_CHANNEL, default="phone")
    # The owner's id with the company's WeChat Official Account (template messages go to it).
    wechat_openid: Mapped[str | None] = mapped_column(sa.String(64))
    # P-COM-1 consent: the owner asked for no non-essential notices (the history of this
    # choice is the record's audit trail).
    notices_opt_out: Mapped[bool] = mapped_column(default=False)
    service_needs: Mapped[str | None] = mapped_column(sa.Text)
    notes: Mapped[str | None] = mapped_column(sa.Text)

    ownerships: Mapped[list[Ownership]] = relationship(back_populates="owner")

    def __str__(self) -> str:
        return self.name


class Ownership(Entity):
    __tablename__ = "ownership"
    __table_args__ = (
        sa.UniqueConstraint("owner_id", "unit_id", "since"),
        sa.CheckConstraint("until IS NULL OR until >= since", name="until_after_since"),
    )

    owner_id: Mapped[int] = ref("owner.id")
    unit_id: Mapped[int] = ref("unit.id")
    since: Mapped[date] = mapped_column(index=True)
    until: Mapped[date | None]
    is_primary: Mapped[bool] = mapped_column(default=True)

    owner: Mapped[Owner] = relationship(back_populates="ownerships")
    unit: Mapped[Unit] = relationship(back_populates="ownerships")

    def __str__(self) -> str:
        return f"{self.owner} · {self.unit}"

