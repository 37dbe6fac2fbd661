"""Fees as pure rules: amounts to the fen, bill status from payments, arrears aging,
collection rate (P-FEE-1…3, P-KPI-2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules import billing
from rules.billing import (
    aging_bucket,
    bill_status,
    check_payments,
    check_waiver,
    collection_rate,
    days_overdue,
    in_force,
    monthly_amount,
)
from rules.refusal import Refused

D = Decimal


@pytest.mark.parametrize(("basis", "rate", "area", "amount"), [
    ("per_m2", "2.35", "89.37", "210.02"),    # 210.0195
    ("per_m2", "0.50", "10.01", "5.01"),      # 5.005: half-up, not to even
    ("per_m2", "6.80", "120.00", "816.00"),
    ("per_m2", "3.20", "1199.99", "3839.97"),  # 3839.968
    ("fixed", "150", "89.37", "150.00"),
])
def test_the_monthly_amount_is_exact_to_the_fen_P_FEE_1(basis, rate, area, amount):
    assert monthly_amount(basis, D(rate), D(area)) == D(amount)


def test_a_standard_bills_a_month_it_is_in_force_on_any_day_of():
    first, last = date(2026, 11, 1), date(2026, 11, 30)
    assert in_force(date(2026, 11, 30), None, first, last)
    assert in_force(date(2025, 1, 1), date(2026, 11, 1), first, last)
    assert not in_force(date(2026, 12, 1), None, first, last)
    assert not in_force(date(2025, 1, 1), date(2026, 10, 31), first, last)


@pytest.mark.parametrize(("paid", "waived", "status"), [
    ("0", False, "unpaid"), ("0.01", False, "partly_paid"), ("99.99", False, "partly_paid"),
    ("100", False, "paid"), ("0", True, "waived")])
def test_the_status_follows_the_payments(paid, waived, status):
    assert bill_status(D("100.00"), D(paid), waived) == status


def test_partial_exact_and_over_payment_P_FEE_1():
    assert check_payments(D("100.00"), D("0"), [D("30.00")], False) == D("30.00")
    assert check_payments(D("100.00"), D("30.00"), [D("70.00")], False) == D("100.00")
    with pytest.raises(Refused, match="more than is owed") as refused:
        check_payments(D("100.00"), D("30.00"), [D("70.01")], False)
    assert refused.value.params["owed"] == D("70.00")
    with pytest.raises(Refused, match="more than zero"):
        check_payments(D("100.00"), D("0"), [D("0")], False)


def test_nothing_is_paid_on_a_waived_bill_and_a_paid_one_is_not_waived():
    with pytest.raises(Refused, match="waived"):
        check_payments(D("100.00"), D("0"), [D("1.00")], True)
    with pytest.raises(Refused, match="cannot be waived"):
        check_waiver(D("0.01"))
    check_waiver(D("0"))


@given(st.lists(st.decimals(min_value=D("0.01"), max_value=D("80"), places=2), max_size=8))
def test_accepted_payments_never_exceed_the_amount_and_the_status_matches(payments):
    amount, settled = D("100.00"), D("0.00")
    for payment in payments:
        try:
            settled = check_payments(amount, settled, [payment], False)
        except Refused:
            assert settled + payment > amount
        assert settled <= amount
        assert bill_status(amount, settled) == (
            "paid" if settled == amount else "partly_paid" if settled else "unpaid")


@pytest.mark.parametrize(("days", "bucket"), [
    (0, None), (-3, None), (1, "0-30"), (30, "0-30"), (31, "31-90"), (90, "31-90"),
    (91, "91-180"), (180, "91-180"), (181, "180+"), (900, "180+")])
def test_arrears_aging_buckets_P_FEE_2(days, bucket):
    assert aging_bucket(days) == bucket


def test_days_overdue_count_from_the_due_date():
    assert days_overdue(date(2026, 10, 25), date(2026, 11, 26)) == 32


def test_collection_rate_is_collected_over_receivable_P_FEE_3_P_KPI_2():
    assert collection_rate(D("350.00"), D("500.00")) == D("70.00")
    assert collection_rate(D("0"), D("0")) is None  # nothing receivable: no data, not 0


@pytest.mark.parametrize("days", [1, 30, 31, 90, 91, 180, 181, 900])
def test_a_buckets_span_holds_exactly_the_days_it_names_P_FEE_2(days):
    """The arrears filter's span of a bucket and the bucket of a day count agree."""
    lower, upper = billing.bucket_span(billing.aging_bucket(days))
    assert lower < days and (upper is None or days <= upper)
    others = [name for name, _ in billing.AGING_BUCKETS if name != billing.aging_bucket(days)]
    for name in others:
        low, up = billing.bucket_span(name)
        assert not (low < days and (up is None or days <= up))
    with pytest.raises(Refused):
        billing.bucket_span("1-2")
