"""The supervisor's page for correcting an accepted ticket's intake time, urgency and
importance, with a reason (rules/corrections.py; P-TKT-2, P-TKT-7, P-KPI-3)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.form import BaseForm
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, TextAreaField
from wtforms.validators import InputRequired

from extensions import db
from models import Ticket, TicketEvent
from rules import corrections
from services.tickets import correct_intake

from .context import current_role
from .fields import LocalDateTimeField
from .form_checks import bounds_for
from .formats import moment


class IntakeForm(BaseForm):  # Flask-Admin's base: WTForms' own messages in the user's language
    intake_at = LocalDateTimeField(_l("Intake at"), validators=[
        InputRequired(), *bounds_for(Ticket.__table__.c.intake_at)])
    urgent = BooleanField(_l("Urgent"))
    important = BooleanField(_l("Important"))
    # the reason is kept as the ticket event's note: that column's limit
    reason = TextAreaField(_l("Reason for the correction"),
                           validators=bounds_for(TicketEvent.__table__.c.note))


def same_minute(entered, stored) -> bool:
    """The form shows minutes: an intake time left as shown is the stored one."""
    return stored is not None and entered == stored.replace(second=0, microsecond=0)


class IntakeCorrection:
    """Adds the correction page to the ticket view; only the roles rules/corrections.py
    names may open it, on their own rows."""

    endpoint_roles = {"correct_view": corrections.CORRECTORS}

    @expose("/correct/", methods=("GET", "POST"))
    def correct_view(self):
        ticket = self.get_one(request.args.get("id"))
        if ticket is None:
            abort(404)
        form = IntakeForm(request.form if request.method == "POST" else None, obj=ticket)
        if request.method == "POST" and form.validate():
            entered = form.intake_at.data
            intake = ticket.intake_at if same_minute(entered, ticket.intake_at) else entered
            if self.commit_or_refuse(lambda: correct_intake(
                db.session, ticket, intake_at=intake, urgent=form.urgent.data,
                important=form.important.data, reason=form.reason.data or "",
                actor=current_user.username, role=current_role(),
            )):
                flash(gettext("The intake of %(code)s is corrected; it is now due %(due)s.",
                              code=ticket.code, due=moment(ticket.due_at)),
                      "success")
                return redirect(url_for(".step_view", id=ticket.id))
            ticket = self.get_one(ticket.id)
        return self.render("admin/work/ticket_correct.html", ticket=ticket, form=form,
                           return_url=url_for(".step_view", id=ticket.id))
