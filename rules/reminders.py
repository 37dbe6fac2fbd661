"""Who is reminded of what by the scheduled checks: deadlines of tickets (P-TKT-7), return
visits coming due (P-OWN-3), the daily work log (P-LOG-1)."""

from __future__ import annotations

from datetime import date, timedelta

from .visits import visit_state


def deadline_recipients(steward_id: int | None, supervisor_id: int | None) -> list[int]:
    """A ticket overdue or due soon concerns its steward and the steward's supervisor."""
    return [i for i in dict.fromkeys((steward_id, supervisor_id)) if i is not None]


def work_log_expected(position: str, status: str, hire_date: date | None, day: date) -> bool:
    """P-LOG-1: every on-duty steward keeps a work log for each working day from their
    hiring day on."""
    return (position == "steward" and status == "on_duty" and is_working_day(day)
            and (hire_date is None or hire_date <= day))


def is_working_day(day: date) -> bool:
    """P-LOG-1 as this back office reads it: Monday to Friday are working days on which a
    work log is expected; a log written on a weekend is welcome but not asked for. (There is
    no holiday calendar: a public holiday on a weekday counts as a working day.)"""
    return day.weekday() < 5


def last_working_day_before(today: date) -> date:
    """The working day whose log is "yesterday's": on a Monday (or a weekend) the Friday."""
    day = today - timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def visit_due(planned_local_day: date, visited: bool, today: date) -> bool:
    """P-OWN-3: a return visit planned for today or earlier and not made yet is due."""
    return visit_state(planned_local_day, visited, today) is not None
