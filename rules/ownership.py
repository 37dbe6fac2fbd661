"""Who owns a unit when (P-OWN-1): one primary owner at a time.

An ownership runs from `since` up to the day `until` it ended (that day no longer owned;
open when none). A unit may have several owners at once (a couple, heirs); one of them is
the primary owner, the one bills, notices and the owner's page are addressed to.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .refusal import N_, Refused


def overlap(since: date, until: date | None, other_since: date,
            other_until: date | None) -> bool:
    """Whether two stretches of ownership share a day (an empty one, until = since, none)."""
    if (until is not None and until <= since) or (
            other_until is not None and other_until <= other_since):
        return False
    return (other_until is None or since < other_until) and (until is None or other_since < until)


def check_one_primary(since: date, until: date | None,
                      others: Iterable[tuple[str, date, date | None]]) -> None:
    """A primary ownership shares no day with another primary ownership of the same unit;
    `others` are those: (owner's name, since, until)."""
    for name, other_since, other_until in others:
        if overlap(since, until, other_since, other_until):
            raise Refused(N_("This unit already has a primary owner then: %(owner)s, from "
                             "%(since)s. End that ownership first (its end date), or record "
                             "this one as not primary."), owner=name, since=other_since)
