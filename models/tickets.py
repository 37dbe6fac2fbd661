"""Owners' needs (tickets), their event history, and return visits."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    DERIVED,
    Choices,
    Entity,
    between,
    choice,
    local_date,
    non_negative,
    prefix,
    ref,
    trigram,
    utcnow,
)
from .people import Staff
from .property import CONTACT_CHANNEL, Owner, Unit

if TYPE_CHECKING:
    from .departments import Dispatch
    from .outbox import OutboxMessage

INTAKE_CHANNEL = Choices(
    "intake_channel",
    phone=_l("Phone"),
    email=_l("Email"),
    wechat=_l("WeChat"),
    on_site=_l("On site"),
    letter=_l("Letter"),
    visit=_l("Visit"),
)
TICKET_CATEGORY = Choices(
    "ticket_category",
    repair=_l("House repair"),
    water_power=_l("Water or power fault"),
    sanitation=_l("Sanitation"),
    security=_l("Safety and order"),  # the category; the department is "Security" (安保部)
    fees=_l("Fees"),
    complaint=_l("Complaint"),
    inquiry=_l("Inquiry"),
    other=_l("Other"),
)
PRIORITY = Choices("priority", P1="P1", P2="P2", P3="P3", P4="P4")
TICKET_STATUS = Choices(
    "ticket_status",
    new=_l("New"),
    accepted=_l("Accepted"),
    in_progress=_l("In progress"),
    resolved=_l("Resolved"),
    feedback_given=_l("Feedback given"),
    closed=_l("Closed"),
)
# Who gave a ticket's rating: the owner on their own page, or the steward recording it.
FEEDBACK_SOURCE = Choices("feedback_source", owner=_l("Owner"), steward=_l("Steward"))
HANDLING_DEPARTMENT = Choices(
    "handling_department",
    customer_service=_l("Customer service"),
    engineering=_l("Engineering"),
    security=_l("Security"),
    cleaning=_l("Cleaning"),
)


class Ticket(Entity):
    __tablename__ = "ticket"
    __table_args__ = (
        between("satisfaction", 1, 5),
        between("rating_attitude", 1, 5),
        between("rating_efficiency", 1, 5),
        between("rating_solving", 1, 5),
        non_negative("rework_count"),
        sa.Index("ix_ticket_steward_status", "steward_id", "status"),
        trigram("ticket", "code"), prefix("ticket", "code"),
        trigram("ticket", "contact_name"), prefix("ticket", "contact_name"),
        # A team's month (the month run): its tickets closed, and its tickets due, then.
        sa.Index("ix_ticket_steward_closed_at", "steward_id", "closed_at"),
        sa.Index("ix_ticket_steward_due_at", "steward_id", "due_at"),
    )

    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    channel: Mapped[str] = choice(INTAKE_CHANNEL, default="phone")
    owner_id: Mapped[int | None] = ref("owner.id", nullable=True)
    unit_id: Mapped[int | None] = ref("unit.id", nullable=True)
    contact_name: Mapped[str] = mapped_column(sa.String(50), index=True)
    contact_phone: Mapped[str] = mapped_column(sa.String(20), index=True,
                                               info={"format": "phone"})
    category: Mapped[str] = choice(TICKET_CATEGORY, default="repair", index=True)
    urgent: Mapped[bool] = mapped_column(default=False)
    important: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[str] = choice(PRIORITY, default="P4", index=True, info=DERIVED)
    description: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = choice(TICKET_STATUS, default="new", index=True, info=DERIVED)
    steward_id: Mapped[int | None] = ref("staff.id", nullable=True)
    department: Mapped[str | None] = choice(HANDLING_DEPARTMENT, nullable=True, info=DERIVED)
    intake_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    due_at: Mapped[datetime | None] = mapped_column(index=True, info=DERIVED)
    resolved_at: Mapped[datetime | None] = mapped_column(info=DERIVED)
    closed_at: Mapped[datetime | None] = mapped_column(info=DERIVED)
    resolution: Mapped[str | None] = mapped_column(sa.Text, info=DERIVED)
    solved_on_spot: Mapped[bool] = mapped_column(default=False, info=DERIVED)
    satisfaction: Mapped[int | None] = mapped_column(info={"min": 1, "max": 5, **DERIVED})
    feedback: Mapped[str | None] = mapped_column(sa.Text, info=DERIVED)
    # The owner's own rating on their page (P-OWN-3): the three dimensions, of which the
    # lowest is `satisfaction` (rules/owner_feedback.py); and who gave the rating.
    rating_attitude: Mapped[int | None] = mapped_column(info={"min": 1, "max": 5, **DERIVED})
    rating_efficiency: Mapped[int | None] = mapped_column(info={"min": 1, "max": 5, **DERIVED})
    rating_solving: Mapped[int | None] = mapped_column(info={"min": 1, "max": 5, **DERIVED})
    feedback_source: Mapped[str | None] = choice(FEEDBACK_SOURCE, nullable=True, info=DERIVED)
    rework_count: Mapped[int] = mapped_column(default=0, info={"min": 0, **DERIVED})
    # The code of the owner's link to this ticket, /o/<code> (services/owner_links.py), and
    # until when it opens; cleared when revoked (the next message brings a new one).
    owner_link_nonce: Mapped[str | None] = mapped_column(
        sa.String(32), unique=True, index=True, info={"system": True})
    owner_link_expires_at: Mapped[datetime | None] = mapped_column(info={"system": True})
    # The code of the link the owner rated with: that link now says "already used".
    owner_link_used_nonce: Mapped[str | None] = mapped_column(sa.String(32), index=True,
                                                              info={"system": True})

    owner: Mapped[Owner | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    steward: Mapped[Staff | None] = relationship()
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketEvent.at"
    )
    # The messages to the owner about it (models/outbox.py): they go with the ticket.
    messages: Mapped[list[OutboxMessage]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", passive_deletes=True,
        order_by="OutboxMessage.id")
    # The departments' parts of it (models/departments.py), in the order dispatched.
    dispatches: Mapped[list[Dispatch]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Dispatch.id")

    def __str__(self) -> str:
        return self.code


class TicketEvent(Entity):
    """One step in a ticket's life: a transition, a note, a contact with the owner."""

    __tablename__ = "ticket_event"

    ticket_id: Mapped[int] = ref("ticket.id", ondelete="CASCADE")
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str | None] = mapped_column(sa.String(80))
    from_status: Mapped[str | None] = choice(
        TICKET_STATUS, nullable=True, check_name="from_status"
    )
    to_status: Mapped[str | None] = choice(TICKET_STATUS, nullable=True, check_name="to_status")
    note: Mapped[str | None] = mapped_column(sa.Text)
    # P-TKT-4: the steward chose to tell the owner (shown on the owner's page, and sent)
    shared_with_owner: Mapped[bool] = mapped_column(default=False)
    # A department's progress on its part (models/departments.py), written by its member.
    dispatch_id: Mapped[int | None] = ref("dispatch.id", nullable=True, ondelete="SET NULL",
                                          info=DERIVED)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    dispatch: Mapped[Dispatch | None] = relationship()

    def __str__(self) -> str:
        if not self.to_status or self.to_status == self.from_status:
            return f"{self.ticket} {local_date(self.at) if self.at else ''}".strip()  # a note
        return f"{self.ticket} → {TICKET_STATUS.label(self.to_status)}"


class ReturnVisit(Entity):
    """A scheduled or follow-up visit or call to an owner about satisfaction (P-OWN-3)."""

    __tablename__ = "return_visit"
    __table_args__ = (
        between("satisfaction", 1, 5),
        between("rating_attitude", 1, 5),
        between("rating_efficiency", 1, 5),
        between("rating_solving", 1, 5),
    )

    owner_id: Mapped[int] = ref("owner.id")
    unit_id: Mapped[int | None] = ref("unit.id", nullable=True)
    ticket_id: Mapped[int | None] = ref("ticket.id", nullable=True)
    steward_id: Mapped[int | None] = ref("staff.id", nullable=True)
    planned_on: Mapped[datetime | None] = mapped_column(index=True)
    visited_at: Mapped[datetime | None] = mapped_column(index=True)
    channel: Mapped[str] = choice(CONTACT_CHANNEL, default="phone")
    # The survey (P-OWN-3, P-KPI-1): the policy's three dimensions, each 1-5; the visit's
    # satisfaction is the lowest of them (rules/owner_feedback.py), as a ticket's is.
    rating_attitude: Mapped[int | None] = mapped_column(info={"min": 1, "max": 5})
    rating_efficiency: Mapped[int | None] = mapped_column(info={"min": 1, "max": 5})
    rating_solving: Mapped[int | None] = mapped_column(info={"min": 1, "max": 5})
    satisfaction: Mapped[int | None] = mapped_column(info={"min": 1, "max": 5, **DERIVED})
    opinions: Mapped[str | None] = mapped_column(sa.Text)
    # what the owner asked for on the visit; "make a ticket" turns it into one
    needs: Mapped[str | None] = mapped_column(sa.Text)
    needs_ticket_id: Mapped[int | None] = ref("ticket.id", nullable=True, info=DERIVED)
    referred_to: Mapped[str | None] = choice(HANDLING_DEPARTMENT, nullable=True)

    owner: Mapped[Owner] = relationship()
    unit: Mapped[Unit | None] = relationship()
    ticket: Mapped[Ticket | None] = relationship(foreign_keys=[ticket_id])
    needs_ticket: Mapped[Ticket | None] = relationship(foreign_keys=[needs_ticket_id])
    steward: Mapped[Staff | None] = relationship()

    def __str__(self) -> str:
        moment = self.visited_at or self.planned_on
        return f"{self.owner} {local_date(moment)}" if moment else str(self.owner)
