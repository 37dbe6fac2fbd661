"""Community events and owners' move-in, renovation and move-out procedures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Choices, Entity, choice, non_negative, ref
from .people import Staff
from .property import Building, Owner, Project, Unit

EVENT_KIND = Choices(
    "community_event_kind",
    festival=_l("Festival celebration"),
    owner_forum=_l("Owner forum"),
    safety_education=_l("Safety education"),
    other=_l("Other"),
)
PROCEDURE_KIND = Choices(
    "procedure_kind",
    move_in=_l("Move-in"),
    renovation=_l("Renovation"),
    move_out=_l("Move-out"),
)
PROCEDURE_STATUS = Choices(
    "procedure_status",
    open=_l("Open"),
    completed=_l("Completed"),
    cancelled=_l("Cancelled"),
)


class CommunityEvent(Entity):
    __tablename__ = "community_event"
    __table_args__ = (non_negative("attendees"),)

    project_id: Mapped[int] = ref("project.id")
    # For one building's owners only (an announcement goes to them); none: the project's.
    building_id: Mapped[int | None] = ref("building.id", nullable=True)
    steward_id: Mapped[int | None] = ref("staff.id", nullable=True)
    title: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = choice(EVENT_KIND, default="festival")
    starts_at: Mapped[datetime] = mapped_column(index=True)
    location: Mapped[str | None] = mapped_column(sa.String(100))
    attendees: Mapped[int | None] = mapped_column(info={"min": 0})
    summary: Mapped[str | None] = mapped_column(sa.Text)

    project: Mapped[Project] = relationship()
    building: Mapped[Building | None] = relationship()
    steward: Mapped[Staff | None] = relationship()

    def __str__(self) -> str:
        return self.title


class Procedure(Entity):
    __tablename__ = "procedure"
    __table_args__ = (
        non_negative("deposit"),
        sa.CheckConstraint(
            "completed_on IS NULL OR completed_on >= started_on", name="completed_after_start"
        ),
    )

    kind: Mapped[str] = choice(PROCEDURE_KIND, index=True)
    unit_id: Mapped[int] = ref("unit.id")
    owner_id: Mapped[int | None] = ref("owner.id", nullable=True)
    steward_id: Mapped[int | None] = ref("staff.id", nullable=True)
    status: Mapped[str] = choice(PROCEDURE_STATUS, default="open", index=True)
    started_on: Mapped[date]
    completed_on: Mapped[date | None]
    deposit: Mapped[Decimal | None] = mapped_column(info={"min": 0})
    notes: Mapped[str | None] = mapped_column(sa.Text)

    unit: Mapped[Unit] = relationship()
    owner: Mapped[Owner | None] = relationship()
    steward: Mapped[Staff | None] = relationship()

    def __str__(self) -> str:
        return f"{self.unit} {self.kind}"
