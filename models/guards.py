"""The policy's guards on every write, whatever path it takes: form, inline edit, action,
CLI or import all flush through here.

Each guard reads the pending change, asks `rules/` and either completes the change
(derived values: a ticket's priority and deadline, an exam's pass and attempt number) or
refuses it with `rules.refusal.Refused`, which the views show as a message.
"""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from rules import billing, corrections, dispatch, notices, periods, staffing, visits, workflow
from rules.refusal import N_, Refused

from . import locks
from .assessment import AnnualAssessment, CareerMove, MonthlyAssessment
from .base import Entity, changed, old_value, utcnow
from .careers import guard_career_move
from .departments import Department, Dispatch
from .fees import ArrearsReminder, Bill, Payment
from .loops import guard_action_item, guard_summary
from .numbering import guard_numbered
from .org import ActionItem
from .outbox import MessageTemplate
from .people import Staff
from .platform import PolicySetting
from .procedures import guard_checklists, guard_procedure, guard_procedure_step
from .property import Building, Ownership, Unit, UnitAssignment
from .property_guards import guard_ownership
from .queries import (
    company_today,
    local_date,
    onboarding_exams,
    policy_at,
    previous_attempts,
)
from .service import CommunityEvent, Procedure, ProcedureStep
from .service_guards import guard_department, guard_dispatch, guard_return_visit
from .tickets import ReturnVisit, Ticket, TicketEvent
from .tracking import current_actor
from .training import TrainingResult, TrainingSession
from .worklog import Summary

# Columns a confirmed assessment may still change: only its reopening (and the bookkeeping).
REOPEN_COLUMNS = {"status", "reopen_note", "confirmed_at", "confirmed_by", "updated_at",
                  "updated_by", "version"}


# ---- tickets (P-TKT-2, P-TKT-7, P-TKT-6) ----------------------------------------------------
def _ticket(session: Session, ticket: Ticket, is_new: bool) -> None:
    if is_new or any(changed(ticket, k) for k in corrections.INTAKE_FIELDS):
        due_before = None if is_new else ticket.due_at
        ticket.intake_at = ticket.intake_at or utcnow()
        guard_numbered(session, ticket, is_new)  # T202611-0001, when none was typed
        ticket.priority = workflow.priority(bool(ticket.urgent), bool(ticket.important))
        policy = policy_at(session, local_date(ticket.intake_at))
        ticket.due_at = workflow.due_at(ticket.intake_at, ticket.priority, policy)
        corrections.check_intake_time(ticket.intake_at, utcnow())
        if not is_new:
            _check_intake_correction(session, ticket, due_before)
            for work in ticket.dispatches:  # the departments work to the owner's deadline
                if work.status in dispatch.OPEN:
                    work.due_at = ticket.due_at
    if is_new or changed(ticket, "steward") or changed(ticket, "steward_id"):
        # The stewards whose on-time rate counts the ticket: none of a confirmed month.
        corrections.check_counted_months_open(_confirmed_months(
            session, {ticket.due_at}, _stewards_before_and_after(ticket)))
    if is_new:
        if (ticket.status or "new") != "new":
            raise Refused(N_("A new ticket starts as new; later states come from its steps."))
    elif changed(ticket, "status"):
        before, after = old_value(ticket, "status"), ticket.status
        if not workflow.is_legal_move(before, after):
            raise Refused(N_("A ticket cannot go from %(before)s to %(after)s."),
                          before=before, after=after)
        stepped = any(
            isinstance(e, TicketEvent) and e.ticket is ticket and e.to_status == after
            for e in session.new
        )
        if not stepped:
            raise Refused(N_("Change a ticket's status through its workflow steps."))
    _check_assignable(session, ticket, is_new)


# ---- intake corrections (P-TKT-2, P-TKT-7, P-KPI-3) -----------------------------------------
# session.info key: ticket id -> rules.corrections.Correction, while a correction is flushed.
INTAKE_CORRECTIONS = "intake_corrections"


@contextmanager
def intake_correction(session: Session, ticket: Ticket, correction: corrections.Correction):
    """Within this block, a flush may change `ticket`'s intake as `correction` says."""
    pending = session.info.setdefault(INTAKE_CORRECTIONS, {})
    pending[ticket.id] = correction
    try:
        yield
    finally:
        pending.pop(ticket.id, None)


def _check_intake_correction(session: Session, ticket: Ticket, due_before) -> None:
    """Once accepted, a ticket's intake changes only by a supervisor's correction with a
    reason, and not in a month whose assessment counting the ticket is confirmed."""
    status = old_value(ticket, "status") if changed(ticket, "status") else ticket.status
    correction = session.info.get(INTAKE_CORRECTIONS, {}).get(ticket.id)
    confirmed = _confirmed_months(session, {due_before, ticket.due_at},
                                  _stewards_before_and_after(ticket))
    corrections.check_intake_change(status, correction, confirmed)


def _stewards_before_and_after(ticket: Ticket) -> set:
    """The steward ids a flush moves `ticket` between, given by relationship or by id (a
    relationship set before the flush leaves `steward_id` at its old value until then)."""
    ids = {ticket.steward_id, old_value(ticket, "steward_id")}
    if changed(ticket, "steward"):
        ids |= {s.id for s in sa.inspect(ticket).attrs["steward"].history.deleted if s}
        ids.add(ticket.steward.id if ticket.steward is not None else None)
    return ids


def _confirmed_months(session: Session, due_times: set, steward_ids: set) -> set[str]:
    """The months of `due_times` whose assessment of one of `steward_ids` is confirmed."""
    months = {periods.period_of(local_date(due)) for due in due_times if due}
    stewards = steward_ids - {None}
    if not (months and stewards):
        return set()
    return set(session.scalars(sa.select(MonthlyAssessment.period).where(
        MonthlyAssessment.staff_id.in_(stewards), MonthlyAssessment.period.in_(months),
        MonthlyAssessment.status == "confirmed")))


# Pages that explain the ticket guard before it refuses (the handover) ask the same question.
confirmed_months = _confirmed_months


# ---- training gate (P-TRN-2) ----------------------------------------------------------------
def _check_assignable(session: Session, record: Ticket | Unit, is_new: bool) -> None:
    """A unit or ticket given to a steward: the steward must be on duty."""
    if changed(record, "steward"):  # set through the relationship
        steward = record.steward
    elif is_new or changed(record, "steward_id"):  # or by id
        steward = None if record.steward_id is None else session.get(Staff, record.steward_id)
    else:
        return
    if steward is not None:
        staffing.check_may_be_assigned(steward.status)


def _unit(session: Session, unit: Unit, is_new: bool) -> None:
    _check_assignable(session, unit, is_new)
    _record_assignment(session, unit, is_new)


def _record_assignment(session: Session, unit: Unit, is_new: bool) -> None:
    """Keep the unit's steward history (P-KPI-2 reads a past month's units from it): a new
    steward closes the open stretch today and opens one from today; a new unit's first
    steward holds it since its records began."""
    by_relationship = changed(unit, "steward")
    if not (is_new or by_relationship or changed(unit, "steward_id")):
        return
    if by_relationship:
        steward = unit.steward
    else:
        steward = None if unit.steward_id is None else session.get(Staff, unit.steward_id)
    open_rows = [row for row in unit.assignments if row.end_on is None]
    if steward is not None and any(row.steward is steward for row in open_rows):
        return
    today = company_today()
    for row in open_rows:
        if row.start_on == today:  # given and taken back the same day: no stretch at all
            unit.assignments.remove(row)
        else:
            row.end_on = today
    if steward is not None:
        unit.assignments.append(UnitAssignment(steward=steward,
                                               start_on=None if is_new else today))


def _staff(session: Session, person: Staff, is_new: bool) -> None:
    """P-TRN-2: a steward goes on duty only with a passed onboarding exam, whether the
    status changes or an on-duty person's position becomes steward."""
    becomes = is_new or changed(person, "status") or changed(person, "position")
    if becomes and person.status == "on_duty" and person.position == "steward":
        staffing.check_may_go_on_duty(_exams_after_flush(session, person),
                                      policy_at(session, company_today()))


def _exams_keep_duty(session: Session) -> None:
    """P-TRN-2 after the fact: an exam changed, moved or deleted must leave every on-duty
    steward it concerned with a passed onboarding exam."""
    concerned = set()
    for result in [*session.dirty, *session.deleted]:
        if isinstance(result, TrainingResult) and (
                result in session.deleted
                or any(changed(result, k) for k in (
                    "exam_score", "staff_id", "session_id", "staff", "session"))):
            # the person before and after, whether the form set the id or the relationship
            people = sa.inspect(result).attrs["staff"].history
            concerned |= {result.staff_id, old_value(result, "staff_id"),
                          *(p.id for p in (*people.added, *people.deleted) if p)} - {None}
    for staff_id in sorted(concerned):
        person = session.get(Staff, staff_id)
        if person is None or person in session.deleted:
            continue
        if person.status == "on_duty" and person.position == "steward":
            staffing.check_exam_change_keeps_duty(
                person.name, _exams_after_flush(session, person),
                policy_at(session, company_today()))


def _exams_after_flush(session: Session, person: Staff) -> list:
    """The person's onboarding exam scores as they will be once this flush is written."""
    scores = {} if person.id is None else onboarding_exams(session, person.id)
    for result in [*session.dirty, *session.new]:
        if not isinstance(result, TrainingResult):
            continue
        key = result.id or id(result)
        if changed(result, "staff"):  # set through the relationship: the id follows later
            mine = result.staff is person
        else:
            mine = result.staff is person or (person.id and result.staff_id == person.id)
        if mine and _is_onboarding(session, result):
            scores[key] = result.exam_score
        else:
            scores.pop(key, None)
    for result in session.deleted:
        if isinstance(result, TrainingResult):
            scores.pop(result.id, None)
    return list(scores.values())


def _is_onboarding(session: Session, result: TrainingResult) -> bool:
    course = result.session
    if course is None and result.session_id is not None:
        course = session.get(TrainingSession, result.session_id)
    return course is not None and course.program.kind == "onboarding"


def _training_result(session: Session, result: TrainingResult, is_new: bool) -> None:
    if is_new and result.attempt is None:
        staff_id = result.staff_id or (result.staff.id if result.staff else None)
        session_id = result.session_id or (result.session.id if result.session else None)
        earlier = [] if None in (staff_id, session_id) else previous_attempts(
            session, staff_id, session_id)
        result.attempt = staffing.next_attempt(earlier)
    if is_new or changed(result, "exam_score") or changed(result, "passed"):
        if result.exam_score is None:
            result.passed = bool(result.passed) and not _is_onboarding(session, result)
        else:
            day = result.taken_on or company_today()
            result.passed = staffing.exam_passed(result.exam_score, policy_at(session, day))


# ---- assessments (P-ASM-1): confirmed means frozen -----------------------------------------
def _assessment(session: Session, assessment, is_new: bool) -> None:
    if assessment.assessor_id is not None and assessment.assessor_id == assessment.staff_id:
        raise Refused(N_("Nobody assesses themselves."))
    was = old_value(assessment, "status") if changed(assessment, "status") else assessment.status
    if is_new or was != "confirmed":
        return
    columns = {
        attr.key for attr in sa.inspect(assessment).attrs
        if attr.key in assessment.__table__.c and attr.history.has_changes()
    }
    if columns - REOPEN_COLUMNS:
        raise Refused(N_("A confirmed assessment cannot be changed; reopen it first."))
    if "status" in columns and ("reopen_note" not in columns
                                or not (assessment.reopen_note or "").strip()):
        raise Refused(N_("Reopening needs a reason."))


def _deleted_assessment(assessment) -> None:
    if assessment.status == "confirmed":
        raise Refused(N_("A confirmed assessment cannot be deleted."))


# ---- policy settings: a version that scored assessments stays as it was --------------------
def _policy_setting(session: Session, setting: PolicySetting, is_new: bool) -> None:
    if not is_new:
        _policy_in_use(session, setting)
    guard_checklists(setting, is_new)


def _policy_in_use(session: Session, setting: PolicySetting) -> None:
    if setting.id is None:
        return
    with session.no_autoflush:
        used = any(
            session.scalar(sa.select(sa.exists().where(model.policy_id == setting.id)))
            for model in (MonthlyAssessment, AnnualAssessment)
        )
    if used:
        raise Refused(N_("This policy version has scored assessments; add a new version with "
                         "a later effective date instead."))


# ---- fees (P-FEE-1…3): a bill's paid amount and status follow from its payments ----------
def _settle_payments(session: Session) -> None:
    """Recompute the paid amount and status of every bill whose payments change in this
    flush; refuse paying a waived bill or more than a bill's amount."""
    incoming: dict[int, list[Payment]] = {}
    touched: dict[int, Bill] = {}
    leaving: set[int] = set()  # payments that no longer count where they were

    def bill_of(payment: Payment, bill_id: int | None = None) -> Bill | None:
        if bill_id is None:
            return payment.bill or (session.get(Bill, payment.bill_id)
                                    if payment.bill_id else None)
        return session.get(Bill, bill_id)

    for payment in session.new:
        if isinstance(payment, Payment) and (bill := bill_of(payment)) is not None:
            touched[id(bill)] = bill
            incoming.setdefault(id(bill), []).append(payment)
    for payment in session.dirty:
        if not isinstance(payment, Payment) or not session.is_modified(payment):
            continue
        leaving.add(payment.id)
        if changed(payment, "bill_id") and (old := old_value(payment, "bill_id")) is not None:
            bill = bill_of(payment, old)
            touched[id(bill)] = bill
        bill = bill_of(payment)
        touched[id(bill)] = bill
        incoming.setdefault(id(bill), []).append(payment)
    for payment in session.deleted:
        if isinstance(payment, Payment):
            leaving.add(payment.id)
            bill = bill_of(payment, old_value(payment, "bill_id") or payment.bill_id)
            if bill is not None:
                touched[id(bill)] = bill
    for key, bill in touched.items():
        locks.hold(session, bill)  # the sum below must include a payment committed meanwhile
        settled = sum((amount for pid, amount in session.execute(
            sa.select(Payment.id, Payment.amount).where(Payment.bill_id == bill.id)
        ) if pid not in leaving), Decimal("0.00")) if bill.id is not None else Decimal("0.00")
        waived = bill.status == "waived"
        total = billing.check_payments(
            bill.amount, settled, [p.amount for p in incoming.get(key, [])], waived)
        bill.paid_amount = total
        bill.status = billing.bill_status(bill.amount, total, waived)


def _bill(session: Session, bill: Bill, is_new: bool) -> None:
    paid = bill.paid_amount or Decimal("0.00")
    if is_new:
        bill.paid_amount = paid
    waived = bill.status == "waived"
    if waived and (is_new or changed(bill, "status")):
        billing.check_waiver(paid)
    if bill.amount is not None and paid > bill.amount:
        raise Refused(N_("The amount cannot be less than what has been paid (%(paid)s)."),
                      paid=paid)
    if bill.amount is not None:
        bill.status = billing.bill_status(bill.amount, paid, waived)


def _reminder(session: Session, reminder: ArrearsReminder, is_new: bool) -> None:
    if reminder.reason == "other" and not (reminder.note or "").strip():
        raise Refused(N_("Say in the note what the other reason is."))


def _ticket_event(session: Session, event: TicketEvent, is_new: bool) -> None:
    if is_new and not event.actor:
        event.actor = current_actor()


def _message_template(session: Session, template: MessageTemplate, is_new: bool) -> None:
    """A template uses only its event's variables, and lists them (rules/notices.py)."""
    if template.event in notices.EVENTS:
        notices.check_template(template.event, template.subject, template.body)
        template.variables = notices.offered(template.event)


# ---- safe delete: nothing is deleted while other records still refer to it ------------------
EXAMPLES = 3


def _referrers(session: Session, record) -> list[str]:
    """What still refers to `record` — except its own children, which go with it (a ticket's
    events) and records deleted in the same flush — as "14 bills (…)", 账单 14 条（…）, in the
    reader's language (the refusal is shown to the one who asked)."""
    from flask_babel import gettext

    from access import BY_MODEL  # labels for people; imported late, access imports models

    mapper = sa.inspect(type(record))
    owned = {r.mapper.local_table for r in mapper.relationships if r.cascade.delete}
    going = {(type(o).__table__, o.id) for o in session.deleted if hasattr(o, "__table__")}
    classes = {m.local_table: m.class_ for m in mapper.registry.mappers}
    found = []
    for table in mapper.registry.metadata.sorted_tables:
        if table in owned or table not in classes:
            continue
        for key in table.foreign_keys:
            if key.column.table is not record.__table__:
                continue
            model = classes[table]
            rows = [row for row in session.scalars(
                sa.select(model).where(key.parent == record.id).order_by(model.id)
                .limit(EXAMPLES + 50))
                if (table, row.id) not in going]
            if not rows:
                continue
            total = len(rows) if len(rows) < EXAMPLES + 50 else session.scalar(
                sa.select(sa.func.count()).select_from(table).where(key.parent == record.id))
            entity = BY_MODEL.get(model)
            label = str(entity.label) if entity else table.name
            examples = "、".join(str(row) for row in rows[:EXAMPLES])
            more = "…" if total > EXAMPLES else ""
            found.append(gettext("%(count)s %(what)s (%(examples)s)", count=total, what=label,
                                 examples=examples + more))
    return found


def _safe_delete(session: Session, record) -> None:
    found = _referrers(session, record)
    if found:
        raise Refused(N_("%(record)s cannot be deleted while these refer to it: %(what)s. "
                         "Delete or change them first."), record=str(record),
                      what=_separated(found))


def _separated(parts: list[str]) -> str:
    """Parts of a sentence one after another: "; " in English, "；" in Chinese."""
    from flask_babel import gettext

    return gettext("; ").join(parts)


# ---- return visits: the survey, and no confirmed month's satisfaction changed (P-KPI-1) ----
def _return_visit(session: Session, visit: ReturnVisit, is_new: bool) -> None:
    guard_return_visit(session, visit, is_new)
    counted = ("visited_at", "satisfaction", "steward_id", "steward")
    if not (is_new or any(changed(visit, key) for key in counted)):
        return
    was_rated = old_value(visit, "satisfaction") is not None or (
        not changed(visit, "satisfaction") and visit.satisfaction is not None)
    if visit.satisfaction is None and not was_rated:
        return  # a plan, or a visit without a survey: no month's figure moves
    stewards = {visit.steward_id, old_value(visit, "steward_id")}
    if visit.steward is not None:
        stewards.add(visit.steward.id)
    visits.check_counted_months_open(_confirmed_months(
        session, {visit.visited_at, old_value(visit, "visited_at")}, stewards))


# ---- community events: one building's owners are in the event's project ----------------
def _community_event(session: Session, event: CommunityEvent, is_new: bool) -> None:
    building = event.building or (session.get(Building, event.building_id)
                                  if event.building_id else None)
    project_id = event.project.id if event.project is not None else event.project_id
    if building is not None and building.project_id != project_id:
        raise Refused(N_("The building %(building)s is not in the event's project."),
                      building=str(building))


GUARDS = {
    CommunityEvent: _community_event,
    Bill: _bill,
    Payment: guard_numbered,  # the receipt's number, when none was typed
    ArrearsReminder: _reminder,
    Ticket: _ticket,
    TicketEvent: _ticket_event,
    Unit: _unit,
    Ownership: guard_ownership,  # one primary owner at a time (P-OWN-1)
    Staff: _staff,
    TrainingResult: _training_result,
    MonthlyAssessment: _assessment,
    AnnualAssessment: _assessment,
    CareerMove: guard_career_move,
    MessageTemplate: _message_template,
    ReturnVisit: _return_visit,
    Dispatch: guard_dispatch,
    Department: guard_department,
    PolicySetting: _policy_setting,
    # P-COORD-3: steps copied on opening, completed only when all are done (models/procedures.py)
    Procedure: guard_procedure,
    ProcedureStep: guard_procedure_step,
    Summary: guard_summary,
    ActionItem: guard_action_item,
}


def _guard(session: Session, flush_context, instances) -> None:
    with session.no_autoflush:
        _settle_payments(session)
        _exams_keep_duty(session)
        for obj in list(session.new):
            guard = GUARDS.get(type(obj))
            if guard:
                guard(session, obj, True)
        for obj in list(session.dirty):
            guard = GUARDS.get(type(obj))
            if guard and session.is_modified(obj, include_collections=False):
                guard(session, obj, False)
        for obj in list(session.deleted):
            if isinstance(obj, MonthlyAssessment | AnnualAssessment):
                _deleted_assessment(obj)
            elif isinstance(obj, PolicySetting):
                _policy_in_use(session, obj)
            if isinstance(obj, Entity):
                _safe_delete(session, obj)


def init_app(app) -> None:
    if not sa.event.contains(Session, "before_flush", _guard):
        sa.event.listen(Session, "before_flush", _guard)
