"""A department's queue: the work tickets dispatched to it, taken, noted and marked done by
its members (rules/dispatch.py; P-TKT-3, P-COORD-1). The steward sees the same rows, read
only, for their own tickets; the ticket stays theirs."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from extensions import db
from models import Dispatch
from models.base import utcnow
from models.departments import DISPATCH_STATUS
from models.tickets import TICKET_STATUS
from rules import dispatch as rules
from services import dispatch as service

from .formats import moment
from .generated import EntityView
from .history import people
from .masking import personal_value

OVERDUE = _l("Overdue")


class OverdueWorkFilter(BaseSQLAFilter):
    """Open work past the ticket's deadline."""

    def __init__(self):
        super().__init__(Dispatch.due_at, _l("Deadline"), options=[("overdue", OVERDUE)])

    def validate(self, value):
        return value == "overdue"

    def apply(self, query, value, alias=None):
        return query.filter(Dispatch.status.in_(rules.OPEN), Dispatch.due_at < utcnow())

    def operation(self):
        return _l("is")  # read when the page is drawn, in the user's language


def _due_formatter(view, context, model, name):
    shown = moment(model.due_at)
    if not rules.overdue(model.status, model.due_at, utcnow()):
        return shown
    return Markup('{} <span class="badge badge-danger">{}</span>').format(shown, OVERDUE)


class DispatchView(EntityView):
    work_page = ("step_view", _l("Work on it"))
    endpoint_letters = {"step_view": "R"}

    added_filters = (OverdueWorkFilter,)
    added_formatters = {"due_at": _due_formatter}

    @expose("/step/", methods=("GET", "POST"))
    def step_view(self):
        work = self.get_one(request.args.get("id"))
        if work is None:
            abort(404)
        if request.method == "POST":
            return self._act(work)
        return self._render(work, {})

    def _act(self, work: Dispatch):
        form, user = request.form, current_user._get_current_object()
        step = form.get("step")
        operations = {
            "take": lambda: service.take(db.session, work, user),
            "note": lambda: service.add_note(db.session, work, user, form.get("note")),
            "done": lambda: service.finish(db.session, work, user, form.get("note")),
        }
        if step not in operations:
            abort(400)
        if not self.commit_or_refuse(operations[step]):
            return self._render(self.get_one(work.id), form), 200
        flash({"take": gettext("The work is yours: the steward sees who took it."),
               "note": gettext("The note is on the ticket's history."),
               "done": gettext("Marked done: the steward resolves the ticket with the owner.")
               }[step], "success")
        return redirect(url_for(".step_view", id=work.id))

    def _render(self, work: Dispatch, entered):
        actor = service.actor_of(db.session, current_user)
        member = rules.is_member(actor, work.department.code)
        notes = [e for e in work.ticket.events if e.dispatch_id == work.id]
        return self.render(
            "admin/work/dispatch.html", work=work, ticket=work.ticket, entered=entered,
            member=member, is_head=actor.is_head, notes=notes,
            people=people(event.actor for event in notes),
            mine=work.taken_by_id is not None and work.taken_by_id == current_user.staff_id,
            statuses=DISPATCH_STATUS, ticket_statuses=TICKET_STATUS,
            overdue=rules.overdue(work.status, work.due_at, utcnow()),
            contact_phone=personal_value(work.ticket, "contact_phone"),
            return_url=self.get_url(".index_view"))
