"""Schedules written like cron (minute, hour, day of month), read in the company's time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta


def _values(spec: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in spec.split(","):
        if part == "*":
            values |= set(range(low, high + 1))
        elif part.startswith("*/"):
            values |= set(range(low, high + 1, int(part[2:])))
        elif "-" in part:
            first, last = part.split("-")
            values |= set(range(int(first), int(last) + 1))
        else:
            values.add(int(part))
    if not values or min(values) < low or max(values) > high:
        raise ValueError(f"{spec!r} is outside {low}–{high}")
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    """`Cron("0", "1", "1")`: 01:00 on the first of each month (local time)."""

    minute: str = "*"
    hour: str = "*"
    day: str = "*"

    @property
    def minutes(self) -> frozenset[int]:
        return _values(self.minute, 0, 59)

    @property
    def hours(self) -> frozenset[int]:
        return _values(self.hour, 0, 23)

    @property
    def days(self) -> frozenset[int]:
        return _values(self.day, 1, 31)

    def matches(self, local: datetime) -> bool:
        return (local.minute in self.minutes and local.hour in self.hours
                and local.day in self.days)

    def next_after(self, local: datetime) -> datetime:
        """The first matching minute after `local` (same time zone)."""
        start = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
        for offset in range(0, 400):
            day = start.date() + timedelta(days=offset)
            if day.day not in self.days:
                continue
            for hour in sorted(self.hours):
                for minute in sorted(self.minutes):
                    moment = datetime.combine(day, time(hour, minute), tzinfo=local.tzinfo)
                    if moment >= start:
                        return moment
        raise ValueError(f"{self} never runs")

    def __str__(self) -> str:
        return f"{self.minute} {self.hour} {self.day} * *"
