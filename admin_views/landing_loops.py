"""On every start page, the loops that come back to the signed-in person: their open and
overdue action items (P-COM-2, any role); a steward's missing work log of the last working
day, and for a supervisor the team's (P-LOG-1)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_login import current_user

from extensions import db
from models import Staff, WorkLog
from models.queries import company_today
from rules import meetings, reminders

from .meetings import open_items_of


def _missing_logs(stewards: list[Staff], day) -> list[Staff]:
    """The stewards among `stewards` expected to log `day` who have not."""
    logged = set(db.session.scalars(sa.select(WorkLog.steward_id).where(
        WorkLog.day == day, WorkLog.steward_id.in_([s.id for s in stewards]))))
    return [s for s in stewards if s.id not in logged and reminders.work_log_expected(
        s.position, s.status, s.hire_date, day)]


def work() -> dict:
    """What comes back to the signed-in person, whatever their role."""
    today = company_today()
    me = current_user.staff
    items = open_items_of(current_user.staff_id)
    day = reminders.last_working_day_before(today)
    found: dict = {
        "items": [(item, meetings.is_overdue(item.status, item.due_on, today))
                  for item in items],
        "log_day": day, "log_day_is_yesterday": (today - day).days == 1,
        "my_log_missing": False, "team_logs_missing": [],
    }
    if me is None:
        return found
    if current_user.role == "steward":
        found["my_log_missing"] = bool(_missing_logs([me], day))
    elif current_user.role == "supervisor":
        team = list(db.session.scalars(sa.select(Staff).where(
            Staff.supervisor_id == me.id, Staff.position == "steward")
            .order_by(Staff.employee_no)))
        found["team_logs_missing"] = _missing_logs(team, day)
    return found
