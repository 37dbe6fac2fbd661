"""A unit's file and an owner's file (房屋档案, 业主档案): one page with everything about the
unit or the owner the reader may see — people over time, the steward, bills and arrears,
tickets, return visits with their surveys, procedures, reminders and the record's history —
each section the newest rows with a link to its whole list and a "+ new" form prefilled
with this unit or owner; and the lookup by room, name or phone that leads to them.

Each section reads its entity through the same row scope as its list (scope_condition), and
only when the role may read that entity at all; personal fields are masked as on the lists,
and a phone the role sees in full is a `tel:` link.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from access import BY_MODEL, ENTITIES
from extensions import db
from models import Bill, Building, Owner, Ticket, Unit
from models import property_files as files
from models.base import utcnow
from models.fees import ARREARS_REASON, BILL_STATUS, REMINDER_METHOD, REMINDER_OUTCOME
from models.property import CONTACT_CHANNEL, UNIT_USAGE
from models.queries import company_today
from models.service import PROCEDURE_KIND, PROCEDURE_STATUS
from models.tickets import TICKET_CATEGORY, TICKET_STATUS
from rules import lookup as lookup_rules
from rules import workflow

from . import lookup
from .context import current_role, policy_today
from .file_filters import filtered_list_url
from .generated import EntityView, scope_condition
from .masking import personal_value, reveals_personal

# (entity, section) of a file: the entities whose rows a file lists
SECTIONS = ("ownership", "bill", "ticket", "return_visit", "procedure", "arrears_reminder")
WORDS = {"ticket_status": TICKET_STATUS, "category": TICKET_CATEGORY, "bill_status": BILL_STATUS,
         "usage": UNIT_USAGE, "channel": CONTACT_CHANNEL, "procedure_kind": PROCEDURE_KIND,
         "procedure_status": PROCEDURE_STATUS, "method": REMINDER_METHOD,
         "reason": ARREARS_REASON, "outcome": REMINDER_OUTCOME}


def _grant(name: str):
    return ENTITIES[name].grant(current_role())


def _scope(model: type):
    return scope_condition(BY_MODEL[model])


def phone_of(owner: Owner | None) -> str:
    """An owner's phone as the role may see it (in full it calls: the |call filter)."""
    return personal_value(owner, "phone") if owner is not None else ""


class FilePages:
    """What the unit's and the owner's file pages share, mixed into their views."""

    file_template: str
    file_kind: str  # "unit" or "owner": the lists' filter and the forms' prefill

    def _view(self, name: str):
        return next(v for v in self.admin._views if getattr(v, "endpoint", None) == name)

    def _sections(self, about: dict) -> dict[str, files.Section]:
        """Each section's newest rows: `about[model]` says which rows are this file's."""
        session = db.session
        return {name: files.section(session, ENTITIES[name].model,
                                    about[ENTITIES[name].model], _scope,
                                    readable=_grant(name).allows("R"))
                for name in SECTIONS if name != "ownership"}

    def _links(self, pk: int, prefill: dict) -> dict:
        """Per section: its whole list filtered to this file, and its "+ new" form with
        this unit or owner chosen (for the roles that may create one)."""
        back = request.full_path
        links = {}
        for name in SECTIONS:
            grant = _grant(name)
            fields = {k: v for k, v in prefill.get(name, {}).items() if v is not None}
            links[name] = {
                "list": filtered_list_url(self._view(name), self.file_kind, pk)
                if grant.allows("R") else None,
                "new": url_for(f"{name}.create_view", url=back, **fields)
                if grant.allows("C") else None,
            }
        return links

    def _render_file(self, **context):
        today = company_today()
        return self.render(
            self.file_template, today=today, words=WORDS, phone_of=phone_of, deadline=_deadline,
            unit_label=files.unit_label, **context)


def _deadline(ticket: Ticket):
    return workflow.deadline_state(ticket.status, ticket.due_at, utcnow(), policy_today())


class UnitView(FilePages, EntityView):
    """Units, with each unit's file and the lookup by room, name or phone."""

    work_page = ("file_view", _l("Unit file"))
    endpoint_letters = {"file_view": "R", "find_view": "R"}
    page_links_declared = (("find_view", _l("Find a unit or owner")),)
    file_template = "admin/work/unit_file.html"
    file_kind = "unit"

    @expose("/file/")
    def file_view(self):
        unit = self.get_one(request.args.get("id"))  # another's unit: 403
        if unit is None:
            abort(404)
        unit = db.session.scalars(db.select(Unit).options(
            joinedload(Unit.building).joinedload(Building.project),
            joinedload(Unit.steward)).where(Unit.id == unit.id)).one()
        session, today = db.session, company_today()
        owners = files.owners_of_unit(session, unit.id, _scope)
        current = next((o.owner for o in owners.rows if o.is_primary and (
            o.until is None or o.until >= today)), None)
        about = {model: path(unit.id) for model, path in files.UNIT_PATHS.items()}
        owner_id = current.id if current else None
        prefill = {"ownership": {"unit": unit.id}, "bill": {"unit": unit.id, "owner": owner_id},
                   "ticket": {"unit": unit.id, "owner": owner_id},
                   "return_visit": {"unit": unit.id, "owner": owner_id},
                   "procedure": {"unit": unit.id}, "arrears_reminder": {}}
        sections = self._sections(about)
        overdue = [b for b in sections["bill"].rows
                   if b.status in files.OWING and b.due_date < today]
        if overdue:
            prefill["arrears_reminder"] = {"bill": overdue[-1].id}
        return self._render_file(
            unit=unit, owners=owners if _grant("ownership").allows("R") else None,
            stewards=files.stewards_of_unit(session, unit.id),
            arrears=files.arrears(session, about[Bill], _scope, today)
            if _grant("bill").allows("R") else None,
            sections=sections, links=self._links(unit.id, prefill),
            history=self.history(unit)[:files.SHOWN],
            details_url=self.get_url(".details_view", id=unit.id),
            return_url=self.get_url(".index_view"))

    @expose("/find/")
    def find_view(self):
        """Units and owners matching what was typed; straight to the file when one does."""
        text = (request.args.get("q") or "").strip()
        plan = lookup_rules.plan(text, may_search_phone=reveals_personal())
        if plan.phone_refused:
            flash(gettext("Your role sees phone numbers masked, so it cannot search by them: "
                          "search by room or name."), "warning")
        may_owners = _grant("owner").allows("R")
        units = lookup.find_units(db.session, plan, _scope) if text else []
        owners = lookup.find_owners(db.session, plan, _scope) if text and may_owners else []
        if len(units) + len(owners) == 1:
            if units:
                return redirect(url_for(".file_view", id=units[0].id))
            return redirect(url_for("owner.file_view", id=owners[0].id))
        homes = {pk: [files.unit_label(unit) for unit in units] for pk, units in
                 lookup.current_units(db.session, [o.id for o in owners[:lookup.FOUND]],
                                      _scope, company_today()).items()}
        return self.render(
            "admin/work/find.html", text=text, units=units[:lookup.FOUND],
            owners=owners[:lookup.FOUND], homes=homes, more_units=len(units) > lookup.FOUND,
            more_owners=len(owners) > lookup.FOUND, searched=bool(text), phone_of=phone_of,
            unit_label=files.unit_label, return_url=self.get_url(".index_view"))


class OwnerView(FilePages, EntityView):
    """Owners, with each owner's file."""

    work_page = ("file_view", _l("Owner file"))
    endpoint_letters = {"file_view": "R"}
    file_template = "admin/work/owner_file.html"
    file_kind = "owner"

    @expose("/file/")
    def file_view(self):
        owner = self.get_one(request.args.get("id"))  # another's owner: 403
        if owner is None:
            abort(404)
        session, today = db.session, company_today()
        units = files.units_of_owner(session, owner.id, _scope)
        home = next((o.unit.id for o in units.rows
                     if o.until is None or o.until >= today), None)
        about = {model: path(owner.id) for model, path in files.OWNER_PATHS.items()}
        prefill = {"ownership": {"owner": owner.id},
                   "bill": {"owner": owner.id, "unit": home},
                   "ticket": {"owner": owner.id, "unit": home},
                   "return_visit": {"owner": owner.id, "unit": home},
                   "procedure": {"owner": owner.id, "unit": home}, "arrears_reminder": {}}
        sections = self._sections(about)
        overdue = [b for b in sections["bill"].rows
                   if b.status in files.OWING and b.due_date < today]
        if overdue:
            prefill["arrears_reminder"] = {"bill": overdue[-1].id}
        return self._render_file(
            owner=owner, phone=phone_of(owner),
            id_number=personal_value(owner, "id_number") if owner.id_number else "",
            channel=CONTACT_CHANNEL.label(owner.preferred_channel),
            units=units if _grant("ownership").allows("R") else None,
            arrears=files.arrears(session, about[Bill], _scope, today)
            if _grant("bill").allows("R") else None,
            sections=sections, links=self._links(owner.id, prefill),
            history=self.history(owner)[:files.SHOWN],
            details_url=self.get_url(".details_view", id=owner.id),
            return_url=self.get_url(".index_view"))

