"""Scoring as the policy states it: monthly (P-KPI-1…4, P-ASM-1), annual (P-ASM-2), and
the consequences of a result (P-RP-1…3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.assessing import consequences, dismissal_months
from rules.policy import Policy
from rules.scoring import (
    KPIs,
    annual_score,
    grade,
    mean_score,
    monthly_score,
    on_time_rate,
    ratio_score,
    rescaled_weights,
    satisfaction_score,
)

D = Decimal
scores = st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2))
kpi_sets = st.builds(KPIs, scores, scores, scores, scores)


def test_weighted_total_with_default_weights_P_KPI():
    result = monthly_score(KPIs(D(90), D(80), D(70), D(100)))
    # 90×.35 + 80×.30 + 70×.20 + 100×.15 = 31.5 + 24 + 14 + 15
    assert result.total == D("84.50")
    assert result.grade == "good"
    assert result.bonus_factor == D("1.0")
    assert result.left_out == ()


def test_a_kpi_without_data_is_left_out_and_the_weights_rescaled_P_KPI():
    result = monthly_score(KPIs(satisfaction=D(90), collection=None, on_time=D(70), task=D(100)))
    # weights 35, 20, 15 of 70: 90×0.5 + 70×(2/7) + 100×(3/14) = 45 + 20 + 21.43
    assert result.total == D("86.43")
    assert result.left_out == ("collection",)
    assert sum(result.weights.values()) == 1


def test_a_month_with_no_data_has_no_score():
    result = monthly_score(KPIs())
    assert (result.total, result.grade, result.bonus_factor) == (None, None, None)


@pytest.mark.parametrize(("score", "expected"), [
    (D("90.0"), "excellent"), (D("89.99"), "good"), (D("75.0"), "good"),
    (D("74.99"), "passed"), (D("60.0"), "passed"), (D("59.99"), "failed"),
])
def test_grade_boundaries_are_inclusive(score, expected):
    assert grade(score) == expected


@pytest.mark.parametrize(("name", "factor"), [
    ("excellent", D("1.2")), ("good", D("1.0")), ("passed", D("0.8")), ("failed", D("0")),
])
def test_bonus_factor_by_grade_P_ASM_1(name, factor):
    kpi = {"excellent": D(95), "good": D(80), "passed": D(65), "failed": D(40)}[name]
    assert monthly_score(KPIs(kpi, kpi, kpi, kpi)).bonus_factor == factor


def test_satisfaction_is_the_mean_rating_as_a_share_of_five_P_KPI_1():
    assert satisfaction_score([5, 4]) == D("90.00")
    assert satisfaction_score([]) is None
    with pytest.raises(ValueError):
        satisfaction_score([6])


def test_nothing_receivable_is_no_data_not_zero_P_KPI_2():
    assert ratio_score(D("0"), D("0")) is None
    assert ratio_score(D("150.00"), D("200.00")) == D("75.00")


def test_scores_follow_the_policy_they_are_given():
    strict = Policy(grade_excellent=D(95), grade_good=D(85), grade_pass=D(70))
    assert monthly_score(KPIs(D(90), D(90), D(90), D(90)), strict).grade == "good"


@given(kpi_sets)
def test_total_stays_within_0_and_100(kpis):
    total = monthly_score(kpis).total
    assert total is None or D(0) <= total <= D(100)


@given(kpi_sets)
def test_rescaled_weights_sum_to_one(kpis):
    weights = rescaled_weights(kpis)
    assert not weights or abs(sum(weights.values()) - 1) < D("1e-20")


@given(st.decimals(min_value=0, max_value=100, places=2),
       st.decimals(min_value=0, max_value=100, places=2))
def test_grade_is_monotonic_in_score(a, b):
    order = ["failed", "passed", "good", "excellent"]
    low, high = sorted((a, b))
    assert order.index(grade(low)) <= order.index(grade(high))


# ---- on-time rate (P-KPI-3) ------------------------------------------------------------------
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
DUE = datetime(2026, 11, 10, 4, 0, tzinfo=UTC)


def test_on_time_counts_resolved_by_the_deadline_and_open_ones_past_it_P_KPI_3():
    tickets = [
        ("T1", DUE, DUE),                                 # at the deadline: on time
        ("T2", DUE, DUE + timedelta(seconds=1)),          # a second late
        ("T3", DUE, None),                                # still open, deadline passed: late
        ("T4", NOW + timedelta(hours=1), None),           # not yet due: pending, not counted
        ("T5", DUE, DUE - timedelta(hours=3)),
    ]
    result = on_time_rate(tickets, NOW)
    assert (result.counted, result.late, result.pending) == (4, ("T2", "T3"), ("T4",))
    assert result.score == D("50.00")


def test_a_month_without_tickets_due_has_no_on_time_rate():
    assert on_time_rate([], NOW).score is None


# ---- annual (P-ASM-2) ------------------------------------------------------------------------
def test_annual_total_is_60_25_15_by_default_P_ASM_2():
    # 0.60 × 84.50 + 0.25 × 92.00 + 0.15 × 80.00 = 50.70 + 23.00 + 12.00 = 85.70
    result = annual_score(D("84.50"), D("92.00"), D("80.00"))
    assert (result.total, result.grade) == (D("85.70"), "good")
    assert result.outcomes == ("salary_adjustment",)


def test_an_excellent_year_suggests_award_promotion_and_raise_P_ASM_2():
    assert annual_score(D(95), D(95), D(90)).outcomes == (
        "annual_award", "promotion", "salary_adjustment")


def test_an_annual_part_without_data_is_left_out_and_rescaled_P_ASM_2():
    # no monthly results: 25 and 15 become 62.5 % and 37.5 %: 0.625 × 80 + 0.375 × 90 = 83.75
    result = annual_score(None, D(80), D(90))
    assert result.total == D("83.75") and result.left_out == ("monthly_mean",)
    assert annual_score(None, None, None).total is None


def test_the_monthly_mean_is_of_the_confirmed_totals():
    assert mean_score([D("80.00"), D("90.00"), D("85.01")]) == D("85.00")
    assert mean_score([]) is None


@given(scores, scores, scores)
def test_annual_total_stays_within_0_and_100(a, b, c):
    total = annual_score(a, b, c).total
    assert total is None or D(0) <= total <= D(100)


# ---- consequences (P-RP-1…3) -----------------------------------------------------------------
def test_excellent_suggests_bonus_certificate_and_promotion_P_RP_1():
    assert consequences("excellent") == ("bonus", "certificate", "promotion_eligibility")


def test_a_fail_suggests_a_warning_and_a_bonus_deduction_P_RP_2():
    assert consequences("failed") == ("warning", "bonus_deduction")
    assert consequences("good") == consequences("passed") == ()


def test_two_consecutive_fails_mean_dismissal_P_RP_3():
    grades = {"2025-09": "failed", "2025-10": "failed", "2025-11": "good",
              "2025-12": "failed", "2026-02": "failed", "2026-01": None}
    assert dismissal_months(grades) == {"2025-10"}
    # across the turn of a year, and three in a row are two pairs
    assert dismissal_months({"2025-12": "failed", "2026-01": "failed",
                             "2026-02": "failed"}) == {"2026-01", "2026-02"}


@pytest.mark.parametrize("name", ["good", "passed"])
def test_good_and_pass_have_no_consequence(name):
    assert consequences(name) == ()


# ---- round once; pending is not "no data"; the readings; when; the bonus --------------------
def test_the_total_is_rounded_once_so_rounded_parts_cannot_cross_a_grade_line_P_ASM_1():
    """Satisfaction 5/6 (ratings 5, 4, 4, 4, 4, 4), collection 500 of 1,100, on time 2 of 9,
    task 85: exactly 60.00, a pass. Summing KPIs already rounded (83.33, 45.45, 22.22) gave
    59.99, a fail."""
    from rules.scoring import ratio

    kpis = KPIs(satisfaction_score([5, 4, 4, 4, 4, 4]), ratio(500, 1100), ratio(2, 9), D(85))
    exact = monthly_score(kpis)
    assert (exact.total, exact.grade) == (D("60.00"), "passed")
    rounded = KPIs(*(v.quantize(D("0.01")) for _, v in kpis.items()))
    assert (monthly_score(rounded).total, monthly_score(rounded).grade) == (D("59.99"),
                                                                             "failed")


def test_a_kpi_not_entered_is_pending_and_gives_no_total_P_KPI_4():
    result = monthly_score(KPIs(D(90), D(80), D(70), None), pending=("task",))
    assert (result.total, result.grade, result.pending, result.left_out) == (
        None, None, ("task",), ())


def test_the_linear_satisfaction_scale_maps_1_to_0_and_5_to_100_P_KPI_1():
    linear = Policy(satisfaction_scale="linear")
    assert satisfaction_score([1], linear) == 0 and satisfaction_score([5], linear) == 100
    assert satisfaction_score([3], linear) == 50
    assert satisfaction_score([1]) == 20  # the default: a share of the best rating


def test_a_month_runs_once_begun_and_is_confirmed_once_over_P_ASM_1():
    from datetime import date

    from rules import assessing
    from rules.refusal import Refused

    today = date(2026, 11, 27)
    assessing.check_may_run_month("2026-11", today)  # a preview while it runs
    with pytest.raises(Refused):
        assessing.check_may_run_month("2026-12", today)
    with pytest.raises(Refused):
        assessing.check_may_confirm_month("2026-11", date(2026, 11, 30))
    assessing.check_may_confirm_month("2026-11", date(2026, 12, 1))
    with pytest.raises(Refused):
        assessing.check_may_confirm_year(2026, date(2026, 12, 31))
    assessing.check_may_confirm_year(2026, date(2027, 1, 1))


def test_the_bonus_is_factor_times_the_positions_base_to_the_fen_P_ASM_1():
    from rules.assessing import bonus_amount

    assert bonus_amount(D("0.80"), D("2000")) == D("1600.00")
    assert bonus_amount(D("1.2"), D("1234.56")) == D("1481.47")
    assert bonus_amount(None, D("2000")) is None and bonus_amount(D("1.0"), D("0")) is None
