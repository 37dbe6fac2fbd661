"""Messages to owners: the admin's templates, and the outbox the worker delivers from
(services/outbox.py). An outbox row is written in the transaction of the change that causes
it, so a rolled-back change sends nothing and a committed one is never lost."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import DERIVED, Base, Choices, Entity, choice, utcnow
from .property import Owner
from .tickets import Ticket

NOTICE_EVENT = Choices(
    "notice_event",
    ticket_received=_l("Ticket received"),
    ticket_dispatched=_l("Ticket dispatched"),
    ticket_progress=_l("Progress note for the owner"),
    ticket_resolved=_l("Ticket resolved: rating asked"),
    ticket_reopened=_l("Ticket reopened after a poor rating"),
    ticket_closed=_l("Ticket closed"),
    visit_planned=_l("Return visit planned"),
    arrears_reminder=_l("Arrears reminder"),
    community_event=_l("Community event announcement"),
)
TEMPLATE_CHANNEL = Choices(
    "template_channel", any=_l("Any channel"), wechat=_l("WeChat"), sms=_l("SMS"),
    email=_l("Email"),
)
MESSAGE_CHANNEL = Choices(
    "message_channel", wechat=_l("WeChat"), sms=_l("SMS"), email=_l("Email"),
)
MESSAGE_STATUS = Choices(
    "message_status",
    pending=_l("Waiting to be sent"),
    sending=_l("Being sent"),
    sent=_l("Sent"),
    failed=_l("Failed"),
    not_configured=_l("Channel not configured"),
    no_address=_l("No address for the owner"),
    overtaken=_l("Not sent: the request moved on"),
    opted_out=_l("Not sent: the owner opted out"),
)
FINAL_STATUSES = ("sent", "failed", "not_configured", "no_address", "overtaken",
                  "opted_out")


class MessageTemplate(Entity):
    """The text of one event's message (for one channel, or any), in Chinese; the variables
    the event offers are listed with it (rules/notices.py)."""

    __tablename__ = "message_template"
    __table_args__ = (sa.UniqueConstraint("event", "channel"),)

    event: Mapped[str] = choice(NOTICE_EVENT)
    channel: Mapped[str] = choice(TEMPLATE_CHANNEL, default="any")
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    # The template's id with the provider where the provider keeps its own text: a WeChat
    # template id, an SMS template code.
    provider_template: Mapped[str | None] = mapped_column(sa.String(100))
    variables: Mapped[str | None] = mapped_column(sa.String(200), info=DERIVED)

    def __str__(self) -> str:
        return f"{NOTICE_EVENT.label(self.event)} ({TEMPLATE_CHANNEL.label(self.channel)})"


class OutboxMessage(Base):
    """One message to one owner, and how its delivery stands. The id is the idempotency key
    each provider is given, so a resend after a crash is recognised."""

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = choice(NOTICE_EVENT)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("owner.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    # what else the message is about, e.g. ("community_event", 3): one message per owner
    subject_kind: Mapped[str | None] = mapped_column(sa.String(30))
    subject_id: Mapped[int | None]
    variables: Mapped[str] = mapped_column(sa.Text, default="{}")  # JSON, as rendered
    urgent: Mapped[bool] = mapped_column(default=False)
    subject: Mapped[str | None] = mapped_column(sa.String(200))
    body: Mapped[str | None] = mapped_column(sa.Text)
    channel: Mapped[str | None] = choice(MESSAGE_CHANNEL, nullable=True)
    status: Mapped[str] = choice(MESSAGE_STATUS, default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(sa.String(40))
    provider_id: Mapped[str | None] = mapped_column(sa.String(100))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]

    owner: Mapped[Owner] = relationship()
    ticket: Mapped[Ticket | None] = relationship(back_populates="messages")

    provider_template = None  # set at delivery from the template (not stored)

    def __str__(self) -> str:
        return f"{NOTICE_EVENT.label(self.event)} → {self.owner_id}"
