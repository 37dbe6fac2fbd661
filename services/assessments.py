"""Monthly and annual assessments: scoring from what happened, the supervisor's month run,
confirming (with its consequences) and reopening (P-KPI-1…4, P-ASM-1, P-ASM-2, P-RP-1…3).

A month's figures are as of its cut-off (the end of its last day, company time): payments
made by then, the units the steward had on each bill's due date (`UnitAssignment`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session

from models import AnnualAssessment, MonthlyAssessment, RewardPenalty, Staff, locks
from models.assessment import GRADE, REWARD_PENALTY_KIND
from models.base import utcnow
from models.platform import PolicySetting
from models.queries import (
    MonthRecord,
    company_zone,
    local_date,
    month_record,
    month_records,
    policy_version_at,
    team_ratings,
    team_stewards,
)
from rules import assessing, periods
from rules.policy import Policy
from rules.refusal import N_, Refused
from rules.scoring import (
    KPIs,
    annual_score,
    mean_score,
    monthly_score,
    on_time_rate,
    ratio,
    round_score,
    satisfaction_score,
)

Assessment = MonthlyAssessment | AnnualAssessment


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _as_shown(value: Decimal | None) -> Decimal | None:
    """A KPI as stored and shown; the total is computed from the exact value."""
    return None if value is None else round_score(value)


# ---- scoring --------------------------------------------------------------------------------
def score_month(session: Session, assessment: MonthlyAssessment,
                now: datetime | None = None) -> None:
    """Compute a draft's KPIs from the steward's month, under the policy in force on the
    month's last day, and keep the breakdown the figures came from in `explanation`.

    Task completion not entered yet is pending (no total); "no tasks this month" is no data
    (left out, the weights rescaled)."""
    now = now or utcnow()
    staff = assessment.staff or session.get(Staff, assessment.staff_id)
    version = policy_version_at(session, periods.last_day(assessment.period))
    record = month_record(session, staff, assessment.period, company_zone())
    _score_month(assessment, staff, record, version, now)


def _score_month(assessment: MonthlyAssessment, staff: Staff, record: MonthRecord,
                 version: tuple[PolicySetting | None, Policy], now: datetime) -> None:
    """Score a draft from the steward's month `record` under the policy `version` (the
    settings row and its numbers)."""
    setting, policy = version
    receivable = sum((due for _, due, _ in record.bills), Decimal(0))
    collected = sum((paid for _, _, paid in record.bills), Decimal(0))
    timing = on_time_rate(record.tickets, now)
    task_pending = assessment.task_score is None and not assessment.no_tasks
    kpis = KPIs(
        satisfaction=satisfaction_score((r[2] for r in record.ratings), policy),
        collection=ratio(collected, receivable),
        on_time=timing.score,
        task=None if assessment.no_tasks else assessment.task_score,
    )
    score = monthly_score(kpis, policy, pending=("task",) if task_pending else ())
    assessment.satisfaction_score = _as_shown(kpis.satisfaction)
    assessment.collection_score = _as_shown(kpis.collection)
    assessment.on_time_score = _as_shown(kpis.on_time)
    assessment.total, assessment.grade = score.total, score.grade
    assessment.bonus_factor = score.bonus_factor
    assessment.bonus_base = policy.bonus_base(staff.position) or None
    assessment.bonus_amount = assessing.bonus_amount(score.bonus_factor, assessment.bonus_base)
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
        "not_entered": score.pending,
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
    assessment.monthly_mean = mean_score(list(totals))
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


def _run(session: Session, model, team: list[Staff], where, make, score, gather) -> Run:
    """Create the missing drafts of `team`, rescore the drafts there are, leave confirmed
    ones as they are. `gather(to_create, to_rescore)` fetches what making and scoring need
    for those stewards at once; `make` and `score` get what it returned."""
    run = Run()
    existing = {a.staff_id: a for a in session.scalars(sa.select(model).where(
        where, model.staff_id.in_([s.id for s in team])))}
    missing = [s for s in team if s.id not in existing]
    drafts = [s for s in team if s.id in existing and existing[s.id].status != "confirmed"]
    gathered = gather(missing, drafts)
    for steward in team:
        assessment = existing.get(steward.id)
        if assessment is None:
            assessment = make(steward, gathered)
            session.add(assessment)
            run.created.append(assessment)
        elif assessment.status == "confirmed":
            run.confirmed.append(assessment)
            continue
        else:
            run.rescored.append(assessment)
        score(assessment, gathered)
    return run


def run_month(session: Session, supervisor: Staff, period: str,
              now: datetime | None = None) -> Run:
    """The month's draft assessment of every steward on the supervisor's team, scored as
    `score_month` does, the team's figures gathered in a few queries whatever its size."""
    now = now or utcnow()
    assessing.check_may_run_month(period, local_date(now))
    last = periods.last_day(period)
    version = policy_version_at(session, last)

    def gather(missing: list[Staff], drafts: list[Staff]) -> dict[int, MonthRecord]:
        return month_records(session, missing + drafts, periods.first_day(period), last,
                             company_zone())

    return _run(
        session, MonthlyAssessment, team_stewards(session, supervisor.id, period),
        MonthlyAssessment.period == period,
        lambda steward, _: MonthlyAssessment(staff=steward, staff_id=steward.id,
                                             period=period, assessor=supervisor),
        lambda assessment, records: _score_month(
            assessment, assessment.staff, records[assessment.staff_id], version, now),
        gather,
    )


def run_year(session: Session, supervisor: Staff, year: int,
             now: datetime | None = None) -> Run:
    """The annual draft of every steward on the team. Where the policy says so
    (`owner_evaluation_prefill`), the owners' evaluation starts as the year's satisfaction
    score for the supervisor to change; otherwise it is entered from the owners' survey."""
    assessing.check_may_run_year(year, local_date(now or utcnow()))
    policy = policy_version_at(session, date(year, 12, 31))[1]

    def gather(missing: list[Staff], drafts: list[Staff]) -> dict[int, list]:
        if not policy.owner_evaluation_prefill:
            return {}
        return team_ratings(session, missing, date(year, 1, 1), date(year, 12, 31),
                            company_zone())

    def make(steward: Staff, ratings: dict[int, list]) -> AnnualAssessment:
        evaluation = None
        if policy.owner_evaluation_prefill:
            scores = (rating for _, _, rating, _ in ratings[steward.id])
            evaluation = _as_shown(satisfaction_score(scores, policy))
        return AnnualAssessment(staff=steward, staff_id=steward.id, year=year,
                                assessor=supervisor, owner_evaluation=evaluation)

    return _run(
        session, AnnualAssessment, team_stewards(session, supervisor.id, f"{year:04d}-12"),
        AnnualAssessment.year == year, make,
        lambda assessment, _: score_year(session, assessment),
        gather,
    )


# ---- confirm and reopen ---------------------------------------------------------------------
def confirm(session: Session, assessment: Assessment, actor: str | None,
            now: datetime | None = None) -> list[RewardPenalty]:
    """Freeze an assessment of a period that is over, with fresh figures; a monthly one
    suggests its consequences as pending rewards and penalties for HR (P-RP-1…3)."""
    now = now or utcnow()
    if assessment.status == "confirmed":
        raise Refused(N_("This assessment is already confirmed."))
    if isinstance(assessment, MonthlyAssessment):
        assessing.check_may_confirm_month(assessment.period, local_date(now))
        if assessment.task_score is None and not assessment.no_tasks:
            raise Refused(N_("Enter the task completion score before confirming."))
    else:
        assessing.check_may_confirm_year(assessment.year, local_date(now))
        if assessment.owner_evaluation is None or assessment.performance_score is None:
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
    suggested = [RewardPenalty(staff_id=assessment.staff_id, kind=kind, status="pending",
                               monthly_assessment=assessment,
                               reason=_reason(assessment, kind))
                 for kind in assessing.consequences(assessment.grade)]
    session.add_all(suggested)
    return suggested + _settle_dismissals(session, assessment.staff_id)


def _settle_dismissals(session: Session, staff_id: int) -> list[RewardPenalty]:
    """P-RP-3 whatever the order of confirming and reopening: one dismissal suggestion for
    each month that is the second of two consecutive months confirmed failing; a pending
    one whose pair no longer holds is withdrawn, a decided one stands. Returns the new ones.

    The staff row is held first, so two neighbouring months confirmed at once settle one
    after the other, the second seeing the first (PostgreSQL; SQLite has one writer)."""
    session.flush()
    locks.hold(session, session.get(Staff, staff_id))
    confirmed = {a.period: a for a in session.scalars(sa.select(MonthlyAssessment).where(
        MonthlyAssessment.staff_id == staff_id, MonthlyAssessment.status == "confirmed"))}
    wanted = assessing.dismissal_months({p: a.grade for p, a in confirmed.items()})
    have = set()
    for suggestion in session.scalars(sa.select(RewardPenalty).join(
            RewardPenalty.monthly_assessment).where(
            RewardPenalty.kind == "dismissal", MonthlyAssessment.staff_id == staff_id)):
        period = suggestion.monthly_assessment.period
        if period not in wanted and suggestion.status == "pending":
            session.delete(suggestion)
        else:
            have.add(period)
    added = [RewardPenalty(staff_id=staff_id, kind="dismissal", status="pending",
                           monthly_assessment=confirmed[period],
                           reason=_reason(confirmed[period], "dismissal"))
             for period in sorted(wanted - have)]
    session.add_all(added)
    return added


def _reason(assessment: MonthlyAssessment, kind: str) -> str:
    """Written in the company's language, whoever's screen confirmed the assessment."""
    from flask import current_app

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = gettext("%(period)s monthly assessment: %(total)s, %(grade)s.",
                       period=assessment.period, total=assessment.total,
                       grade=str(GRADE.label(assessment.grade)))
        if kind == "dismissal":
            text += " " + gettext("The previous month was %(grade)s too (P-RP-3).",
                                  grade=str(GRADE.label("failed")))
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
    # Newest first, earlier reopenings kept below (so a second reopening is a change too).
    note = f"{local_date(now)} {actor or ''}: {reason.strip()}"
    assessment.reopen_note = "\n".join(filter(None, (note, assessment.reopen_note)))
    if isinstance(assessment, MonthlyAssessment):
        for suggestion in session.scalars(sa.select(RewardPenalty).where(
            RewardPenalty.monthly_assessment_id == assessment.id,
            RewardPenalty.status == "pending",
        )):
            session.delete(suggestion)
        _settle_dismissals(session, assessment.staff_id)
