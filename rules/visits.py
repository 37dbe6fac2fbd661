"""Return visits that schedule themselves (P-OWN-3): a follow-up after each closed ticket, a
regular visit to every owner, and when a planned visit is due or overdue."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .policy import DEFAULT, Policy
from .refusal import N_, Refused

# The hour of the company's day a planned visit is put at (a visit is planned for a day).
PLANNED_HOUR = 10
# Owners whose regular visit is long due are spread over this many days from today.
CATCH_UP_DAYS = 7


def follow_up_day(closed_on: date, policy: Policy = DEFAULT) -> date:
    """A closed ticket is followed up `visit_after_close_days` after it closed: the owner has
    lived with the result a few days when asked about it."""
    return closed_on + timedelta(days=policy.visit_after_close_days)


def next_regular_day(last_visited: date | None, today: date, spread_key: int,
                     policy: Policy = DEFAULT) -> date:
    """The next regular visit: one interval after the last visit made, not before today; an
    owner never visited gets a day within the coming interval, spread by `spread_key` (the
    unit's id) so that a steward's owners are not all due the same morning; owners whose visit
    is long due are caught up over the coming week, spread the same way."""
    interval = policy.visit_interval_days
    if last_visited is not None and last_visited + timedelta(days=interval) >= today:
        return last_visited + timedelta(days=interval)
    if last_visited is not None:  # long due: caught up over the coming week, not all today
        return today + timedelta(days=spread_key % CATCH_UP_DAYS)
    return today + timedelta(days=spread_key % interval)


def visit_state(planned_on: date | None, visited: bool, today: date) -> str | None:
    """"overdue" when its day has passed unvisited, "due" on the day itself, else None."""
    if visited or planned_on is None:
        return None
    if planned_on < today:
        return "overdue"
    return "due" if planned_on == today else None


def check_visited_at(visited_at: datetime, now: datetime) -> None:
    """A visit is recorded once made: not at a time still to come."""
    if visited_at > now + timedelta(minutes=5):
        raise Refused(N_("A visit is recorded once made: the time is still to come."))


def check_counted_months_open(confirmed_periods) -> None:
    """A visit's survey counts in its month's satisfaction (P-KPI-1): recording, changing or
    moving it must not change a month whose assessment is confirmed (P-ASM-1)."""
    confirmed = sorted(set(confirmed_periods))
    if confirmed:
        raise Refused(N_("The assessment of %(period)s counting this visit is confirmed; "
                         "reopen it before recording or changing the visit."),
                      period="、".join(confirmed))


def check_needs_ticket(needs: str | None, has_ticket: bool) -> None:
    """The owner's needs from a visit become one ticket (P-TKT-1: intake by visit)."""
    if has_ticket:
        raise Refused(N_("A ticket is already made from this visit's needs."))
    if not (needs or "").strip():
        raise Refused(N_("Record the needs the owner raised first."))
