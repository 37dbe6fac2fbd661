"""Monthly scores: KPIs, weights rescaled over the KPIs with data, grade and bonus
(P-KPI-1…4, P-ASM-1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
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


def rescaled_weights(kpis: KPIs, policy: Policy = DEFAULT) -> dict[str, Decimal]:
    """The policy's weights over the KPIs that have data, as fractions summing to 1."""
    present = {n: w for n, w in policy_weights(policy).items() if getattr(kpis, n) is not None}
    total = sum(present.values(), Decimal(0))
    if not total:
        return {}
    return {name: weight / total for name, weight in present.items()}


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
