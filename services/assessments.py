"""Monthly and annual assessments: scoring from what happened, the supervisor's month run,
confirming (with its consequences) and reopening (P-KPI-1…4, P-ASM-1, P-ASM-2, P-RP-1…3)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session

from models import AnnualAssessment, MonthlyAssessment, RewardPenalty, Staff
from models.assessment import GRADE, REWARD_PENALTY_KIND
from models.base import utcnow
from models.queries import (
    activity_record,
    company_zone,
    local_date,
    month_record,
    policy_version_at,
    previous_grade,
    team_stewards,
)
from rules import periods
from rules.billing import collection_rate
from rules.refusal import N_, Refused
from rules.scoring import (
    KPIs,
    annual_score,
    consequences,
    mean_score,
    monthly_score,
    on_time_rate,
    satisfaction_score,
)

Assessment = MonthlyAssessment | AnnualAssessment


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


# ---- scoring --------------------------------------------------------------------------------
def score_month(session: Session, assessment: MonthlyAssessment,
                now: datetime | None = None) -> None:
    """Compute a draft's KPIs from the steward's month, under the policy in force on the
    month's last day, and keep the breakdown the figures came from in `explanation`."""
    now = now or utcnow()
    staff = assessment.staff or session.get(Staff, assessment.staff_id)
    setting, policy = policy_version_at(session, periods.last_day(assessment.period))
    record = month_record(session, staff, assessment.period, company_zone())
    receivable = sum((due for _, due, _ in record.bills), Decimal(0))
    collected = sum((paid for _, _, paid in record.bills), Decimal(0))
    timing = on_time_rate(record.tickets, now)
    kpis = KPIs(
        satisfaction=satisfaction_score(r for _, _, r in record.ratings),
        collection=collection_rate(collected, receivable),
        on_time=timing.score,
        task=assessment.task_score,
    )
    score = monthly_score(kpis, policy)
    assessment.satisfaction_score = kpis.satisfaction
    assessment.collection_score = kpis.collection
    assessment.on_time_score = kpis.on_time
    assessment.total, assessment.grade = score.total, score.grade
    assessment.bonus_factor = score.bonus_factor
    assessment.policy = setting
    assessment.explanation = json.dumps({
        "first": record.first.isoformat(),
        "last": record.last.isoformat(),
        "computed_at": now.isoformat(timespec="seconds"),
        "ratings": record.ratings,
        "receivable": _money(receivable),
        "collected": _money(collected),
        "unpaid": [(label, _money(due), _money(paid))
                   for label, due, paid in record.bills if paid < due],
        "bills": len(record.bills),
        "tickets_counted": timing.counted,
        "late": timing.late,
        "pending": timing.pending,
        "weights": {name: f"{weight * 100:.2f}" for name, weight in score.weights.items()},
        "left_out": score.left_out,
    }, ensure_ascii=False)


def explanation(assessment: MonthlyAssessment) -> dict:
    """The stored breakdown of a monthly score (empty before it was scored)."""
    return json.loads(assessment.explanation) if assessment.explanation else {}


def score_year(session: Session, assessment: AnnualAssessment) -> None:
    """P-ASM-2 from the year's confirmed monthly totals and the two entered scores."""
    last = date(assessment.year, 12, 31)
    setting, policy = policy_version_at(session, last)
    totals = session.scalars(sa.select(MonthlyAssessment.total).where(
        MonthlyAssessment.staff_id == assessment.staff_id,
        MonthlyAssessment.status == "confirmed",
        MonthlyAssessment.total.is_not(None),
        MonthlyAssessment.period.like(f"{assessment.year:04d}-%"),
    ))
    assessment.monthly_mean = mean_score(totals)
    score = annual_score(assessment.monthly_mean, assessment.owner_evaluation,
                         assessment.performance_score, policy)
    assessment.total, assessment.grade = score.total, score.grade
    assessment.suggested_outcome = ",".join(score.outcomes) or None
    assessment.policy = setting


def rescore(session: Session, assessment: Assessment, now: datetime | None = None) -> None:
    if isinstance(assessment, MonthlyAssessment):
        score_month(session, assessment, now)
    else:
        score_year(session, assessment)


# ---- the supervisor's runs ------------------------------------------------------------------
@dataclass
class Run:
    created: list = field(default_factory=list)
    rescored: list = field(default_factory=list)
    confirmed: list = field(default_factory=list)  # left as they were


def _run(session: Session, model, team: list[Staff], where, make, score) -> Run:
    """Create the missing drafts of `team`, rescore the drafts there are, leave confirmed
    ones as they are."""
    run = Run()
    existing = {a.staff_id: a for a in session.scalars(sa.select(model).where(
        where, model.staff_id.in_([s.id for s in team])))}
    for steward in team:
        assessment = existing.get(steward.id)
        if assessment is None:
            assessment = make(steward)
            session.add(assessment)
            run.created.append(assessment)
        elif assessment.status == "confirmed":
            run.confirmed.append(assessment)
            continue
        else:
            run.rescored.append(assessment)
        score(assessment)
    return run


def run_month(session: Session, supervisor: Staff, period: str,
              now: datetime | None = None) -> Run:
    """The month's draft assessment of every steward on the supervisor's team."""
    periods.parse_period(period)
    return _run(
        session, MonthlyAssessment, team_stewards(session, supervisor.id, period),
        MonthlyAssessment.period == period,
        lambda steward: MonthlyAssessment(staff=steward, period=period, assessor=supervisor),
        lambda assessment: score_month(session, assessment, now),
    )


def run_year(session: Session, supervisor: Staff, year: int) -> Run:
    """The annual draft of every steward on the team. The owners' evaluation starts as the
    year's satisfaction score; the supervisor may change it."""

    def make(steward: Staff) -> AnnualAssessment:
        record = activity_record(session, steward, date(year, 1, 1), date(year, 12, 31),
                                 company_zone())
        return AnnualAssessment(
            staff=steward, year=year, assessor=supervisor,
            owner_evaluation=satisfaction_score(r for _, _, r in record.ratings))

    return _run(
        session, AnnualAssessment, team_stewards(session, supervisor.id, f"{year:04d}-12"),
        AnnualAssessment.year == year, make,
        lambda assessment: score_year(session, assessment),
    )


# ---- confirm and reopen ---------------------------------------------------------------------
def confirm(session: Session, assessment: Assessment, actor: str | None,
            now: datetime | None = None) -> list[RewardPenalty]:
    """Freeze an assessment with fresh figures; a monthly one suggests its consequences as
    pending rewards and penalties for HR (P-RP-1…3)."""
    now = now or utcnow()
    if assessment.status == "confirmed":
        raise Refused(N_("This assessment is already confirmed."))
    if isinstance(assessment, MonthlyAssessment):
        if assessment.task_score is None:
            raise Refused(N_("Enter the task completion score before confirming."))
    elif assessment.owner_evaluation is None or assessment.performance_score is None:
        raise Refused(N_("Enter the owners' evaluation and the work-performance score "
                         "before confirming."))
    rescore(session, assessment, now)
    if assessment.total is None:
        raise Refused(N_("There is nothing to score yet."))
    assessment.status = "confirmed"
    assessment.confirmed_at = now
    assessment.confirmed_by = actor
    if not isinstance(assessment, MonthlyAssessment):
        return []
    suggested = []
    before = previous_grade(session, assessment.staff_id, assessment.period)
    for kind in consequences(assessment.grade, before):
        suggested.append(RewardPenalty(
            staff_id=assessment.staff_id, kind=kind, status="pending",
            monthly_assessment=assessment, reason=_reason(assessment, kind, before)))
    session.add_all(suggested)
    return suggested


def _reason(assessment: MonthlyAssessment, kind: str, before: str | None) -> str:
    """Written in the company's language, whoever's screen confirmed the assessment."""
    from flask import current_app

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = gettext("%(period)s monthly assessment: %(total)s, %(grade)s.",
                       period=assessment.period, total=assessment.total,
                       grade=str(GRADE.label(assessment.grade)))
        if kind == "dismissal":
            text += " " + gettext("The previous month was %(grade)s too (P-RP-3).",
                                  grade=str(GRADE.label(before)))
        return f"{text} {REWARD_PENALTY_KIND.label(kind)}"


def reopen(session: Session, assessment: Assessment, actor: str | None, reason: str,
           now: datetime | None = None) -> None:
    """Unfreeze a confirmed assessment, saying why. Suggestions HR has not yet decided are
    withdrawn; decided ones stand."""
    now = now or utcnow()
    if assessment.status != "confirmed":
        raise Refused(N_("Only a confirmed assessment can be reopened."))
    if not (reason or "").strip():
        raise Refused(N_("Reopening needs a reason."))
    assessment.status = "draft"
    assessment.confirmed_at = assessment.confirmed_by = None
    assessment.reopen_note = f"{local_date(now)} {actor or ''}: {reason.strip()}"
    if isinstance(assessment, MonthlyAssessment):
        for suggestion in session.scalars(sa.select(RewardPenalty).where(
            RewardPenalty.monthly_assessment_id == assessment.id,
            RewardPenalty.status == "pending",
        )):
            session.delete(suggestion)
