"""Row scopes: which rows of an entity belong to a set of stewards.

A steward sees the rows of the units assigned to them; a supervisor the rows of the stewards
they supervise. Each entity says here how its rows reach a steward. The access declaration
names the scope; the admin views, pickers and exports apply it through `row_filter`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import sqlalchemy as sa

from . import (
    ActionItem,
    AnnualAssessment,
    ArrearsReminder,
    Bill,
    Building,
    CareerMove,
    CommunityEvent,
    Department,
    Dispatch,
    Hazard,
    Incident,
    MonthlyAssessment,
    Owner,
    Ownership,
    Patrol,
    Payment,
    Procedure,
    ProcedureStep,
    Project,
    ReturnVisit,
    RewardPenalty,
    Staff,
    Summary,
    Ticket,
    TicketEvent,
    TrainingResult,
    Unit,
    User,
    WorkLog,
)

Ids = Collection[int]


def _unit_of(ids: Ids) -> sa.ColumnElement[bool]:
    return Unit.steward_id.in_(ids)


# entity -> how its rows reach the stewards `ids`
STEWARD_PATHS: dict[type, Callable[[Ids], sa.ColumnElement[bool]]] = {
    Project: lambda ids: Project.buildings.any(Building.units.any(_unit_of(ids))),
    Building: lambda ids: Building.units.any(_unit_of(ids)),
    Unit: _unit_of,
    Owner: lambda ids: Owner.ownerships.any(Ownership.unit.has(_unit_of(ids))),
    Ownership: lambda ids: Ownership.unit.has(_unit_of(ids)),
    Ticket: lambda ids: Ticket.steward_id.in_(ids),
    TicketEvent: lambda ids: TicketEvent.ticket.has(Ticket.steward_id.in_(ids)),
    ReturnVisit: lambda ids: ReturnVisit.steward_id.in_(ids),
    CommunityEvent: lambda ids: CommunityEvent.steward_id.in_(ids),
    Procedure: lambda ids: Procedure.unit.has(_unit_of(ids)),
    ProcedureStep: lambda ids: ProcedureStep.procedure.has(Procedure.unit.has(_unit_of(ids))),
    Bill: lambda ids: Bill.unit.has(_unit_of(ids)),
    Payment: lambda ids: Payment.bill.has(Bill.unit.has(_unit_of(ids))),
    ArrearsReminder: lambda ids: ArrearsReminder.bill.has(Bill.unit.has(_unit_of(ids))),
    Patrol: lambda ids: Patrol.steward_id.in_(ids),
    Hazard: lambda ids: Hazard.steward_id.in_(ids),
    Incident: lambda ids: Incident.steward_id.in_(ids),
    WorkLog: lambda ids: WorkLog.steward_id.in_(ids),
    Summary: lambda ids: Summary.steward_id.in_(ids),
    Staff: lambda ids: Staff.id.in_(ids),
    User: lambda ids: User.staff_id.in_(ids),
    TrainingResult: lambda ids: TrainingResult.staff_id.in_(ids),
    MonthlyAssessment: lambda ids: MonthlyAssessment.staff_id.in_(ids),
    AnnualAssessment: lambda ids: AnnualAssessment.staff_id.in_(ids),
    RewardPenalty: lambda ids: RewardPenalty.staff_id.in_(ids),
    CareerMove: lambda ids: CareerMove.staff_id.in_(ids),
    Dispatch: lambda ids: Dispatch.ticket.has(Ticket.steward_id.in_(ids)),
    # an action item is its responsible person's (a steward, HR, anyone with an account)
    ActionItem: lambda ids: ActionItem.responsible_id.in_(ids),
}

# entity -> how its rows reach the departments `codes` (scope "department": a department
# member sees the work dispatched to their own department)
DEPARTMENT_PATHS: dict[type, Callable[[Collection[str]], sa.ColumnElement[bool]]] = {
    Dispatch: lambda codes: Dispatch.department_id.in_(
        sa.select(Department.id).where(Department.code.in_(codes)).scalar_subquery()),
}

# Extra conditions a scope may add: a steward sees only confirmed assessments.
CONFIRMED: dict[type, Callable[[], sa.ColumnElement[bool]]] = {
    MonthlyAssessment: lambda: MonthlyAssessment.status == "confirmed",
    AnnualAssessment: lambda: AnnualAssessment.status == "confirmed",
}


def row_filter(model: type, scope: str, steward_ids: Ids,
               departments: Collection[str] = ()) -> sa.ColumnElement[bool] | None:
    """The WHERE condition for `scope` ("all", "own", "own_confirmed" or "department");
    None means all rows."""
    if scope == "all":
        return None
    if scope == "department":
        return DEPARTMENT_PATHS[model](departments)
    condition = STEWARD_PATHS[model](steward_ids)
    if scope == "own_confirmed":
        condition = sa.and_(condition, CONFIRMED[model]())
    return condition


def department_scope(staff_id: int | None):
    """A department member's department, as the lists' queries take it: a subquery."""
    return sa.select(Staff.department).where(Staff.id == staff_id)


def steward_scope(role: str, staff_id: int | None):
    """The stewards a user acts for, as the lists' queries take them: a supervisor's team
    as a subquery of the same statement (no round trip of its own), anyone else's ids."""
    if staff_id is None:
        return []
    if role == "supervisor":
        return sa.select(Staff.id).where(
            sa.or_(Staff.id == staff_id, Staff.supervisor_id == staff_id))
    return [staff_id]


def visible_steward_ids(session, role: str, staff_id: int | None) -> list[int]:
    """The stewards whose rows a user acts for: themselves, plus their team for a supervisor."""
    scope = steward_scope(role, staff_id)
    return list(session.scalars(scope)) if isinstance(scope, sa.Select) else scope
