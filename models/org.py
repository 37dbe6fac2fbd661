"""Coordination meetings and the external bodies stewards work with (P-COM-2, P-COM-3)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import DERIVED, Choices, Entity, choice, ref
from .people import Staff
from .property import Project

MEETING_KIND = Choices(
    "meeting_kind",
    coordination=_l("Coordination meeting"),
    owner_forum=_l("Owner forum"),
    team=_l("Team meeting"),
    other=_l("Other"),
)
EXTERNAL_BODY_KIND = Choices(
    "external_body_kind",
    residents_committee=_l("Residents' committee"),
    police_station=_l("Police station"),
    fire_department=_l("Fire department"),
    water_supply=_l("Water supply"),
    power_supply=_l("Power supply"),
    gas_supply=_l("Gas supply"),
    subdistrict_office=_l("Sub-district office"),
    other=_l("Other"),
)


class Meeting(Entity):
    __tablename__ = "meeting"

    title: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = choice(MEETING_KIND, default="coordination")
    project_id: Mapped[int | None] = ref("project.id", nullable=True)
    held_at: Mapped[datetime] = mapped_column(index=True)
    participants: Mapped[str | None] = mapped_column(sa.Text)
    minutes: Mapped[str | None] = mapped_column(sa.Text)

    project: Mapped[Project | None] = relationship()
    # What the meeting decided, each with who does it by when (P-COM-2): they go with it.
    action_items: Mapped[list[ActionItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ActionItem.due_on")

    def __str__(self) -> str:
        return self.title


ACTION_ITEM_STATUS = Choices("action_item_status", open=_l("Open"), done=_l("Done"),
                             cancelled=_l("Cancelled"))


class ActionItem(Entity):
    """One thing a meeting decided: what, who does it, by when, and how it ended."""

    __tablename__ = "action_item"

    meeting_id: Mapped[int] = ref("meeting.id", ondelete="CASCADE")
    what: Mapped[str] = mapped_column(sa.String(200))
    responsible_id: Mapped[int] = ref("staff.id")
    due_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = choice(ACTION_ITEM_STATUS, default="open", index=True)
    done_note: Mapped[str | None] = mapped_column(sa.Text)
    done_at: Mapped[datetime | None] = mapped_column(info=DERIVED)

    meeting: Mapped[Meeting] = relationship(back_populates="action_items")
    responsible: Mapped[Staff] = relationship()

    def __str__(self) -> str:
        return self.what


class ExternalBody(Entity):
    __tablename__ = "external_body"

    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    kind: Mapped[str] = choice(EXTERNAL_BODY_KIND, index=True)
    project_id: Mapped[int | None] = ref("project.id", nullable=True)
    contact_person: Mapped[str | None] = mapped_column(sa.String(50))
    phone: Mapped[str | None] = mapped_column(sa.String(20), info={"format": "phone"})
    address: Mapped[str | None] = mapped_column(sa.String(200))
    notes: Mapped[str | None] = mapped_column(sa.Text)

    project: Mapped[Project | None] = relationship()

    def __str__(self) -> str:
        return self.name
