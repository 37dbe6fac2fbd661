"""Fee standards, bills, payments and arrears reminders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    DERIVED,
    Choices,
    Entity,
    choice,
    local_date,
    non_negative,
    positive,
    prefix,
    ref,
    trigram,
    utcnow,
)
from .people import Staff
from .property import Owner, Project, Unit

FEE_BASIS = Choices("fee_basis", per_m2=_l("Per m² per month"), fixed=_l("Fixed per month"))
BILL_STATUS = Choices(
    "bill_status",
    unpaid=_l("Unpaid"),
    partly_paid=_l("Partly paid"),
    paid=_l("Paid"),
    waived=_l("Waived"),
)
PAYMENT_METHOD = Choices(
    "payment_method",
    cash=_l("Cash"),
    wechat_pay=_l("WeChat Pay"),
    alipay=_l("Alipay"),
    bank_transfer=_l("Bank transfer"),
)
REMINDER_METHOD = Choices(
    "reminder_method",
    phone=_l("Phone"),
    wechat=_l("WeChat"),
    sms=_l("SMS"),
    letter=_l("Letter"),
    visit=_l("Visit"),
    door_notice=_l("Door notice"),
)
ARREARS_REASON = Choices(
    "arrears_reason",
    financial_hardship=_l("Financial hardship"),
    dissatisfied=_l("Dissatisfied with service"),
    vacant=_l("Unit long vacant"),
    unreachable=_l("Unreachable"),
    disputes_amount=_l("Disputes the amount"),
    other=_l("Other"),
)
REMINDER_OUTCOME = Choices(
    "reminder_outcome",
    promised=_l("Promised to pay"),
    paid=_l("Paid"),
    refused=_l("Refused"),
    no_answer=_l("No answer"),
    other=_l("Other"),
)


class FeeStandard(Entity):
    __tablename__ = "fee_standard"
    __table_args__ = (
        non_negative("rate"),
        sa.CheckConstraint(
            "effective_until IS NULL OR effective_until >= effective_from",
            name="until_after_from",
        ),
    )

    project_id: Mapped[int] = ref("project.id")
    name: Mapped[str] = mapped_column(sa.String(100))
    basis: Mapped[str] = choice(FEE_BASIS, default="per_m2")
    rate: Mapped[Decimal] = mapped_column(info={"min": 0})
    effective_from: Mapped[date]
    effective_until: Mapped[date | None]
    description: Mapped[str | None] = mapped_column(sa.Text)

    project: Mapped[Project] = relationship()

    def __str__(self) -> str:
        return self.name


class Bill(Entity):
    __tablename__ = "bill"
    __table_args__ = (
        sa.UniqueConstraint("unit_id", "standard_id", "period"),
        non_negative("amount"),
        non_negative("paid_amount"),
        sa.CheckConstraint("paid_amount <= amount", name="paid_within_amount"),
        sa.Index("ix_bill_period_status", "period", "status"),
        trigram("bill", "period"), prefix("bill", "period"),
        # The arrears pages read a household's overdue bills from this index alone.
        sa.Index("ix_bill_outstanding", "unit_id", "owner_id", "due_date",
                 postgresql_include=["amount", "paid_amount"],
                 postgresql_where=sa.text("status IN ('unpaid', 'partly_paid')"),
                 sqlite_where=sa.text("status IN ('unpaid', 'partly_paid')")),
        # A unit's bills due in a month (the month run reads a team's by their units).
        sa.Index("ix_bill_unit_due_date", "unit_id", "due_date"),
    )

    unit_id: Mapped[int] = ref("unit.id")
    owner_id: Mapped[int | None] = ref("owner.id", nullable=True)
    standard_id: Mapped[int] = ref("fee_standard.id")
    period: Mapped[str] = mapped_column(sa.String(7), info={"format": "period"})
    amount: Mapped[Decimal] = mapped_column(info={"min": 0})
    paid_amount: Mapped[Decimal] = mapped_column(default=Decimal("0.00"),
                                                info={"min": 0, **DERIVED})
    due_date: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = choice(BILL_STATUS, default="unpaid", index=True, info=DERIVED)

    # Joined always: a bill is shown as "period unit" wherever it appears.
    unit: Mapped[Unit] = relationship(lazy="joined")
    owner: Mapped[Owner | None] = relationship()
    standard: Mapped[FeeStandard] = relationship()
    payments: Mapped[list[Payment]] = relationship(back_populates="bill")

    @staticmethod
    def label(period: str, unit: str) -> str:
        """A bill as it is shown everywhere, from its period and its unit's label."""
        return f"{period} {unit}"

    def __str__(self) -> str:
        return Bill.label(self.period, str(self.unit))


class Payment(Entity):
    __tablename__ = "payment"
    __table_args__ = (positive("amount"), trigram("payment", "receipt_no"),
                      prefix("payment", "receipt_no"))

    bill_id: Mapped[int] = ref("bill.id")
    amount: Mapped[Decimal] = mapped_column(info={"min": Decimal("0.01")})
    method: Mapped[str] = choice(PAYMENT_METHOD, default="wechat_pay")
    paid_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    receipt_no: Mapped[str] = mapped_column(sa.String(30), unique=True)

    bill: Mapped[Bill] = relationship(back_populates="payments")

    def __str__(self) -> str:
        return self.receipt_no


class ArrearsReminder(Entity):
    """A steward's reminder to an owner in arrears, with the reason given (P-FEE-2)."""

    __tablename__ = "arrears_reminder"

    bill_id: Mapped[int] = ref("bill.id")
    steward_id: Mapped[int | None] = ref("staff.id", nullable=True)
    reminded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    method: Mapped[str] = choice(REMINDER_METHOD, default="phone")
    reason: Mapped[str] = choice(ARREARS_REASON, default="other")
    note: Mapped[str | None] = mapped_column(sa.Text)
    promised_on: Mapped[date | None] = mapped_column(index=True)
    outcome: Mapped[str | None] = choice(REMINDER_OUTCOME, nullable=True)

    bill: Mapped[Bill] = relationship()
    steward: Mapped[Staff | None] = relationship()

    def __str__(self) -> str:
        return f"{self.bill} {local_date(self.reminded_at)}"
