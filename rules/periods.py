"""Months as the company counts them: "2026-11" in the company's time zone."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .refusal import N_, Refused

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# The years a record (or a month's run) can be about: the company's past and its plans.
FIRST_YEAR, LAST_YEAR = 1900, 2100


def parse_period(period: str) -> tuple[int, int]:
    match = PERIOD.match(period or "")
    if not match:
        raise Refused(N_("A month is written like 2026-11."))
    if not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise Refused(N_("Choose a month between %(first)s and %(last)s."),
                      first=f"{FIRST_YEAR}-01", last=f"{LAST_YEAR}-12")
    return int(match[1]), int(match[2])


def first_day(period: str) -> date:
    year, month = parse_period(period)
    return date(year, month, 1)


def last_day(period: str) -> date:
    start = first_day(period)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def previous_period(period: str) -> str:
    return f"{first_day(period) - timedelta(days=1):%Y-%m}"


def period_of(day: date) -> str:
    return f"{day:%Y-%m}"


def day_window(first: date, last: date, zone: str) -> tuple[datetime, datetime]:
    """The moments from the start of `first` up to (excluding) the end of `last`, local."""
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(last + timedelta(days=1), time(), tz)
    return start, end


def months_back(period: str, count: int) -> list[str]:
    """The `count` months ending with `period`, oldest first."""
    found = [period]
    while len(found) < count:
        found.insert(0, previous_period(found[0]))
    return found


def week_start(day: date) -> date:
    """The Monday of the company's week holding `day` (a week runs Monday to Sunday)."""
    return day - timedelta(days=day.weekday())


def weeks_back(day: date, count: int) -> list[date]:
    """The Mondays of the `count` weeks ending with the week of `day`, oldest first."""
    last = week_start(day)
    return [last - timedelta(weeks=back) for back in range(count - 1, -1, -1)]


def same_days_last_month(day: date) -> tuple[date, date]:
    """Last month from its first day to the day matching `day` (its last day when shorter):
    the span a month so far is set against."""
    first = first_day(previous_period(period_of(day)))
    last = last_day(period_of(first))
    return first, min(first.replace(day=min(day.day, last.day)), last)
