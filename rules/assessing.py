"""When an assessment may be run and confirmed (P-ASM-1, P-ASM-2), what a confirmed result
leads to (P-RP-1, P-RP-2, P-RP-3) and the bonus it sets (P-ASM-1)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from . import periods
from .refusal import N_, Refused


# ---- when (P-ASM-1, P-ASM-2) ----------------------------------------------------------------
def check_may_run_month(period: str, today: date) -> None:
    """A month can be run (as a draft) once it has begun: the current month is a preview."""
    if periods.first_day(period) > today:
        raise Refused(N_("%(period)s has not begun; only a month under way or past can be "
                         "assessed."), period=period)


def check_may_confirm_month(period: str, today: date) -> None:
    """A month is confirmed only after its last day (in the company's calendar)."""
    if periods.last_day(period) >= today:
        raise Refused(N_("%(period)s is not over yet; it can be confirmed from %(day)s."),
                      period=period, day=(periods.last_day(period) + timedelta(days=1)).isoformat())


def check_may_run_year(year: int, today: date) -> None:
    if year > today.year:
        raise Refused(N_("%(year)s has not begun; only a year under way or past can be "
                         "assessed."), year=year)


def check_may_confirm_year(year: int, today: date) -> None:
    """The annual assessment is made at year end: confirmed once the year is over."""
    if year >= today.year:
        raise Refused(N_("%(year)s is not over yet; it can be confirmed from %(day)s."),
                      year=year, day=f"{year + 1}-01-01")


def check_task_entry(task_score: Decimal | None, no_tasks: bool) -> None:
    """P-KPI-4: a task score, or "no tasks planned this month" — not both."""
    if no_tasks and task_score is not None:
        raise Refused(N_("Enter a task completion score or tick \"no tasks planned this "
                         "month\", not both."))


# ---- consequences (P-RP-1, P-RP-2, P-RP-3) ----------------------------------------------------
def consequences(grade_name: str | None) -> tuple[str, ...]:
    """What a confirmed monthly result suggests by itself, for HR to decide.

    P-RP-1 excellent: performance bonus, honour certificate, promotion opportunity.
    P-RP-2 fail: a warning and a bonus deduction (demotion is HR's call, not suggested).
    Dismissal (P-RP-3) depends on the neighbouring months: `dismissal_months`."""
    if grade_name == "excellent":
        return ("bonus", "certificate", "promotion_eligibility")
    if grade_name == "failed":
        return ("warning", "bonus_deduction")
    return ()


def dismissal_months(confirmed: Mapping[str, str | None]) -> set[str]:
    """P-RP-3: the months that are the second of two consecutive calendar months both
    confirmed failing (`confirmed`: period → confirmed grade). One dismissal suggestion
    belongs to each; the set depends only on the confirmed grades, never on the order in
    which they were confirmed or reopened."""
    return {period for period, grade in confirmed.items()
            if grade == "failed" and confirmed.get(periods.previous_period(period)) == "failed"}


# ---- the bonus (P-ASM-1) ----------------------------------------------------------------------
def bonus_amount(factor: Decimal | None, base: Decimal | None) -> Decimal | None:
    """The month's performance bonus: factor × the position's base, to the fen; None when
    either is unknown (no score yet, or no base set)."""
    if factor is None or not base:
        return None
    return (factor * base).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
