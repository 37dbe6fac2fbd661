"""Who is reminded of what by the scheduled checks: deadlines of tickets (P-TKT-7), return
visits coming due (P-OWN-3), the daily work log (P-LOG-1)."""

from __future__ import annotations

from datetime import date


def deadline_recipients(steward_id: int | None, supervisor_id: int | None) -> list[int]:
    """A ticket overdue or due soon concerns its steward and the steward's supervisor."""
    return [i for i in dict.fromkeys((steward_id, supervisor_id)) if i is not None]


def work_log_expected(position: str, status: str, hire_date: date | None, day: date) -> bool:
    """P-LOG-1: every on-duty steward keeps a work log for each calendar day from their
    hiring day on (a day off is logged as such)."""
    return (position == "steward" and status == "on_duty"
            and (hire_date is None or hire_date <= day))


def visit_due(planned_local_day: date, visited: bool, today: date) -> bool:
    """P-OWN-3: a return visit planned for today or earlier and not made yet is due."""
    return not visited and planned_local_day <= today
