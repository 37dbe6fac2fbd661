"""Scores: the monthly KPIs with weights rescaled over the KPIs that have data, grade and
bonus (P-KPI-1…4, P-ASM-1); the annual score (P-ASM-2); and what a result leads to
(P-RP-1…3)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from .policy import DEFAULT, Policy

KPI_NAMES = ("satisfaction", "collection", "on_time", "task")
GRADES = ("excellent", "good", "passed", "failed")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ratio_score(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole as 0–100; None ("no data") when there is nothing to divide by."""
    if not whole:
        return None
    return _round(Decimal(part) / Decimal(whole) * HUNDRED)


def satisfaction_score(ratings: Iterable[int]) -> Decimal | None:
    """P-KPI-1: the mean of 1–5 ratings as a share of the best rating (4.5 → 90.00)."""
    ratings = list(ratings)
    if not ratings:
        return None
    if any(not 1 <= r <= 5 for r in ratings):
        raise ValueError("ratings are 1 to 5")
    return ratio_score(sum(ratings), 5 * len(ratings))


@dataclass(frozen=True)
class OnTime:
    """P-KPI-3 over the tickets due in a month: resolved by their deadline ÷ all counted.

    A ticket still open whose deadline has not yet come is pending, not counted."""

    score: Decimal | None
    counted: int
    late: tuple[str, ...]
    pending: tuple[str, ...]


def on_time_rate(tickets: Iterable[tuple[str, datetime, datetime | None]],
                 now: datetime) -> OnTime:
    """`tickets` are (code, due at, resolved at); resolved at the deadline is on time."""
    late, pending, counted = [], [], 0
    for code, due, resolved in tickets:
        if resolved is None and due >= now:
            pending.append(code)
            continue
        counted += 1
        if resolved is None or resolved > due:
            late.append(code)
    return OnTime(ratio_score(counted - len(late), counted), counted, tuple(late),
                  tuple(pending))


@dataclass(frozen=True)
class KPIs:
    """The month's four KPI scores, 0–100 each; None where the month has no data."""

    satisfaction: Decimal | None = None
    collection: Decimal | None = None
    on_time: Decimal | None = None
    task: Decimal | None = None

    def items(self) -> list[tuple[str, Decimal | None]]:
        return [(name, getattr(self, name)) for name in KPI_NAMES]


@dataclass(frozen=True)
class MonthlyScore:
    total: Decimal | None
    grade: str | None
    bonus_factor: Decimal | None
    weights: dict[str, Decimal] = field(default_factory=dict)  # fractions used, sum 1
    left_out: tuple[str, ...] = ()  # KPIs with no data this month


def policy_weights(policy: Policy = DEFAULT) -> dict[str, Decimal]:
    return {
        "satisfaction": policy.weight_satisfaction,
        "collection": policy.weight_collection,
        "on_time": policy.weight_on_time,
        "task": policy.weight_task,
    }


def _rescaled(values: dict[str, Decimal | None], weights: dict[str, Decimal]) -> dict:
    present = {n: w for n, w in weights.items() if values.get(n) is not None}
    total = sum(present.values(), Decimal(0))
    if not total:
        return {}
    return {name: weight / total for name, weight in present.items()}


def rescaled_weights(kpis: KPIs, policy: Policy = DEFAULT) -> dict[str, Decimal]:
    """The policy's weights over the KPIs that have data, as fractions summing to 1."""
    return _rescaled(dict(kpis.items()), policy_weights(policy))


def grade(score: Decimal, policy: Policy = DEFAULT) -> str:
    """Default: ≥ 90 excellent, ≥ 75 good, ≥ 60 pass, below fail."""
    if score >= policy.grade_excellent:
        return "excellent"
    if score >= policy.grade_good:
        return "good"
    if score >= policy.grade_pass:
        return "passed"
    return "failed"


def bonus_factor(grade_name: str, policy: Policy = DEFAULT) -> Decimal:
    """P-ASM-1: the factor on the month's performance bonus."""
    return {
        "excellent": policy.bonus_excellent,
        "good": policy.bonus_good,
        "passed": policy.bonus_pass,
        "failed": policy.bonus_fail,
    }[grade_name]


def monthly_score(kpis: KPIs, policy: Policy = DEFAULT) -> MonthlyScore:
    """The weighted total (rounded half-up to 0.01, graded as shown), grade and bonus.

    A KPI with no data is left out and the other weights rescaled; with no data at all
    there is no score."""
    for name, value in kpis.items():
        if value is not None and not 0 <= value <= 100:
            raise ValueError(f"{name} must be 0–100, not {value}")
    weights = rescaled_weights(kpis, policy)
    left_out = tuple(name for name, value in kpis.items() if value is None)
    if not weights:
        return MonthlyScore(None, None, None, {}, left_out)
    total = _round(sum((getattr(kpis, n) * w for n, w in weights.items()), Decimal(0)))
    total = min(max(total, Decimal(0)), HUNDRED)
    graded = grade(total, policy)
    return MonthlyScore(total, graded, bonus_factor(graded, policy), weights, left_out)


# ---- annual assessment (P-ASM-2) ------------------------------------------------------------
ANNUAL_PARTS = ("monthly_mean", "owner_evaluation", "performance_score")
# What an annual grade suggests; HR and management decide.
ANNUAL_OUTCOMES = {
    "excellent": ("annual_award", "promotion", "salary_adjustment"),
    "good": ("salary_adjustment",),
    "passed": (),
    "failed": (),
}


@dataclass(frozen=True)
class AnnualScore:
    total: Decimal | None
    grade: str | None
    outcomes: tuple[str, ...] = ()
    weights: dict[str, Decimal] = field(default_factory=dict)
    left_out: tuple[str, ...] = ()


def mean_score(scores: Iterable[Decimal]) -> Decimal | None:
    """The mean of the year's confirmed monthly totals; None for a year without any."""
    scores = list(scores)
    if not scores:
        return None
    return _round(sum(scores, Decimal(0)) / len(scores))


def annual_score(
    monthly_mean: Decimal | None,
    owner_evaluation: Decimal | None,
    performance_score: Decimal | None,
    policy: Policy = DEFAULT,
) -> AnnualScore:
    """P-ASM-2: 60 % mean monthly score + 25 % owners' evaluation + 15 % the supervisor's
    work-performance score (by default); a part without data is left out, as for KPIs."""
    values = dict(zip(ANNUAL_PARTS, (monthly_mean, owner_evaluation, performance_score),
                      strict=True))
    for name, value in values.items():
        if value is not None and not 0 <= value <= 100:
            raise ValueError(f"{name} must be 0–100, not {value}")
    weights = _rescaled(values, {
        "monthly_mean": policy.annual_weight_monthly,
        "owner_evaluation": policy.annual_weight_owner,
        "performance_score": policy.annual_weight_performance,
    })
    left_out = tuple(name for name, value in values.items() if value is None)
    if not weights:
        return AnnualScore(None, None, (), {}, left_out)
    total = _round(sum((values[n] * w for n, w in weights.items()), Decimal(0)))
    total = min(max(total, Decimal(0)), HUNDRED)
    graded = grade(total, policy)
    return AnnualScore(total, graded, ANNUAL_OUTCOMES[graded], weights, left_out)


# ---- consequences (P-RP-1…3) ----------------------------------------------------------------
def consequences(grade_name: str, previous_grade: str | None) -> tuple[str, ...]:
    """What a confirmed monthly result suggests, for HR to confirm.

    P-RP-1 excellent: performance bonus, honour certificate, promotion opportunity.
    P-RP-2 fail: a warning and a bonus deduction (demotion is HR's call, not suggested).
    P-RP-3 a fail right after a failed previous month: also a dismissal recommendation.
    """
    if grade_name == "excellent":
        return ("bonus", "certificate", "promotion_eligibility")
    if grade_name == "failed":
        suggested = ("warning", "bonus_deduction")
        return (*suggested, "dismissal") if previous_grade == "failed" else suggested
    return ()
