"""Correcting a ticket's intake after the fact (P-TKT-2, P-TKT-7, P-KPI-3).

A ticket's deadline follows from its intake time and from the urgency and importance judged
at intake; the on-time rate (P-KPI-3) counts the tickets finished by their deadline. Moving
any of the three after the fact moves the deadline and so the steward's score. They are
therefore fixed once the ticket is accepted; a later correction is a supervisor's act, with
a reason, and never touches a month whose assessment is confirmed (P-ASM-1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .refusal import N_, Refused

# What sets a ticket's deadline (P-TKT-2 priority, P-TKT-7 deadline from intake).
INTAKE_FIELDS = ("intake_at", "urgent", "important")
# A ticket is taken in when the request arrives: an intake time later than now (beyond a
# clock's drift) would push the deadline, and the on-time result, into the future.
INTAKE_DRIFT = timedelta(minutes=5)
# Who may correct them once the ticket is accepted.
CORRECTORS = frozenset({"supervisor"})
FIXED = N_("Intake time, urgency and importance are fixed once a ticket is accepted; a "
           "supervisor can correct them, with a reason.")


@dataclass(frozen=True)
class Correction:
    """Who corrects a ticket's intake, and why."""

    role: str | None
    reason: str


def intake_fixed(status: str | None) -> bool:
    """Whether a ticket in `status` keeps its intake as it is: from acceptance on."""
    return (status or "new") != "new"


def may_correct(role: str | None) -> bool:
    return role in CORRECTORS


def check_intake_change(
    status: str | None, correction: Correction | None, confirmed_periods: Iterable[str] = ()
) -> None:
    """Refuse a change to the intake of a ticket in `status` unless it may be made.

    `confirmed_periods` are the months, among those whose on-time rate counts the ticket
    (before or after the change), whose assessment of its steward is confirmed."""
    if not intake_fixed(status):
        return
    if correction is None:
        raise Refused(FIXED)
    if not may_correct(correction.role):
        raise Refused(N_("Only a supervisor can correct an accepted ticket's intake."))
    if not (correction.reason or "").strip():
        raise Refused(N_("A correction needs a reason."))
    confirmed = sorted(set(confirmed_periods))
    if confirmed:
        raise Refused(N_("The assessment of %(period)s counting this ticket is confirmed; "
                         "its intake can no longer be corrected."), period="、".join(confirmed))


def check_intake_time(intake_at: datetime, now: datetime) -> None:
    """An intake time lies in the past: a ticket cannot be dated after it was received."""
    if intake_at > now + INTAKE_DRIFT:
        raise Refused(N_("A ticket's intake time cannot be in the future."))


def check_counted_months_open(confirmed_periods: Iterable[str]) -> None:
    """A new ticket, or a ticket handed to another steward, must not change the on-time rate
    (P-KPI-3) of a month whose assessment is confirmed (P-ASM-1): reopen that month first."""
    confirmed = sorted(set(confirmed_periods))
    if confirmed:
        raise Refused(N_("The assessment of %(period)s counting this ticket is confirmed; "
                         "reopen it before adding or reassigning the ticket."),
                      period="、".join(confirmed))
