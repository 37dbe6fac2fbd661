"""Stewards' daily work logs and weekly/monthly summaries (P-LOG-1, P-LOG-2)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import DERIVED, Choices, Entity, choice, ref
from .people import Staff

SUMMARY_KIND = Choices("summary_kind", weekly=_l("Weekly"), monthly=_l("Monthly"))
SUMMARY_STATUS = Choices("summary_status", draft=_l("Draft"), submitted=_l("Submitted"))


class WorkLog(Entity):
    __tablename__ = "work_log"
    __table_args__ = (sa.UniqueConstraint("steward_id", "day"),)

    steward_id: Mapped[int] = ref("staff.id")
    day: Mapped[date] = mapped_column(index=True)
    needs_received: Mapped[str | None] = mapped_column(sa.Text)
    problems_handled: Mapped[str | None] = mapped_column(sa.Text)
    feedback_given: Mapped[str | None] = mapped_column(sa.Text)
    supervisor_comment: Mapped[str | None] = mapped_column(sa.Text)

    steward: Mapped[Staff] = relationship()

    def __str__(self) -> str:
        return f"{self.steward} {self.day}"


class Summary(Entity):
    __tablename__ = "summary"
    __table_args__ = (sa.UniqueConstraint("steward_id", "kind", "period_start"),)

    steward_id: Mapped[int] = ref("staff.id")
    kind: Mapped[str] = choice(SUMMARY_KIND, default="weekly")
    period_start: Mapped[date] = mapped_column(index=True)
    # What was done, pre-filled from the period's records (rules/summaries.py compose)
    work_done: Mapped[str | None] = mapped_column(sa.Text)
    problems: Mapped[str | None] = mapped_column(sa.Text)
    shortcomings: Mapped[str | None] = mapped_column(sa.Text)
    improvements: Mapped[str | None] = mapped_column(sa.Text)
    supervisor_comment: Mapped[str | None] = mapped_column(sa.Text)
    # Drafted by the steward, then submitted to the supervisor (services/summaries.py).
    status: Mapped[str] = choice(SUMMARY_STATUS, default="draft", index=True, info=DERIVED)
    submitted_at: Mapped[datetime | None] = mapped_column(info=DERIVED)
    # The figures counted from the period's records, as the steward saw them (JSON;
    # rules/summaries.py Figures.stored), with when they were counted.
    figures: Mapped[str | None] = mapped_column(sa.Text, info=DERIVED)

    steward: Mapped[Staff] = relationship()

    def __str__(self) -> str:
        return f"{self.steward} {SUMMARY_KIND.label(self.kind)} {self.period_start}"
