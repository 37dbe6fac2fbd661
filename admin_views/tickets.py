"""Tickets: the handling page with the workflow's steps, bulk accept and close, and the
deadline flag and filter (P-TKT-1…7)."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from access import ENTITIES
from extensions import db
from models import Ticket, TicketEvent
from models.base import utcnow
from models.departments import DISPATCH_STATUS
from models.outbox import MESSAGE_CHANNEL, MESSAGE_STATUS, NOTICE_EVENT
from models.queries import overdue_ticket
from models.tickets import HANDLING_DEPARTMENT, TICKET_STATUS
from rules import corrections, workflow
from rules import dispatch as dispatch_rules
from services import dispatch as dispatching
from services import outbox, owner_links
from services.tickets import take_step

from .context import current_role, policy_today
from .corrections import IntakeCorrection
from .formats import moment
from .generated import EntityView, as_id
from .history import people
from .masking import personal_value
from .ticket_form import OwnerFill

DEADLINE_LABELS = {"overdue": _l("Overdue"), "due_soon": _l("Due soon")}


class DeadlineFilter(BaseSQLAFilter):
    """Open tickets past their deadline, or within the policy's "due soon" hours of it."""

    def __init__(self):
        super().__init__(Ticket.due_at, _l("Deadline"),
                         options=[(k, v) for k, v in DEADLINE_LABELS.items()])

    def validate(self, value):
        return value in DEADLINE_LABELS

    def apply(self, query, value, alias=None):
        now = utcnow()
        if value == "overdue":
            return query.filter(overdue_ticket(now))
        soon = now + timedelta(hours=policy_today().due_soon_hours)
        return query.filter(Ticket.status.in_(workflow.OPEN_STATES), Ticket.due_at >= now,
                            Ticket.due_at <= soon)

    def operation(self):
        return _l("is")  # read when the page is drawn, in the user's language


def _due_formatter(view, context, model, name):
    shown = moment(model.due_at)
    state = workflow.deadline_state(model.status, model.due_at, utcnow(), policy_today())
    if state is None:
        return shown
    tone = "danger" if state == "overdue" else "warning"
    return Markup('{} <span class="badge badge-{}">{}</span>').format(
        shown, tone, DEADLINE_LABELS[state])


def _code_formatter(view, context, model, name):
    url = url_for(".step_view", id=model.id)
    return Markup('<a href="{}">{}</a>').format(url, model.code)


class TicketView(OwnerFill, IntakeCorrection, EntityView):
    """Owners' needs. Status and its fields (DERIVED in the model, so never on the form)
    change only through the workflow's steps; the intake, once accepted, only through a
    supervisor's correction."""

    work_page = ("step_view", _l("Handle"))
    endpoint_letters = {"step_view": "R", "correct_view": "U", "owner_fill_view": "C"}
    action_letters = {"delete": "D", "accept": "U", "close": "U", "revoke_owner_link": "U"}

    added_filters = (DeadlineFilter,)
    added_formatters = {"due_at": _due_formatter, "code": _code_formatter}

    def write_refusal(self, obj, name):
        if (obj is not None and name in corrections.INTAKE_FIELDS
                and corrections.intake_fixed(obj.status)):
            return gettext(corrections.FIXED)
        return super().write_refusal(obj, name)

    # ---- the handling page ----------------------------------------------------------------
    @expose("/step/", methods=("GET", "POST"))
    def step_view(self):
        ticket = self.get_one(request.args.get("id"))
        if ticket is None:
            abort(404)
        if request.method == "POST" and request.form.get("step") == "note":
            return self._add_note(ticket)
        if request.method == "POST" and request.form.get("step") in ("dispatch", "withdraw"):
            return self._dispatching(ticket, request.form)
        if request.method == "POST":
            if not self.allows("U"):
                abort(403)
            form = request.form
            if not self.commit_or_refuse(lambda: take_step(
                db.session, ticket, form.get("step", ""), actor=current_user.username,
                resolution=form.get("resolution"), rating=as_id(form.get("rating")),
                department=form.get("department") or None, note=form.get("note") or None,
            )):
                return self._render_step(self.get_one(ticket.id), form), 200
            flash(gettext("Ticket %(code)s is now: %(status)s.", code=ticket.code,
                          status=TICKET_STATUS.label(ticket.status)), "success")
            return redirect(url_for(".step_view", id=ticket.id))
        return self._render_step(ticket, {})

    @staticmethod
    def may_note() -> bool:
        return ENTITIES["ticket_event"].grant(current_role()).allows("C")

    def _add_note(self, ticket):
        """A progress note; marked "tell the owner", it is sent to them and shown on their
        page (P-TKT-4)."""
        if not self.may_note():
            abort(403)
        note = (request.form.get("note") or "").strip()
        if not note:
            flash(gettext("Write the note first."), "error")
            return self._render_step(ticket, request.form), 200
        shared = request.form.get("tell_owner") == "y"

        def add() -> None:
            db.session.add(TicketEvent(ticket=ticket, actor=current_user.username,
                                       note=note[:2000], shared_with_owner=shared))
            db.session.flush()

        if not self.commit_or_refuse(add):
            return self._render_step(self.get_one(ticket.id), request.form), 200
        flash(gettext("The note is added and will be sent to the owner.") if shared
              else gettext("The note is added."), "success")
        return redirect(url_for(".step_view", id=ticket.id))

    def _dispatching(self, ticket, form):
        """The steward sends more of the work to a department while handling it, or calls a
        department's part back with the reason (P-TKT-3)."""
        if not self.allows("U"):
            abort(403)
        if form.get("step") == "dispatch":
            code = form.get("department") or ""
            operation = lambda: dispatching.dispatch(  # noqa: E731
                db.session, ticket, code, actor=current_user.username)
            done = gettext("Dispatched to %(department)s.",
                           department=HANDLING_DEPARTMENT.label(code))
        else:
            work = next((d for d in ticket.dispatches if d.id == as_id(form.get("dispatch"))),
                        None)
            if work is None:
                abort(404)
            operation = lambda: dispatching.withdraw(  # noqa: E731
                db.session, work, current_user.username, form.get("reason"))
            done = gettext("The department's part is withdrawn.")
        if not self.commit_or_refuse(lambda: (operation(), db.session.flush())):
            return self._render_step(self.get_one(ticket.id), form), 200
        flash(done, "success")
        return redirect(url_for(".step_view", id=ticket.id))

    def _render_step(self, ticket, entered):
        steps = workflow.steps_from(ticket.status) if self.allows("U") else []
        return self.render(
            "admin/work/ticket.html", ticket=ticket, steps=steps, entered=entered,
            people=people(event.actor for event in ticket.events),
            statuses=TICKET_STATUS, departments=list(HANDLING_DEPARTMENT),
            deadline=workflow.deadline_state(ticket.status, ticket.due_at, utcnow(),
                                             policy_today()),
            deadline_labels=DEADLINE_LABELS, on_time=(
                workflow.on_time(ticket.resolved_at, ticket.due_at)
                if ticket.resolved_at and ticket.due_at else None),
            contact_phone=personal_value(ticket, "contact_phone"),
            can_correct=self.may_open("correct_view"), can_note=self.may_note(),
            can_dispatch=self.allows("U"),
            messages=ticket.messages, message_events=NOTICE_EVENT,
            message_channels=MESSAGE_CHANNEL, message_statuses=MESSAGE_STATUS,
            explain_error=outbox.explain, dispatch_statuses=DISPATCH_STATUS,
            now=utcnow(), dispatch_overdue=dispatch_rules.overdue,
            return_url=self.get_url(".index_view"),
        )

    # ---- bulk steps without inputs --------------------------------------------------------
    @action("accept", _l("Accept"), _l("Accept the selected tickets?"))
    def action_accept(self, ids):
        self._bulk_step(ids, "accept")

    @action("close", _l("Close"), _l("Close the selected tickets?"))
    def action_close(self, ids):
        self._bulk_step(ids, "close")

    # ---- the owner's link: a message sent to the wrong number, a unit sold ---------------
    @action("revoke_owner_link", _l("Revoke the owner's link"),
            _l("Revoke the owner's link of the selected tickets? Links already sent stop "
               "working; the next message about each ticket brings a new one."))
    def action_revoke_owner_link(self, ids):
        """The ticket's history says who revoked it and when (an event the owner does not
        see); the next message to the owner brings a new link (services/owner_links.py)."""
        note = gettext("The owner's link was revoked; the next message brings a new one.")
        self.apply_to_selected(
            ids, lambda ticket: owner_links.revoked_by_staff(
                db.session, ticket, current_user.username, note),
            gettext("%(count)s owner links revoked."))

    def _bulk_step(self, ids, step):
        self.apply_to_selected(
            ids, lambda ticket: take_step(db.session, ticket, step, actor=current_user.username),
            gettext("%(count)s tickets done."),
        )
