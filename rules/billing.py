"""Fees: what a unit owes for a month, what a bill's payments make of it, how late the
arrears are, and the collection rate (P-FEE-1…3, P-KPI-2)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .refusal import N_, Refused
from .scoring import ratio_score

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
# The most a bill can hold: money is Numeric(12, 2).
MAX_AMOUNT = Decimal("9999999999.99")
# Days overdue → bucket, upper bounds inclusive; the last bucket has none.
AGING_BUCKETS = (("0-30", 30), ("31-90", 90), ("91-180", 180), ("180+", None))


def monthly_amount(basis: str, rate: Decimal, area: Decimal) -> Decimal:
    """Area × rate per m², or the fixed amount; rounded half-up to the fen."""
    if basis == "per_m2":
        amount = Decimal(area) * Decimal(rate)
    elif basis == "fixed":
        amount = Decimal(rate)
    else:
        raise ValueError(f"unknown fee basis {basis!r}")
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def in_force(effective_from: date, effective_until: date | None, first: date, last: date) -> bool:
    """A standard bills a month when it is in force on any day of it."""
    return effective_from <= last and (effective_until is None or effective_until >= first)


def bill_status(amount: Decimal, paid: Decimal, waived: bool = False) -> str:
    """A bill's status follows from its payments: unpaid, partly paid, paid; or waived."""
    if waived:
        return "waived"
    if paid <= 0:
        return "unpaid"
    return "paid" if paid >= amount else "partly_paid"


def check_payments(amount: Decimal, settled: Decimal, incoming: list[Decimal],
                   waived: bool) -> Decimal:
    """What a bill's payments come to once `incoming` payments join those `settled`, or a
    refusal: nothing is paid on a waived bill, and never more than the bill's amount."""
    if waived and incoming:
        raise Refused(N_("This bill is waived; nothing can be paid on it."))
    if any(p <= 0 for p in incoming):
        raise Refused(N_("A payment must be more than zero."))
    total = settled + sum(incoming, ZERO)
    if total > amount:
        raise Refused(N_("That is more than is owed: %(owed)s of %(amount)s remains to pay."),
                      owed=max(amount - settled, ZERO), amount=amount)
    return total


def check_waiver(paid: Decimal) -> None:
    if paid > 0:
        raise Refused(N_("A bill with payments cannot be waived."))


def days_overdue(due: date, today: date) -> int:
    return (today - due).days


def aging_bucket(days: int) -> str | None:
    """≤ 30, 31–90, 91–180, > 180 days overdue; None when not yet overdue."""
    if days <= 0:
        return None
    for name, upper in AGING_BUCKETS:
        if upper is None or days <= upper:
            return name
    raise AssertionError("unreachable")


def bucket_span(name: str) -> tuple[int, int | None]:
    """The days overdue an aging bucket holds: more than the first, at most the second (None:
    no upper bound). Refused for a name that is not a bucket."""
    lower = 0
    for bucket, upper in AGING_BUCKETS:
        if bucket == name:
            return lower, upper
        lower = upper or lower
    raise Refused(N_("Unknown aging bucket %(bucket)s."), bucket=name)


def collection_rate(collected: Decimal, receivable: Decimal) -> Decimal | None:
    """P-FEE-3, P-KPI-2: collected ÷ receivable as 0–100; None ("no data") when nothing was
    receivable."""
    return ratio_score(collected, receivable)
