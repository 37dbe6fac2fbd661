"""Procedures next to the records they touch: who owns a unit on a day, and the flush guards
that keep a move-in, renovation or move-out within the policy, whatever path the change
takes (P-COORD-3, rules/procedures.py).

A procedure opened copies its kind's checklist in force on its start date as its own steps
(and a renovation marks its unit as renovating); its kind, unit and start date are fixed from
then on; its status moves only open → completed (every step done) or cancelled; once it is
no longer open, neither it nor its steps change.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from rules import procedures
from rules.refusal import N_, Refused

from .base import changed, old_value
from .platform import PolicySetting
from .property import Ownership, Unit
from .queries import company_today, policy_at
from .service import Procedure, ProcedureStep
from .tracking import current_actor

# What a procedure's steps follow from: fixed once it is opened.
FIXED = ("kind", "unit_id", "unit", "started_on")
# Columns that change on every save, whatever else does.
BOOKKEEPING = {"updated_at", "updated_by", "version"}


def current_ownerships(session: Session, unit_id: int, day: date) -> list[Ownership]:
    """The unit's ownerships on `day`: begun by then and not ended (an ownership's `until`
    is the day it ended)."""
    with session.no_autoflush:
        return list(session.scalars(sa.select(Ownership).where(
            Ownership.unit_id == unit_id, Ownership.since <= day,
            sa.or_(Ownership.until.is_(None), Ownership.until > day)).order_by(Ownership.id)))


def unit_of(session: Session, procedure: Procedure) -> Unit | None:
    if procedure.unit is not None:
        return procedure.unit
    return None if procedure.unit_id is None else session.get(Unit, procedure.unit_id)


def _status_before(procedure: Procedure) -> str:
    return old_value(procedure, "status") if changed(procedure, "status") else procedure.status


# ---- the flush guards -----------------------------------------------------------------------
def guard_procedure(session: Session, procedure: Procedure, is_new: bool) -> None:
    if is_new:
        _open(session, procedure)
        return
    if any(changed(procedure, key) for key in FIXED):
        raise Refused(N_("A procedure's kind, unit and start date are fixed once it is "
                         "opened: its steps follow from them. Cancel it and open another."))
    before = _status_before(procedure)
    procedures.check_status_move(before, procedure.status)
    if before != procedures.OPEN:
        columns = {attr.key for attr in sa.inspect(procedure).attrs
                   if attr.key in procedure.__table__.c and attr.history.has_changes()}
        if columns - BOOKKEEPING:
            raise Refused(N_("A procedure that is no longer open cannot change."))
    if procedure.status == procedures.COMPLETED and before == procedures.OPEN:
        procedures.check_may_complete(
            before, [(step.name, step.done_at is not None) for step in procedure.steps],
            procedure.started_on, procedure.completed_on or company_today())


def _open(session: Session, procedure: Procedure) -> None:
    """A new procedure: open, with its kind's checklist in force on its start date copied as
    its steps; a renovation's unit is renovating from now on."""
    procedures.check_new(procedure.status)
    procedure.status, procedure.completed_on = procedures.OPEN, None
    actor = current_actor()
    if not procedure.steps and procedure.kind and procedure.started_on:
        names = policy_at(session, procedure.started_on).checklist(procedure.kind)
        procedure.steps = [ProcedureStep(position=n, name=name, created_by=actor,
                                         updated_by=actor)
                           for n, name in enumerate(names, start=1)]
    usage = procedures.usage_while_open(procedure.kind)
    unit = unit_of(session, procedure)
    if usage and unit is not None:
        procedure.usage_before = unit.usage
        if unit.usage != usage:
            unit.usage, unit.updated_by = usage, actor


def guard_procedure_step(session: Session, step: ProcedureStep, is_new: bool) -> None:
    procedure = step.procedure or session.get(Procedure, step.procedure_id)
    if is_new:
        if procedure is not None and procedure not in session.new:
            raise Refused(N_("A procedure's steps are its checklist as it was opened."))
        return
    if any(changed(step, key) for key in ("name", "position", "procedure_id", "procedure")):
        raise Refused(N_("A procedure's steps are its checklist as it was opened."))
    procedures.check_steps_may_change(_status_before(procedure))


def guard_checklists(setting: PolicySetting, is_new: bool) -> None:
    """Each checklist of a policy version names at least one step."""
    for kind in procedures.KINDS:
        key = f"checklist_{kind}"
        if is_new and getattr(setting, key) is None:  # the column default comes only at insert
            setattr(setting, key, procedures.checklist_text(kind))
        if is_new or changed(setting, key):
            procedures.check_checklist(getattr(setting, key))
