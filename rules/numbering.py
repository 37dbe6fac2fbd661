"""Numbers people read off a record: a ticket's T202611-0001, a payment's receipt
R202611-000001. Each series counts afresh every month of the company's calendar; a record
typed in with a number of its own keeps it (if no other record has it), and the series
passes over any number already taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Series:
    """A numbering series: its letter and the fewest digits of its count (more when a month
    outgrows them: T202611-10000 follows T202611-9999)."""

    prefix: str
    digits: int

    def head(self, day: date) -> str:
        """What every number of `day`'s month begins with: T202611-."""
        return f"{self.prefix}{day:%Y%m}-"

    def number(self, day: date, count: int) -> str:
        return f"{self.head(day)}{count:0{self.digits}d}"

    def count_of(self, code: str | None, day: date) -> int | None:
        """The count in a number of `day`'s month (T202611-0042 → 42); None for any other
        code (another month's, or one typed in another form)."""
        head = self.head(day)
        if not code or not code.startswith(head):
            return None
        rest = code[len(head):]
        return int(rest) if re.fullmatch(r"\d{1,9}", rest) else None


SERIES = {
    "ticket": Series("T", 4),
    # a company of 100,000 units takes as many payments in a month
    "receipt": Series("R", 6),
}


def highest_count(series: Series, day: date, codes) -> int:
    """The highest count among `codes` of `day`'s month (0 when none): where a series starts
    that finds numbers already given (the demo's, an older database's)."""
    return max((n for n in (series.count_of(c, day) for c in codes) if n is not None),
               default=0)
