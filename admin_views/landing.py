"""Where each role lands: the work waiting for them, each item linking to where it is done.

steward — my open tickets by deadline, return visits due and overdue, my arrears;
supervisor — the team's overdue tickets and overdue dispatched work, the assessments
waiting to be confirmed;
department staff — their department's queue: waiting, theirs, and (for the head) overdue;
HR — stewards waiting for their onboarding exam, suggestions waiting for a decision;
admin — the records and their counts.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import joinedload

from extensions import db
from models import (
    Bill,
    CareerMove,
    Department,
    Dispatch,
    MonthlyAssessment,
    ReturnVisit,
    RewardPenalty,
    Staff,
    Ticket,
    Unit,
)
from models.base import utcnow
from models.queries import (
    company_today,
    company_zone,
    local_date,
    onboarding_scores,
    overdue_ticket,
)
from rules import dispatch as dispatch_rules
from rules import periods, workflow

from .context import steward_ids
from .visits import state_of as visit_state

SHOWN = 15
VISITS_AHEAD_DAYS = 3


def _open_tickets(stewards: list[int], overdue_only: bool = False) -> list[Ticket]:
    query = sa.select(Ticket).where(Ticket.steward_id.in_(stewards),
                                    Ticket.status.in_((*workflow.OPEN_STATES, "resolved")))
    if overdue_only:
        query = query.where(overdue_ticket(utcnow()))
    query = query.options(joinedload(Ticket.unit), joinedload(Ticket.steward))  # shown per row
    return list(db.session.scalars(query.order_by(Ticket.due_at).limit(SHOWN)))


def steward_work() -> dict:
    me = [current_user.staff_id] if current_user.staff_id else []
    today = company_today()
    visits = db.session.scalars(sa.select(ReturnVisit).options(
        joinedload(ReturnVisit.owner), joinedload(ReturnVisit.unit)).where(
        ReturnVisit.steward_id.in_(me), ReturnVisit.visited_at.is_(None),
        ReturnVisit.planned_on.is_not(None),
    ).order_by(ReturnVisit.planned_on).limit(SHOWN)).all()
    horizon = today + timedelta(days=VISITS_AHEAD_DAYS)
    visits = [(v, visit_state(v)) for v in visits if local_date(v.planned_on) <= horizon]
    # all of them, beyond the earliest shown: a steward behind on visits sees how far
    visits_overdue = db.session.scalar(sa.select(sa.func.count(ReturnVisit.id)).where(
        ReturnVisit.steward_id.in_(me), ReturnVisit.visited_at.is_(None),
        ReturnVisit.planned_on < periods.day_window(today, today, company_zone())[0]))
    owed_count, owed = db.session.execute(
        sa.select(sa.func.count(Bill.id), sa.func.sum(Bill.amount - Bill.paid_amount))
        .join(Bill.unit).where(Unit.steward_id.in_(me),
                               Bill.status.in_(("unpaid", "partly_paid")),
                               Bill.due_date < today)).one()
    return {"tickets": _open_tickets(me), "visits": visits, "visits_overdue": visits_overdue,
            "arrears_count": owed_count,
            "arrears_sum": owed or 0}


def supervisor_work() -> dict:
    team = [pk for pk in steward_ids() if pk != current_user.staff_id]
    last_month = periods.previous_period(periods.period_of(company_today()))
    # Drafts of months that are over: the month under way is a preview, not yet to confirm.
    drafts = db.session.scalars(sa.select(MonthlyAssessment).where(
        MonthlyAssessment.staff_id.in_(team), MonthlyAssessment.status == "draft",
        MonthlyAssessment.period <= last_month,
    ).order_by(MonthlyAssessment.period.desc(), MonthlyAssessment.staff_id)).all()
    assessed = db.session.scalar(sa.select(sa.func.count(MonthlyAssessment.id)).where(
        MonthlyAssessment.staff_id.in_(team), MonthlyAssessment.period == last_month))
    return {"overdue": _open_tickets(team, overdue_only=True), "drafts": drafts,
            "last_month": last_month, "missing": len(team) - assessed,
            "late_work": _late_work(Dispatch.ticket.has(Ticket.steward_id.in_(team)))}


def _late_work(condition) -> list[Dispatch]:
    """Dispatched work past the ticket's deadline and not done (rules/dispatch.py)."""
    return list(db.session.scalars(sa.select(Dispatch).options(
        joinedload(Dispatch.ticket).joinedload(Ticket.unit), joinedload(Dispatch.department),
        joinedload(Dispatch.taken_by)).where(
        condition, Dispatch.status.in_(dispatch_rules.OPEN), Dispatch.due_at < utcnow())
        .order_by(Dispatch.due_at).limit(SHOWN)))


def department_work() -> dict:
    """The department's queue: work waiting to be taken, the member's own, and for the
    department's head everything overdue."""
    from services.dispatch import actor_of

    actor = actor_of(db.session, current_user)
    mine = sa.select(Department.id).where(Department.code == actor.department)
    ours = Dispatch.department_id.in_(mine.scalar_subquery())

    def listed(*where) -> list[Dispatch]:
        return list(db.session.scalars(sa.select(Dispatch).options(
            joinedload(Dispatch.ticket).joinedload(Ticket.unit)).where(ours, *where)
            .order_by(Dispatch.due_at).limit(SHOWN)))

    return {"waiting": listed(Dispatch.status == "waiting"),
            "mine": listed(Dispatch.status == "taken",
                           Dispatch.taken_by_id == current_user.staff_id),
            "late": _late_work(ours) if actor.is_head else [], "is_head": actor.is_head,
            "department": actor.department, "now": utcnow()}


def hr_work() -> dict:
    waiting = db.session.scalars(sa.select(Staff).where(
        Staff.position == "steward", Staff.status.in_(("candidate", "onboarding")),
    ).order_by(Staff.employee_no)).all()
    exams = {person.id: onboarding_scores(db.session, person.id) for person in waiting}
    pending = db.session.scalars(sa.select(RewardPenalty).options(
        joinedload(RewardPenalty.staff)).where(
        RewardPenalty.status == "pending").order_by(RewardPenalty.id.desc()).limit(SHOWN)).all()
    # career moves not yet in effect, the ones waiting for a handover first
    moves = db.session.scalars(sa.select(CareerMove).options(
        joinedload(CareerMove.staff)).where(CareerMove.status.in_(("planned", "waiting")))
        .order_by(CareerMove.status.desc(), CareerMove.effective_on).limit(SHOWN)).all()
    return {"waiting": waiting, "exams": exams, "pending": pending, "moves": moves}
