"""Monthly and annual assessments, rewards and penalties, career moves."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from .base import DERIVED, Choices, Entity, between, choice, ref
from .people import DEPARTMENT, POSITION, Staff
from .platform import PolicySetting

GRADE = Choices(
    "grade",
    excellent=_l("Excellent"),
    good=_l("Good"),
    passed=_l("Pass"),
    failed=_l("Fail"),
)
ASSESSMENT_STATUS = Choices("assessment_status", draft=_l("Draft"), confirmed=_l("Confirmed"))
REWARD_PENALTY_KIND = Choices(
    "reward_penalty_kind",
    bonus=_l("Performance bonus"),
    certificate=_l("Honour certificate"),
    promotion_eligibility=_l("Promotion opportunity"),
    warning=_l("Warning"),
    bonus_deduction=_l("Bonus deduction"),
    demotion=_l("Demotion"),
    dismissal=_l("Dismissal"),
)
DECISION_STATUS = Choices(
    "decision_status", pending=_l("Pending"), confirmed=_l("Confirmed"), rejected=_l("Rejected")
)
CAREER_MOVE_KIND = Choices(
    "career_move_kind",
    promotion=_l("Promotion"),
    transfer=_l("Transfer"),
    demotion=_l("Demotion"),
    dismissal=_l("Dismissal"),
)

CAREER_MOVE_STATUS = Choices(
    "career_move_status",
    planned=_l("Planned"),
    waiting=_l("Waiting for handover"),
    done=_l("Done"),
    cancelled=_l("Cancelled"),
)

SCORE = {"min": 0, "max": 100}


def score_column():
    return mapped_column(sa.Numeric(5, 2), nullable=True, info=SCORE)


class Assessment(Entity):
    """What monthly and annual assessments share: whose, by whom, the result, and its
    confirmation under a recorded policy version."""

    __abstract__ = True

    staff_id: Mapped[int] = ref("staff.id")
    assessor_id: Mapped[int | None] = ref("staff.id", nullable=True)
    total: Mapped[Decimal | None] = score_column()
    comment: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = choice(ASSESSMENT_STATUS, default="draft", index=True)
    confirmed_at: Mapped[datetime | None]
    confirmed_by: Mapped[str | None] = mapped_column(sa.String(80))
    policy_id: Mapped[int | None] = ref("policy_setting.id", nullable=True)
    # Why and by whom a confirmed assessment was last reopened.
    reopen_note: Mapped[str | None] = mapped_column(sa.Text)

    # Joined always: an assessment is shown as "name period" wherever it appears.
    @declared_attr
    def staff(cls) -> Mapped[Staff]:
        return relationship(foreign_keys=f"{cls.__name__}.staff_id", lazy="joined")

    @declared_attr
    def assessor(cls) -> Mapped[Staff | None]:
        return relationship(foreign_keys=f"{cls.__name__}.assessor_id")

    @declared_attr
    def policy(cls) -> Mapped[PolicySetting | None]:
        return relationship()


class MonthlyAssessment(Assessment):
    __tablename__ = "monthly_assessment"
    __table_args__ = (
        sa.UniqueConstraint("staff_id", "period"),
        between("satisfaction_score", 0, 100),
        between("collection_score", 0, 100),
        between("on_time_score", 0, 100),
        between("task_score", 0, 100),
        between("total", 0, 100),
    )

    period: Mapped[str] = mapped_column(sa.String(7), index=True, info={"format": "period"})
    satisfaction_score: Mapped[Decimal | None] = score_column()
    collection_score: Mapped[Decimal | None] = score_column()
    on_time_score: Mapped[Decimal | None] = score_column()
    task_score: Mapped[Decimal | None] = score_column()
    # P-KPI-4: the supervisor planned no tasks this month, so the KPI has no data (left out
    # and the weights rescaled) rather than not entered yet (which blocks confirmation).
    no_tasks: Mapped[bool] = mapped_column(default=False)
    grade: Mapped[str | None] = choice(GRADE, nullable=True, index=True)
    bonus_factor: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 2))
    # P-ASM-1: factor × the position's base under the policy version that scored it
    bonus_base: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), info={"min": 0})
    bonus_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), info={"min": 0})
    explanation: Mapped[str | None] = mapped_column(sa.Text)

    def __str__(self) -> str:
        return f"{self.staff} {self.period}"


class AnnualAssessment(Assessment):
    __tablename__ = "annual_assessment"
    __table_args__ = (
        sa.UniqueConstraint("staff_id", "year"),
        between("monthly_mean", 0, 100),
        between("owner_evaluation", 0, 100),
        between("performance_score", 0, 100),
        between("total", 0, 100),
    )

    year: Mapped[int] = mapped_column(index=True, info={"min": 2000, "max": 2100})
    monthly_mean: Mapped[Decimal | None] = score_column()
    owner_evaluation: Mapped[Decimal | None] = score_column()
    performance_score: Mapped[Decimal | None] = score_column()
    grade: Mapped[str | None] = choice(GRADE, nullable=True)
    suggested_outcome: Mapped[str | None] = mapped_column(sa.Text)

    def __str__(self) -> str:
        return f"{self.staff} {self.year}"


class RewardPenalty(Entity):
    __tablename__ = "reward_penalty"

    staff_id: Mapped[int] = ref("staff.id")
    kind: Mapped[str] = choice(REWARD_PENALTY_KIND, index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    amount: Mapped[Decimal | None] = mapped_column(info={"min": 0})
    status: Mapped[str] = choice(DECISION_STATUS, default="pending", index=True)
    decided_on: Mapped[date | None]
    monthly_assessment_id: Mapped[int | None] = ref("monthly_assessment.id", nullable=True)

    staff: Mapped[Staff] = relationship()
    monthly_assessment: Mapped[MonthlyAssessment | None] = relationship()

    def __str__(self) -> str:
        return f"{self.staff} {REWARD_PENALTY_KIND.label(self.kind)}"


class CareerMove(Entity):
    """A promotion, transfer, demotion or dismissal (P-CAR-1, P-CAR-2, P-RP-3), planned for
    its effective date and applied to the staff record on that date (services/careers.py)."""

    __tablename__ = "career_move"

    staff_id: Mapped[int] = ref("staff.id")
    kind: Mapped[str] = choice(CAREER_MOVE_KIND, index=True)
    # where the person stood when the move was recorded (filled in, not typed)
    from_position: Mapped[str | None] = choice(POSITION, nullable=True, check_name="from_position",
                                               info=DERIVED)
    from_department: Mapped[str | None] = choice(DEPARTMENT, nullable=True,
                                                 check_name="from_department", info=DERIVED)
    to_position: Mapped[str | None] = choice(POSITION, nullable=True, check_name="to_position")
    to_department: Mapped[str | None] = choice(DEPARTMENT, nullable=True)
    to_supervisor_id: Mapped[int | None] = ref("staff.id", nullable=True)
    effective_on: Mapped[date] = mapped_column(index=True)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = choice(CAREER_MOVE_STATUS, default="planned", index=True, info=DERIVED)
    applied_at: Mapped[datetime | None] = mapped_column(info=DERIVED)
    # the confirmed dismissal (P-RP-3) this move carries out
    reward_penalty_id: Mapped[int | None] = ref("reward_penalty.id", nullable=True,
                                                info=DERIVED)

    staff: Mapped[Staff] = relationship(foreign_keys=[staff_id])
    to_supervisor: Mapped[Staff | None] = relationship(foreign_keys=[to_supervisor_id])
    reward_penalty: Mapped[RewardPenalty | None] = relationship()

    def __str__(self) -> str:
        return f"{self.staff} {CAREER_MOVE_KIND.label(self.kind)} {self.effective_on}"
