"""Coordination meetings and their action items (P-COM-2): whoever holds meetings (access.py:
C on meetings) writes the items, each with who does it by when; the person responsible marks
theirs done with a note, from their start page or the item's page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.helpers import get_redirect_target
from flask_babel import gettext
from markupsafe import Markup

from access import ENTITIES
from extensions import db
from models import Staff
from models.base import changed, old_value
from models.org import ACTION_ITEM_STATUS, ActionItem
from models.queries import company_today
from rules import meetings

from .context import current_role
from .generated import EntityView, scoped_query

TONES = {"open": "info", "done": "success", "cancelled": "secondary"}


def holds_meetings(role: str | None) -> bool:
    """Whether `role` holds meetings: creates them, by the access declaration."""
    return ENTITIES["meeting"].grant(role).allows("C")


def status_badge(item) -> Markup:
    badge = Markup('<span class="badge badge-{}">{}</span>').format(
        TONES.get(item.status, "secondary"), ACTION_ITEM_STATUS.label(item.status))
    if meetings.is_overdue(item.status, item.due_on, company_today()):
        badge += Markup(' <span class="badge badge-danger overdue">{}</span>').format(
            gettext("Overdue"))
    return badge


def _status(view, context, model, name):
    return status_badge(model)


class ActionItemView(EntityView):
    """Action items: a list with overdue badges, and the page that marks one done."""

    endpoint_letters = {"done_view": "U"}

    def __init__(self, entity, **declared):
        declared["column_formatters"] = {**declared.get("column_formatters", {}),
                                         "status": _status}
        super().__init__(entity, **declared)

    def on_model_change(self, form, model, is_created):
        if not is_created and changed(model, "status"):
            meetings.check_status_change(old_value(model, "status"), model.status,
                                         holds_meetings(current_role()))
        super().on_model_change(form, model, is_created)

    def _fit_form(self, form, obj=None):
        """Whoever holds a meeting gives an item to anyone on the staff (an engineer, HR),
        not only to the people whose records their role reads."""
        form = super()._fit_form(form, obj)
        if "responsible" in form:
            form.responsible.query = db.session.query(Staff).filter(
                Staff.status != "left").order_by(Staff.employee_no)
        return form

    @expose("/done/", methods=("GET", "POST"))
    def done_view(self):
        item = self.get_one(request.args.get("id"))
        if item is None:
            abort(404)
        if request.method == "POST":
            if item.status != "open":
                flash(gettext("This action item is not open."), "error")
            elif self.commit_or_refuse(lambda: self._mark_done(item)):
                flash(gettext("Marked done."), "success")
                return redirect(get_redirect_target() or url_for(".details_view",
                                                                 id=item.id))
        return self.render("admin/work/action_item_done.html", item=item,
                           badge=status_badge(item), return_url=url_for(".index_view"))

    @staticmethod
    def _mark_done(item) -> None:
        item.done_note = meetings.done_note(request.form.get("done_note"))
        item.status = "done"
        db.session.flush()


class MeetingView(EntityView):
    """Meetings, with their action items on the details page."""

    details_template = "admin/work/meeting_details.html"

    def items_of(self, meeting) -> list:
        """The meeting's action items the signed-in user may read."""
        return list(scoped_query(ActionItem).filter(ActionItem.meeting_id == meeting.id)
                    .order_by(ActionItem.due_on, ActionItem.id))

    def may_add_items(self) -> bool:
        return ENTITIES["action_item"].grant(current_role()).allows("C")

    def badge(self, item) -> Markup:
        return status_badge(item)


def open_items_of(staff_id: int | None) -> list[ActionItem]:
    """A person's open action items, the earliest due first (for their start page)."""
    if staff_id is None:
        return []
    return list(db.session.scalars(sa.select(ActionItem).where(
        ActionItem.responsible_id == staff_id, ActionItem.status == "open")
        .order_by(ActionItem.due_on, ActionItem.id)))
