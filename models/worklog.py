"""Stewards' daily work logs and weekly/monthly summaries (P-LOG-1, P-LOG-2)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Choices, Entity, choice, ref
from .people import Staff

SUMMARY_KIND = Choices("summary_kind", weekly=_l("Weekly"), monthly=_l("Monthly"))


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
    problems: Mapped[str | None] = mapped_column(sa.Text)
    shortcomings: Mapped[str | None] = mapped_column(sa.Text)
    improvements: Mapped[str | None] = mapped_column(sa.Text)
    supervisor_comment: Mapped[str | None] = mapped_column(sa.Text)

    steward: Mapped[Staff] = relationship()

    def __str__(self) -> str:
        return f"{self.steward} {self.kind} {self.period_start}"
