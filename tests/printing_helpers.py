"""What the printing tests share: the demo's records to print, and how a print page is
fetched and checked."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
import time_machine

from extensions import db as database
from models import Bill, Dispatch, MonthlyAssessment, Staff, Ticket, Unit, User

from .conftest import login

TODAY = "2026-11-20 10:00 +08:00"
DAY = date(2026, 11, 20)


def staff_of(app, username: str) -> Staff:
    with app.app_context():
        staff = database.session.scalar(sa.select(Staff).join(User, User.staff_id == Staff.id)
                                        .where(User.username == username))
        database.session.expunge(staff)
        return staff


def signed(staff: Staff) -> str:
    """How a printed page names a person: name and employee number (zh: full-width)."""
    return f"{staff.name}（{staff.employee_no}）"


def get(app, username: str, path: str):
    with time_machine.travel(TODAY, tick=False):
        return login(app.test_client(), username).get(path)


def assert_document_only(page: str) -> None:
    """The print rendering: the document and a screen-only bar, nothing to work the screen."""
    assert "navbar" not in page and "<nav" not in page
    assert "<form" not in page and "<input" not in page and "<select" not in page
    assert "alert" not in page  # no flash container
    assert 'id="signed-in-as"' not in page and "language-switch" not in page
    assert 'class="print-toolbar d-print-none"' in page
    # the bar's button is the only one, and it prints
    assert re.findall(r"<button\b[^>]*>", page) == [
        '<button type="button" class="btn btn-primary btn-sm" id="print-button" '
        'onclick="window.print()">']
    assert "print.css" in page


def confirmed_month(app, username: str) -> int:
    """The latest confirmed monthly assessment of `username`'s staff record."""
    staff = staff_of(app, username)
    with app.app_context():
        return database.session.scalar(
            sa.select(MonthlyAssessment.id).where(MonthlyAssessment.staff_id == staff.id,
                                                  MonthlyAssessment.status == "confirmed")
            .order_by(MonthlyAssessment.period.desc()).limit(1))


def dispatched_ticket(app, department: str, username: str) -> tuple[int, int]:
    """(ticket, part) of `username`'s stewarding with a finished part done by `department`."""
    steward = staff_of(app, username)
    with app.app_context():
        found = database.session.execute(
            sa.select(Ticket.id, Dispatch.id).join(Dispatch, Dispatch.ticket_id == Ticket.id)
            .join(Dispatch.department).where(
                Ticket.steward_id == steward.id, Dispatch.status == "done",
                sa.text(f"department.code = '{department}'"))
            .order_by(Ticket.id).limit(1)).one()
        return found[0], found[1]


def unit_in_arrears(app, username: str) -> int:
    """One of `username`'s units whose current owner has overdue bills on the demo's day."""
    steward = staff_of(app, username)
    with app.app_context():
        return database.session.scalar(
            sa.select(Unit.id).join(Bill, Bill.unit_id == Unit.id).where(
                Unit.steward_id == steward.id, Bill.status.in_(("unpaid", "partly_paid")),
                Bill.due_date < DAY).group_by(Unit.id)
            .order_by(sa.func.count(Bill.id).desc(), Unit.id).limit(1))
