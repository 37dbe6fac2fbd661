"""Patrols, hazards found, and emergencies handled (P-SEC-1, P-SEC-2)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Choices, Entity, choice, local_date, ref
from .people import Staff
from .property import Project
from .tickets import HANDLING_DEPARTMENT

SEVERITY = Choices("severity", low=_l("Low"), medium=_l("Medium"), high=_l("High"))
HAZARD_STATUS = Choices(
    "hazard_status", open=_l("Open"), handling=_l("Handling"), resolved=_l("Resolved")
)
INCIDENT_KIND = Choices(
    "incident_kind",
    fire=_l("Fire"),
    theft=_l("Theft"),
    natural_disaster=_l("Natural disaster"),
    other=_l("Other"),
)


class Patrol(Entity):
    __tablename__ = "patrol"

    project_id: Mapped[int] = ref("project.id")
    steward_id: Mapped[int | None] = ref("staff.id", nullable=True)
    patrolled_at: Mapped[datetime] = mapped_column(index=True)
    area: Mapped[str] = mapped_column(sa.String(100))
    findings: Mapped[str | None] = mapped_column(sa.Text)

    project: Mapped[Project] = relationship()
    steward: Mapped[Staff | None] = relationship()

    def __str__(self) -> str:
        return f"{self.area} {local_date(self.patrolled_at)}"


class Hazard(Entity):
    __tablename__ = "hazard"

    project_id: Mapped[int] = ref("project.id")
    steward_id: Mapped[int | None] = ref("staff.id", nullable=True)
    patrol_id: Mapped[int | None] = ref("patrol.id", nullable=True)
    found_at: Mapped[datetime] = mapped_column(index=True)
    location: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.Text)
    severity: Mapped[str] = choice(SEVERITY, default="medium", index=True)
    status: Mapped[str] = choice(HAZARD_STATUS, default="open", index=True)
    handled_by: Mapped[str | None] = choice(HANDLING_DEPARTMENT, nullable=True)
    resolved_at: Mapped[datetime | None]

    project: Mapped[Project] = relationship()
    steward: Mapped[Staff | None] = relationship()
    patrol: Mapped[Patrol | None] = relationship()

    def __str__(self) -> str:
        return self.location


class Incident(Entity):
    __tablename__ = "incident"

    project_id: Mapped[int] = ref("project.id")
    steward_id: Mapped[int | None] = ref("staff.id", nullable=True)
    kind: Mapped[str] = choice(INCIDENT_KIND, index=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    actions_taken: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = choice(HAZARD_STATUS, default="open", index=True)

    project: Mapped[Project] = relationship()
    steward: Mapped[Staff | None] = relationship()

    def __str__(self) -> str:
        return f"{INCIDENT_KIND.label(self.kind)} {local_date(self.occurred_at)}"
