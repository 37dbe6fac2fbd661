"""The one money formatter of the screens and templates (`|money`): the user's locale's way
of writing yuan, e.g. ¥1,234.50."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import format_currency


def money(value: Decimal | int | None) -> str:
    return "" if value is None else format_currency(value, "CNY")
