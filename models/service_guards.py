"""The flush guards of the service loops: a return visit's survey (P-OWN-3, P-KPI-1) and a
department's part of a ticket (P-TKT-3), whatever path the write takes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from rules import owner_feedback
from rules.refusal import N_, Refused

from .base import changed
from .departments import Department, Dispatch
from .people import Staff
from .tickets import ReturnVisit, TicketEvent

SURVEY = ("rating_attitude", "rating_efficiency", "rating_solving")


def guard_return_visit(session: Session, visit: ReturnVisit, is_new: bool) -> None:
    """The visit's satisfaction is the survey's lowest dimension; a survey is recorded on a
    visit made, not on one still planned."""
    if is_new or any(changed(visit, key) for key in (*SURVEY, "satisfaction")):
        ratings = {key.removeprefix("rating_"): getattr(visit, key) for key in SURVEY}
        visit.satisfaction = owner_feedback.survey_rating(ratings)
    if visit.satisfaction is not None and visit.visited_at is None:
        raise Refused(N_("Record when the visit was made before its survey."))
    if visit.visited_at is None and visit.planned_on is None:
        raise Refused(N_("A return visit is planned for a day or made at a time."))


def guard_department(session: Session, department: Department, is_new: bool) -> None:
    """A department's code is fixed once work has gone to it (its members and its queue are
    found by the code); its head is one of its own staff."""
    if not is_new and changed(department, "code") and session.scalar(
            sa.select(Dispatch.id).where(Dispatch.department_id == department.id).limit(1)):
        raise Refused(N_("Work has been dispatched to this department: its code stays."))
    head = department.head or (session.get(Staff, department.head_id)
                               if department.head_id else None)
    if head is not None and head.department != department.code:
        raise Refused(N_("The head of %(department)s is one of its own staff."),
                      department=department.code)


def guard_dispatch(session: Session, work: Dispatch, is_new: bool) -> None:
    """A department's part changes state only through its steps, each on the ticket's
    history (services/dispatch.py), so the steward sees every move."""
    if is_new and (work.status or "waiting") != "waiting":
        raise Refused(N_("Dispatched work starts as waiting; it moves through its steps."))
    if not is_new and changed(work, "status"):
        stepped = any(isinstance(e, TicketEvent) and e.dispatch is work for e in session.new)
        if not stepped:
            raise Refused(N_("Dispatched work moves only through its steps."))
