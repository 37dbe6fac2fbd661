"""Working a move-in, renovation or move-out (P-COORD-3): a step marked done (who, when, a
note) or undone while the procedure is open, and the procedure completed — changing its unit
and who owns it, as rules/procedures.py says — or cancelled. Each function flushes or raises
`rules.refusal.Refused`; the caller commits, so a completion and all it changes are one
change set in the audit trail."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from models import Ownership, Procedure, ProcedureStep, Staff
from models.base import utcnow
from models.procedures import current_ownerships
from models.queries import company_today
from rules import procedures
from rules.refusal import N_, Refused

from . import visits

NOTE_LENGTH = 2000


def mark_done(session: Session, step: ProcedureStep, by: Staff | None, note: str | None,
              at: datetime | None = None) -> None:
    """The step is done, by `by`, now (or `at`), with a note."""
    procedures.check_steps_may_change(step.procedure.status)
    if step.done_at is not None:
        raise Refused(N_("This step is already done."))
    step.done_at, step.done_by = at or utcnow(), by
    step.note = (note or "").strip()[:NOTE_LENGTH] or None
    session.flush()


def undo(session: Session, step: ProcedureStep) -> None:
    """A step marked done by mistake is to do again (only while the procedure is open); who
    marked it and who undid it stay in its history."""
    procedures.check_steps_may_change(step.procedure.status)
    if step.done_at is None:
        raise Refused(N_("This step is not done yet."))
    step.done_at, step.done_by, step.note = None, None, None
    session.flush()


def what_completion_changes(session: Session, procedure: Procedure,
                            today: date | None = None) -> procedures.Completion:
    """What completing the procedure today would change (shown before it is done)."""
    today = today or company_today()
    owns = procedure.owner_id is not None and any(
        o.owner_id == procedure.owner_id
        for o in current_ownerships(session, procedure.unit_id, today))
    return procedures.completion(
        procedure.kind, owner_named=procedure.owner_id is not None, owner_owns=owns,
        usage_now=procedure.unit.usage, usage_before=procedure.usage_before)


def complete(session: Session, procedure: Procedure,
             today: date | None = None) -> procedures.Completion:
    """P-COORD-3: every step done, the procedure is completed today, and its unit and
    ownership change with it: a move-in's owner owns and lives in the unit (a tenant: rented),
    a renovated unit goes back to its earlier usage, a move-out leaves it vacant and ends the
    leaving owner's ownership."""
    today = today or company_today()
    procedures.check_may_complete(
        procedure.status, [(step.name, step.done_at is not None) for step in procedure.steps],
        procedure.started_on, today)
    change = what_completion_changes(session, procedure, today)
    unit = procedure.unit
    if change.usage is not None:
        unit.usage = change.usage
    current = current_ownerships(session, unit.id, today)
    if change.owner_joins:
        session.add(Ownership(owner=procedure.owner, unit=unit, since=today,
                              is_primary=not any(o.is_primary for o in current)))
    if change.owner_leaves:
        for ownership in current:
            if ownership.owner_id == procedure.owner_id:
                ownership.until = today
        visits.drop_plans(session, procedure.owner_id, unit.id)
    procedure.status, procedure.completed_on = procedures.COMPLETED, today
    session.flush()
    return change


def cancel(session: Session, procedure: Procedure) -> None:
    """An open procedure is called off: its steps stay as they were; a renovation's unit
    gets its earlier usage back."""
    procedures.check_status_move(procedure.status, procedures.CANCELLED)
    if procedure.status != procedures.OPEN:
        raise Refused(N_("A procedure that is no longer open cannot change."))
    usage = procedures.on_cancel(procedure.kind, procedure.unit.usage, procedure.usage_before)
    if usage is not None:
        procedure.unit.usage = usage
    procedure.status = procedures.CANCELLED
    session.flush()
