"""Training programs, their sessions, and each person's results (P-TRN-1…4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import DERIVED, Choices, Entity, between, choice, positive, ref
from .people import Staff

TRAINING_KIND = Choices(
    "training_kind",
    onboarding=_l("Onboarding"),
    periodic=_l("Periodic"),
    industry=_l("Industry"),
)


class TrainingProgram(Entity):
    __tablename__ = "training_program"

    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    kind: Mapped[str] = choice(TRAINING_KIND, default="onboarding", index=True)
    topics: Mapped[str | None] = mapped_column(sa.Text)
    hours: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 1), info={"min": 0})

    def __str__(self) -> str:
        return self.name


class TrainingSession(Entity):
    __tablename__ = "training_session"

    program_id: Mapped[int] = ref("training_program.id")
    starts_on: Mapped[date] = mapped_column(index=True)
    location: Mapped[str | None] = mapped_column(sa.String(100))
    trainer: Mapped[str | None] = mapped_column(sa.String(50))

    program: Mapped[TrainingProgram] = relationship(lazy="joined")

    def __str__(self) -> str:
        return f"{self.program.name} {self.starts_on}"


class TrainingResult(Entity):
    """One person's attendance and exam attempt in a session; retakes are new attempts."""

    __tablename__ = "training_result"
    __table_args__ = (
        sa.UniqueConstraint("staff_id", "session_id", "attempt"),
        positive("attempt"),
        between("exam_score", 0, 100),
    )

    session_id: Mapped[int] = ref("training_session.id")
    staff_id: Mapped[int] = ref("staff.id")
    attempt: Mapped[int] = mapped_column(default=1, info={"min": 1, **DERIVED})
    taken_on: Mapped[date | None] = mapped_column(index=True)
    exam_score: Mapped[Decimal | None] = mapped_column(
        sa.Numeric(5, 1), info={"min": 0, "max": 100}
    )
    passed: Mapped[bool] = mapped_column(default=False, info=DERIVED)

    session: Mapped[TrainingSession] = relationship()
    staff: Mapped[Staff] = relationship()

    def __str__(self) -> str:
        return str(_l("%(staff)s, attempt %(attempt)s", staff=self.staff, attempt=self.attempt))
