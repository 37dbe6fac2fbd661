"""Return visits (P-OWN-3): planned ones flagged due and overdue, the page where a visit is
recorded with its survey on the policy's three dimensions, and the owner's needs turned into
a ticket in one click."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_admin.form import BaseForm
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, Optional

from access import ENTITIES
from extensions import db
from models import ReturnVisit, Ticket
from models.base import utcnow
from models.property import CONTACT_CHANNEL
from models.queries import company_today, company_zone, local_date
from models.tickets import HANDLING_DEPARTMENT
from rules import visits as rules
from rules.owner_feedback import DIMENSIONS
from rules.periods import day_window
from services import visits as service

from .context import current_role
from .fields import LocalDateTimeField
from .form_checks import bounds_for
from .formats import moment
from .generated import EntityView

STATE_LABELS = {"overdue": _l("Overdue"), "due": _l("Due today")}
RATINGS = [("", "")] + [(str(n), str(n)) for n in range(5, 0, -1)]


class VisitStateFilter(BaseSQLAFilter):
    """Planned visits not made whose day has come (due today) or passed (overdue)."""

    def __init__(self):
        super().__init__(ReturnVisit.planned_on, _l("Visit due"),
                         options=[(k, v) for k, v in STATE_LABELS.items()])

    def validate(self, value):
        return value in STATE_LABELS

    def apply(self, query, value, alias=None):
        today = company_today()
        start, end = day_window(today, today, company_zone())
        query = query.filter(ReturnVisit.visited_at.is_(None))
        if value == "overdue":
            return query.filter(ReturnVisit.planned_on < start)
        return query.filter(ReturnVisit.planned_on >= start, ReturnVisit.planned_on < end)

    def operation(self):
        return _l("is")  # read when the page is drawn, in the user's language


def state_of(visit: ReturnVisit) -> str | None:
    planned = local_date(visit.planned_on) if visit.planned_on else None
    return rules.visit_state(planned, visit.visited_at is not None, company_today())


def _planned_formatter(view, context, model, name):
    shown = moment(model.planned_on)
    state = state_of(model)
    if state is None:
        return shown
    tone = "danger" if state == "overdue" else "warning"
    return Markup('{} <span class="badge badge-{}">{}</span>').format(
        shown, tone, STATE_LABELS[state])


class VisitForm(BaseForm):
    visited_at = LocalDateTimeField(_l("Visited at"), validators=[
        InputRequired(), *bounds_for(ReturnVisit.__table__.c.visited_at)])
    channel = SelectField(_l("Channel"), choices=list(CONTACT_CHANNEL))
    rating_attitude = SelectField(_l(DIMENSIONS["attitude"]), choices=RATINGS,
                                  default="", validators=[Optional()])
    rating_efficiency = SelectField(_l(DIMENSIONS["efficiency"]), choices=RATINGS,
                                    default="", validators=[Optional()])
    rating_solving = SelectField(_l(DIMENSIONS["solving"]), choices=RATINGS,
                                 default="", validators=[Optional()])
    opinions = TextAreaField(_l("Opinions"), validators=bounds_for(
        ReturnVisit.__table__.c.opinions))
    needs = TextAreaField(_l("Needs raised"), validators=bounds_for(
        ReturnVisit.__table__.c.needs))
    referred_to = SelectField(_l("Referred to"),
                              choices=[("", "")] + list(HANDLING_DEPARTMENT), default="",
                              validators=[Optional()])


class ReturnVisitView(EntityView):
    work_page = ("step_view", _l("Record the visit"))
    endpoint_letters = {"step_view": "U"}

    added_filters = (VisitStateFilter,)
    added_formatters = {"planned_on": _planned_formatter}

    @expose("/step/", methods=("GET", "POST"))
    def step_view(self):
        visit = self.get_one(request.args.get("id"))
        if visit is None:
            abort(404)
        if request.method == "POST" and request.form.get("step") == "ticket":
            return self._make_ticket(visit)
        form = VisitForm(request.form if request.method == "POST" else None, obj=visit)
        if request.method == "GET" and visit.visited_at is None:
            form.visited_at.data = utcnow().replace(second=0, microsecond=0)
            form.channel.data = visit.channel
        if request.method == "POST" and form.validate():
            entered = {name: field.data for name, field in form._fields.items()}
            if self.commit_or_refuse(lambda: service.record(db.session, visit, entered)):
                flash(gettext("The visit is recorded."), "success")
                return redirect(url_for(".step_view", id=visit.id))
            visit = self.get_one(visit.id)
        return self.render("admin/work/visit.html", visit=visit, form=form,
                           state=state_of(visit), state_labels=STATE_LABELS,
                           may_ticket=self._may_make_ticket(),
                           return_url=self.get_url(".index_view"))

    @staticmethod
    def _may_make_ticket() -> bool:
        return ENTITIES["ticket"].grant(current_role()).allows("C")

    def _make_ticket(self, visit: ReturnVisit):
        if not self._may_make_ticket():
            abort(403)
        if not self.commit_or_refuse(lambda: service.ticket_from_needs(
                db.session, visit, current_user.username)):
            return redirect(url_for(".step_view", id=visit.id))
        ticket = db.session.get(Ticket, visit.needs_ticket_id)
        flash(gettext("Ticket %(code)s is made from the owner's needs; accept it to start.",
                      code=ticket.code), "success")
        return redirect(url_for("ticket.step_view", id=ticket.id))
