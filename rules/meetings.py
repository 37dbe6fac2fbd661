"""Coordination meetings' action items (P-COM-2): who may move an item to which state, and
when one is overdue."""

from __future__ import annotations

from datetime import date

from .refusal import N_, Refused

STATUSES = ("open", "done", "cancelled")


def is_overdue(status: str, due_on: date | None, today: date) -> bool:
    """An open item whose day has passed (due today is not overdue yet)."""
    return status == "open" and due_on is not None and due_on < today


DONE_NOTE_MAX = 2000


def done_note(text: str | None) -> str | None:
    """What was done, as the person responsible writes it; refused when too long, never
    cut."""
    cleaned = (text or "").strip()
    if len(cleaned) > DONE_NOTE_MAX:
        raise Refused(N_("The note is longer than %(n)s characters."), n=DONE_NOTE_MAX)
    return cleaned or None


def check_status_change(before: str | None, after: str, holds_meetings: bool) -> None:
    """The person responsible marks their item done (or open again); cancelling an item,
    or taking a cancelled one up again, is for those who hold the meetings."""
    if before == after:
        return
    if "cancelled" in (before, after) and not holds_meetings:
        raise Refused(N_("Only whoever holds the meeting cancels an action item or takes a "
                         "cancelled one up again."))
