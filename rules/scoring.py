"""Scores: the monthly KPIs with weights rescaled over the KPIs that have data, grade and
bonus (P-KPI-1, P-KPI-2, P-KPI-3, P-KPI-4, P-ASM-1); the annual score (P-ASM-2).

KPIs are kept exact; a total is rounded once, at the end (half-up to 0.01), and graded as
shown. What a result leads to is in `rules.assessing`."""

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


def round_score(value: Decimal) -> Decimal:
    """A score as shown and stored: half-up to 0.01."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole as 0–100, exact; None ("no data") when there is nothing to divide by."""
    if not whole:
        return None
    return Decimal(part) / Decimal(whole) * HUNDRED


def ratio_score(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole as 0–100 rounded to 0.01, for reports."""
    exact = ratio(part, whole)
    return None if exact is None else round_score(exact)


# How a mean rating 1–5 becomes 0–100 (a policy setting, docs/workflow.md):
SATISFACTION_SCALES = ("share_of_best", "linear")


def satisfaction_score(ratings: Iterable[int], policy: Policy = DEFAULT) -> Decimal | None:
    """P-KPI-1: the mean of 1–5 ratings scaled to 0–100, exact.

    "share_of_best" (the default): the mean as a share of the best rating, 4.5 → 90, 1 → 20.
    "linear": the scale's ends map to 0 and 100, 1 → 0, 3 → 50, 5 → 100."""
    ratings = list(ratings)
    if not ratings:
        return None
    if any(not 1 <= r <= 5 for r in ratings):
        raise ValueError("ratings are 1 to 5")
    if policy.satisfaction_scale == "linear":
        return ratio(sum(ratings) - len(ratings), 4 * len(ratings))
    return ratio(sum(ratings), 5 * len(ratings))


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
    return OnTime(ratio(counted - len(late), counted), counted, tuple(late), tuple(pending))


@dataclass(frozen=True)
class KPIs:
    """The month's four KPI scores, 0–100 each, exact; None where the month has no data."""

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
    pending: tuple[str, ...] = ()  # KPIs not entered yet: no total until they are


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


def monthly_score(kpis: KPIs, policy: Policy = DEFAULT,
                  pending: tuple[str, ...] = ()) -> MonthlyScore:
    """The weighted total of the exact KPIs, rounded half-up to 0.01 once, at the end, and
    graded as shown (so rounding the parts never moves a total across a grade line); its
    grade and bonus factor.

    A KPI with no data in the period is left out and the other weights rescaled; with no
    data at all there is no score. A KPI not entered yet (`pending`) is not "no data": there
    is no total until it is entered (P-KPI-4)."""
    for name, value in kpis.items():
        if value is not None and not 0 <= value <= 100:
            raise ValueError(f"{name} must be 0–100, not {value}")
    weights = rescaled_weights(kpis, policy)
    left_out = tuple(name for name, value in kpis.items()
                     if value is None and name not in pending)
    if pending or not weights:
        return MonthlyScore(None, None, None, {}, left_out, tuple(pending))
    total = round_score(sum((getattr(kpis, n) * w for n, w in weights.items()), Decimal(0)))
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
    return round_score(sum(scores, Decimal(0)) / len(scores))


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
    total = round_score(sum((values[n] * w for n, w in weights.items()), Decimal(0)))
    total = min(max(total, Decimal(0)), HUNDRED)
    graded = grade(total, policy)
    return AnnualScore(total, graded, ANNUAL_OUTCOMES[graded], weights, left_out)
