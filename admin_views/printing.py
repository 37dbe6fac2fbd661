"""Pages made for paper: the assessment sheet to sign, a ticket's service record (服务记录单)
and an arrears notice per household (催缴通知单).

Each renders only the document (templates/admin/print/): no menu, no flashes, no forms; a
screen-only bar offers "Print". Who may print a document is who may see what it is made
of, read from the same declaration and row scopes as every other page (access.py,
models/scopes.py): an out-of-scope record answers 403, an unknown one 404.

PDF: the browser's own print dialog saves the page as a PDF ("Save as PDF"); the server
makes none (docs/interface.md, "Printing").
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, request, url_for
from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from access import ENTITIES
from extensions import db
from models import (
    AnnualAssessment,
    Bill,
    Dispatch,
    MonthlyAssessment,
    Owner,
    Unit,
    arrears,
)
from models.assessment import ASSESSMENT_STATUS, GRADE
from models.base import utcnow
from models.departments import DISPATCH_STATUS
from models.people import POSITION
from models.procedures import current_ownerships
from models.queries import company_today
from models.tickets import FEEDBACK_SOURCE, INTAKE_CHANNEL, TICKET_CATEGORY, TICKET_STATUS
from rules import billing
from services import assessments as scoring

from .assessments import ANNUAL_LABELS, KPI_LABELS, OUTCOME_LABELS
from .auth import to_sign_in
from .context import current_role
from .formats import moment
from .generated import as_id, scoped_query
from .history import people, person
from .masking import personal_value

# entity -> (print endpoint, its query argument, label, the entities whose read lets a role
# print it, all of them): the "Print" button on the record's pages. The document's page
# checks the row itself.
PRINTABLE = {
    "monthly_assessment": ("print.monthly_sheet", "id", _l("Print"), ("monthly_assessment",)),
    "annual_assessment": ("print.annual_sheet", "id", _l("Print"), ("annual_assessment",)),
    "ticket": ("print.ticket_record", "id", _l("Print the service record"), ("ticket",)),
    "dispatch": ("print.ticket_record", "id", _l("Print the service record"), ("dispatch",)),
    "unit": ("print.arrears_notice", "unit", _l("Print an arrears notice"), ("unit", "bill")),
}


def unit_label(unit: Unit | None) -> str:
    """"项目 楼栋-房号": a unit as an owner reads it."""
    return f"{unit.building.project.name} {unit}" if unit is not None else ""


def _readable(entity_name: str, pk, *, through=None):
    """The record `pk` of an entity if the signed-in user may read it: 404 when there is
    none, 403 when it is not theirs (as every details page answers). `through` is another
    way in for a role that does not read the entity itself: whether the user reaches the
    record through another they read (a department's part of a ticket)."""
    entity = ENTITIES[entity_name]
    model, found = entity.model, None
    pk = as_id(pk)
    if pk is None or db.session.get(model, pk) is None:
        abort(404)
    if entity.grant(current_role()).allows("R"):
        found = scoped_query(model).filter(model.id == pk).one_or_none()
    elif through is not None and through(pk):
        found = db.session.get(model, pk)
    if found is None:
        abort(403)
    return found


def _parts_seen(ticket_id: int) -> list[Dispatch]:
    """The departments' parts of a ticket the signed-in user may read."""
    if not ENTITIES["dispatch"].grant(current_role()).allows("R"):
        return []
    return scoped_query(Dispatch).filter(Dispatch.ticket_id == ticket_id).order_by(
        Dispatch.id).all()


def print_url(entity_name: str, pk) -> str | None:
    """Where the signed-in user prints the record `pk` of an entity (a department's part
    prints its ticket's record); None when there is no such document or the role may not
    read what it is made of."""
    if entity_name not in PRINTABLE or as_id(pk) is None:
        return None
    endpoint, argument, _label, needs = PRINTABLE[entity_name]
    if not all(ENTITIES[name].grant(current_role()).allows("R") for name in needs):
        return None
    if entity_name == "dispatch":
        part = db.session.get(Dispatch, as_id(pk))
        pk = part.ticket_id if part is not None else None
    return url_for(endpoint, **{argument: pk}) if pk is not None else None


def print_label(entity_name: str) -> str:
    return str(PRINTABLE[entity_name][2]) if entity_name in PRINTABLE else ""


class PrintView(BaseView):
    """The printable documents; reached from the buttons on their records' pages."""

    def is_visible(self) -> bool:
        return False  # no menu entry: each document is printed from its record

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return to_sign_in()

    @expose("/")
    def index(self):
        abort(404)  # nothing to print without a record

    def _render(self, template: str, **context):
        return self.render(template, printed_at=moment(utcnow()), **context)

    # ---- the assessment sheets ------------------------------------------------------------
    @expose("/monthly-sheet/")
    def monthly_sheet(self):
        row = _readable("monthly_assessment", request.args.get("id"))
        why = scoring.explanation(row)
        kpis = [(name, label, getattr(row, f"{name}_score"),
                 (why.get("weights") or {}).get(name)) for name, label in KPI_LABELS.items()]
        return self._render(
            "admin/print/monthly_sheet.html", row=row, kpis=kpis, why=why,
            back=url_for("monthly_assessment.sheet_view", id=row.id),
            **self._sheet_people(row))

    @expose("/annual-sheet/")
    def annual_sheet(self):
        row = _readable("annual_assessment", request.args.get("id"))
        months = db.session.scalars(sa.select(MonthlyAssessment).where(
            MonthlyAssessment.staff_id == row.staff_id,
            MonthlyAssessment.status == "confirmed",
            MonthlyAssessment.period.like(f"{row.year:04d}-%"),
        ).order_by(MonthlyAssessment.period)).all()
        outcomes = [str(OUTCOME_LABELS.get(code, code))
                    for code in (row.suggested_outcome or "").split(",") if code]
        return self._render(
            "admin/print/annual_sheet.html", row=row, months=months, outcomes=outcomes,
            scores=[(label, getattr(row, name)) for name, label in ANNUAL_LABELS.items()],
            back=url_for("annual_assessment.sheet_view", id=row.id),
            **self._sheet_people(row))

    @staticmethod
    def _sheet_people(row: MonthlyAssessment | AnnualAssessment) -> dict:
        supervisor = row.assessor or row.staff.supervisor
        return {"steward": person(row.staff), "supervisor": person(supervisor),
                "position": POSITION.label(row.staff.position),
                "confirmed_by": people([row.confirmed_by]).get(row.confirmed_by, ""),
                "confirmed_at": moment(row.confirmed_at), "statuses": ASSESSMENT_STATUS,
                "grades": GRADE}

    # ---- a ticket's service record --------------------------------------------------------
    @expose("/ticket/")
    def ticket_record(self):
        ticket = _readable("ticket", request.args.get("id"), through=_parts_seen)
        role = current_role()
        if ENTITIES["ticket_event"].grant(role).allows("R"):
            parts, events = list(ticket.dispatches), list(ticket.events)
            back = url_for("ticket.step_view", id=ticket.id)
        else:
            # a department reads its own parts and their notes, not the ticket's history
            parts = _parts_seen(ticket.id)
            events = [e for e in ticket.events if e.dispatch_id in {d.id for d in parts}]
            back = url_for("dispatch.step_view", id=parts[0].id) if parts else None
        names = people([e.actor for e in events])
        return self._render(
            "admin/print/ticket_record.html", ticket=ticket, unit=unit_label(ticket.unit),
            contact_phone=personal_value(ticket, "contact_phone"),
            steward=person(ticket.steward), events=events, names=names, parts=parts,
            statuses=TICKET_STATUS, categories=TICKET_CATEGORY, channels=INTAKE_CHANNEL,
            part_statuses=DISPATCH_STATUS, sources=FEEDBACK_SOURCE,
            person=person, back=back)

    # ---- an arrears notice per household --------------------------------------------------
    @expose("/arrears/")
    def arrears_notice(self):
        """A household's overdue bills (P-FEE-2): a unit and its owner, with what is owed in
        all and how to pay. The household is the unit's current primary owner, or `owner`,
        an owner billed for the unit (a former owner's household, as the arrears page lists
        it); a unit with no owner gets the bills no owner was billed for."""
        if not ENTITIES["bill"].grant(current_role()).allows("R"):
            abort(403)
        unit = _readable("unit", request.args.get("unit"))
        today = company_today()
        owner = self._household_owner(unit, request.args.get("owner"), today)
        bills = scoped_query(Bill).filter(
            Bill.unit_id == unit.id, arrears.outstanding(today),
            Bill.owner_id == owner.id if owner is not None else Bill.owner_id.is_(None),
        ).order_by(Bill.due_date, Bill.id).all()
        rows = [{"bill": b, "owed": b.amount - b.paid_amount,
                 "days": billing.days_overdue(b.due_date, today)} for b in bills]
        return self._render(
            "admin/print/arrears_notice.html", unit=unit, unit_name=unit_label(unit),
            owner=owner, rows=rows, today=today, steward=unit.steward,
            total=sum((r["owed"] for r in rows), start=0),
            how_to_pay=current_app.config["PAYMENT_INSTRUCTIONS"],
            back=url_for("unit.details_view", id=unit.id))

    @staticmethod
    def _household_owner(unit: Unit, asked, today) -> Owner | None:
        current = current_ownerships(db.session, unit.id, today)
        if asked in (None, ""):
            return next((o.owner for o in current if o.is_primary),
                        current[0].owner if current else None)
        owner = db.session.get(Owner, as_id(asked)) if as_id(asked) else None
        if owner is None or not (owner.id in {o.owner_id for o in current} or db.session.scalar(
                sa.select(sa.exists().where(Bill.unit_id == unit.id,
                                            Bill.owner_id == owner.id)))):
            abort(404)  # not a household of this unit
        return owner


def init_app(app) -> None:
    app.jinja_env.globals.update(print_url=print_url, print_label=print_label)
