"""The one formatter of money and the one of dates and times, for screens and templates
(`|money`, `|moment`, `|day`), all through Flask-Babel: money in the user's locale's way of
writing yuan (¥1,234.50); a moment in the company's time zone (Flask-Babel's time zone is the
company's, app.py), never its stored UTC; a calendar day as YYYY-MM-DD."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import format_currency, format_date, format_datetime
from markupsafe import Markup

MOMENT = "yyyy-MM-dd HH:mm"
DAY = "yyyy-MM-dd"


def money(value: Decimal | int | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):  # a stored amount read back from JSON (the audit trail)
        try:
            value = Decimal(value)
        except InvalidOperation:
            return value
    return format_currency(value, "CNY")


def percent(rate: Decimal | float | None) -> str:
    """A rate in per cent as the reports write it: 85.20%; "—" where there is none."""
    return "—" if rate is None else f"{rate:.2f}%"


def call_link(phone: str | None):
    """A phone number seen in full as a link that calls it (tel:); a masked one
    (138****5678) or none as it is."""
    if not phone or "*" in phone:
        return phone or ""
    return Markup('<a class="call" href="tel:{0}">{1}</a>').format("".join(phone.split()), phone)


def moment(value: datetime | str | None) -> str:
    """A moment in time as the company's clock read it: 2026-11-10 07:00."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):  # an ISO time read back from JSON (the audit trail)
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return format_datetime(value, MOMENT)
    return day(value)


def day(value: date | datetime | None) -> str:
    """A calendar day; a moment's day in the company's calendar."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, DAY)
    return format_date(value, DAY)
