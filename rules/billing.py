"""What a unit owes for a month (P-FEE-1)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


def monthly_amount(basis: str, rate: Decimal, area: Decimal) -> Decimal:
    """Area × rate per m², or the fixed amount; rounded half-up to the fen."""
    if basis == "per_m2":
        amount = Decimal(area) * Decimal(rate)
    elif basis == "fixed":
        amount = Decimal(rate)
    else:
        raise ValueError(f"unknown fee basis {basis!r}")
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def collection_rate(collected: Decimal, receivable: Decimal) -> Decimal | None:
    """P-FEE-3, P-KPI-2: collected ÷ receivable as 0–100; None ("no data") when nothing was
    receivable."""
    from .scoring import ratio_score

    return ratio_score(collected, receivable)
