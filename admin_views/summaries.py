"""Weekly and monthly summaries written from the records (P-LOG-2): the steward opens the
period's draft pre-filled with its figures, edits and submits it; the supervisor comments."""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from extensions import db
from models.base import changed, utcnow
from models.queries import company_today
from models.worklog import SUMMARY_KIND, SUMMARY_STATUS
from rules import summaries
from rules.periods import FIRST_YEAR, LAST_YEAR
from services import summaries as service

from .context import current_role
from .generated import EntityView

# The steward's own fields, fixed once the summary is submitted.
FIXED_WHEN_SUBMITTED = (*summaries.STEWARD_TEXT, "steward")


def figures_lines(summary) -> list[str]:
    """The figures kept on `summary`, worded in the reader's language."""
    kept = service.stored_figures(summary)
    if not kept:
        return []
    figures = summaries.Figures.from_stored(kept)
    return service.sentences(figures, with_logs=False)


def _figures(view, context, model, name):
    lines = figures_lines(model)
    if not lines:
        return ""
    return Markup("<br>").join(lines)


def _status(view, context, model, name):
    tone = "success" if model.status == "submitted" else "secondary"
    return Markup('<span class="badge badge-{}">{}</span>').format(
        tone, SUMMARY_STATUS.label(model.status))


class SummaryView(EntityView):
    """The summaries list and forms, the page that opens a period's draft, and submitting."""

    action_letters = {"delete": "D", "submit": "U", "recount": "U"}
    # steps only the summary's steward takes (the supervisor comments)
    action_roles = {"submit": frozenset({"steward"}), "recount": frozenset({"steward"})}
    endpoint_letters = {"write_view": "C"}
    page_links_declared = (("write_view", _l("Write a summary from the records")),)
    details_template = "admin/work/summary_details.html"
    edit_template = "admin/work/summary_edit.html"

    def __init__(self, entity, **declared):
        declared["column_formatters"] = {**declared.get("column_formatters", {}),
                                         "figures": _figures, "status": _status}
        super().__init__(entity, **declared)

    def status_label(self, summary) -> str:
        return str(SUMMARY_STATUS.label(summary.status))

    def figures_of(self, summary) -> list[str]:
        return figures_lines(summary)

    def may_take(self, name: str, summary) -> bool:
        """Whether the page offers step `name` on `summary`: the steward's own draft."""
        return summary.status == "draft" and self.is_action_allowed(name)

    def is_action_allowed(self, name: str) -> bool:
        roles = self.action_roles.get(name)
        return super().is_action_allowed(name) and (roles is None or current_role() in roles)

    def write_refusal(self, obj, name):
        found = super().write_refusal(obj, name)
        if found is None and obj is not None and obj.status == "submitted" \
                and name in FIXED_WHEN_SUBMITTED:
            return gettext("This summary has been submitted: its text no longer changes.")
        return found

    def on_model_change(self, form, model, is_created):
        period_moved = not is_created and (changed(model, "kind")
                                           or changed(model, "period_start"))
        super().on_model_change(form, model, is_created)
        if is_created and model.figures is None:
            service.fill(db.session, model)
        elif period_moved and model.status == "draft":
            service.recount(db.session, model)

    @action("submit", _l("Submit to my supervisor"),
            _l("Submit the selected summaries? Their text is then fixed."))
    def action_submit(self, ids):
        self.apply_to_selected(ids, service.submit, gettext("%(count)s submitted."))

    @action("recount", _l("Count the figures again"))
    def action_recount(self, ids):
        self.apply_to_selected(ids, lambda summary: service.recount(db.session, summary),
                               gettext("%(count)s counted again."))

    # ---- the page that opens a period's summary -------------------------------------------
    @expose("/write/", methods=("GET", "POST"))
    def write_view(self):
        me = current_user.staff
        today = company_today()
        if request.method == "POST":
            kind = request.form.get("kind")
            try:
                start = date.fromisoformat(request.form.get("start") or "")
            except ValueError:
                start = None
            if start is not None and not FIRST_YEAR <= start.year <= LAST_YEAR:
                start = None
            if me is None or kind not in SUMMARY_KIND or start is None:
                flash(gettext("Choose a period offered on this page."), "error")
            else:
                found = []
                if self.commit_or_refuse(lambda: found.append(
                        service.open_draft(db.session, me, kind, start, utcnow()))):
                    summary = found[0]
                    endpoint = ".edit_view" if summary.status == "draft" else ".details_view"
                    return redirect(url_for(endpoint, id=summary.id))
        return self.render("admin/work/summary_write.html", periods=self._periods(me, today),
                           kinds=SUMMARY_KIND, status=SUMMARY_STATUS,
                           return_url=url_for(".index_view"))

    @staticmethod
    def _periods(me, today: date) -> list[tuple[str, date, date, object]]:
        """This and last week, this and last month: (kind, first, last, its summary)."""
        this_week = summaries.period_containing("weekly", today)
        this_month = summaries.period_containing("monthly", today)
        last_month = summaries.period_containing("monthly", this_month - timedelta(days=1))
        offered = [("weekly", this_week - timedelta(days=7)), ("weekly", this_week),
                   ("monthly", last_month), ("monthly", this_month)]
        return [(kind, start, summaries.period_bounds(kind, start)[1],
                 me and service.find(db.session, me.id, kind, start))
                for kind, start in offered]
