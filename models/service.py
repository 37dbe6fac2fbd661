"""Community events and owners' move-in, renovation and move-out procedures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import DERIVED, Choices, Entity, choice, non_negative, ref
from .people import Staff
from .property import UNIT_USAGE, Building, Owner, Project, Unit

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
    """An owner's move-in, renovation or move-out (P-COORD-3): the steps of its kind's
    checklist, copied when it opens; completed when they are done (services/procedures.py,
    rules/procedures.py)."""

    __tablename__ = "procedure"
    __table_args__ = (
        non_negative("deposit"),
        sa.CheckConstraint(
            "completed_on IS NULL OR completed_on >= started_on", name="completed_after_start"
        ),
    )

    kind: Mapped[str] = choice(PROCEDURE_KIND, index=True)
    unit_id: Mapped[int] = ref("unit.id")
    # Move-in: the owner moving in; move-out: the owner giving the unit up. None: a tenant.
    owner_id: Mapped[int | None] = ref("owner.id", nullable=True)
    steward_id: Mapped[int | None] = ref("staff.id", nullable=True)
    status: Mapped[str] = choice(PROCEDURE_STATUS, default="open", index=True, info=DERIVED)
    started_on: Mapped[date] = mapped_column(index=True)
    completed_on: Mapped[date | None] = mapped_column(info=DERIVED)
    deposit: Mapped[Decimal | None] = mapped_column(info={"min": 0})
    notes: Mapped[str | None] = mapped_column(sa.Text)
    # A renovation's unit is "renovating" while it is open; this is what it was before.
    usage_before: Mapped[str | None] = choice(UNIT_USAGE, nullable=True,
                                              check_name="procedure_usage_before", info=DERIVED)

    # Joined: a procedure is shown as its unit and kind wherever it appears (its steps' list).
    unit: Mapped[Unit] = relationship(lazy="joined")
    owner: Mapped[Owner | None] = relationship()
    steward: Mapped[Staff | None] = relationship()
    steps: Mapped[list[ProcedureStep]] = relationship(
        back_populates="procedure", cascade="all, delete-orphan",
        order_by="ProcedureStep.position")

    def __str__(self) -> str:
        return f"{self.unit} {PROCEDURE_KIND.label(self.kind)}"


class ProcedureStep(Entity):
    """One step of a procedure's checklist: who did it, when, with what note."""

    __tablename__ = "procedure_step"
    __table_args__ = (
        sa.UniqueConstraint("procedure_id", "position"),
        sa.CheckConstraint("done_at IS NOT NULL OR done_by_id IS NULL", name="done_by_when_done"),
    )

    procedure_id: Mapped[int] = ref("procedure.id")
    position: Mapped[int] = mapped_column(index=True, info=DERIVED)
    name: Mapped[str] = mapped_column(sa.String(100), info=DERIVED)
    done_at: Mapped[datetime | None] = mapped_column(info=DERIVED)
    done_by_id: Mapped[int | None] = ref("staff.id", nullable=True, info=DERIVED)
    note: Mapped[str | None] = mapped_column(sa.Text)

    procedure: Mapped[Procedure] = relationship(back_populates="steps")
    done_by: Mapped[Staff | None] = relationship()

    def __str__(self) -> str:
        return f"{self.procedure} {self.position}. {self.name}"
