"""Assessments: the supervisor's run for the team, the assessment sheet with each KPI's
breakdown, confirm and reopen (P-KPI-1…4, P-ASM-1, P-ASM-2); HR's decisions on the
rewards and penalties they suggest (P-RP-1…3)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from extensions import db
from models import MonthlyAssessment, Staff
from models.assessment import ASSESSMENT_STATUS, GRADE
from models.people import POSITION
from models.queries import company_today
from models.tickets import FEEDBACK_SOURCE
from rules import assessing, periods
from rules.refusal import N_, Refused
from services import assessments as service
from services import cells as spreadsheet
from services.staffing import decide

from .generated import EntityView, refusal_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KPI_LABELS = {
    "satisfaction": _l("Owner satisfaction"),
    "collection": _l("Fee collection rate"),
    "on_time": _l("On-time handling rate"),
    "task": _l("Task completion"),
}
ANNUAL_LABELS = {
    "monthly_mean": _l("Mean monthly score"),
    "owner_evaluation": _l("Owners' evaluation"),
    "performance_score": _l("Work performance"),
}
OUTCOME_LABELS = {
    "annual_award": _l("Annual award"),
    "promotion": _l("Promotion"),
    "salary_adjustment": _l("Salary adjustment"),
}


def _score(text: str | None) -> Decimal | None:
    """A typed-in score 0–100 (blank: none)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not 0 <= value <= 100:
        raise Refused(N_("A score is a number from 0 to 100."))
    return value.quantize(Decimal("0.01"))


def _outcomes(text: str | None) -> str:
    return "、".join(str(OUTCOME_LABELS.get(code, code)) for code in (text or "").split(",")
                    if code)


def _outcome_formatter(view, context, model, name):
    return _outcomes(model.suggested_outcome)


def _sheet_link(view, context, model, name):
    return Markup('<a href="{}">{}</a>').format(
        url_for(".sheet_view", id=model.id), getattr(model, name))


class AssessmentView(EntityView):
    """What the monthly and annual screens share: run, sheet, confirm, reopen."""

    work_page = ("sheet_view", _l("Assessment sheet"))
    endpoint_letters = {"run_view": "R", "sheet_view": "R"}
    page_links_declared = (("run_view", _l("The team's assessments")),)
    period_field = "period"
    entered_fields: tuple[str, ...] = ()
    entered_flags: tuple[str, ...] = ()

    def __init__(self, entity, **declared):
        declared.setdefault("form_columns", ["staff", self.period_field,
                                             *self.entered_fields, *self.entered_flags,
                                             "comment"])
        declared["column_formatters"] = {
            **declared.get("column_formatters", {}), self.period_field: _sheet_link}
        super().__init__(entity, **declared)

    # ---- the generic form: entered fields only, the rest is computed -----------------------
    def on_model_change(self, form, model, is_created):
        if is_created and model.assessor_id is None:
            model.assessor_id = current_user.staff_id
        if model.status != "confirmed":
            service.rescore(db.session, model)
        super().on_model_change(form, model, is_created)

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        row = self.get_one(request.args.get("id"))
        if row is not None and row.status == "confirmed":
            flash(gettext("A confirmed assessment cannot be changed; reopen it first."),
                  "error")
            return redirect(url_for(".sheet_view", id=row.id))
        return super().edit_view()

    # ---- the team's run -------------------------------------------------------------------
    def _staff(self):
        if current_user.staff is None:
            raise Refused(N_("Your account is not linked to a staff record."))
        return current_user.staff

    def default_period(self) -> str:
        raise NotImplementedError

    def parse_period(self, text: str):
        raise NotImplementedError

    def run(self, supervisor, period):
        raise NotImplementedError

    @expose("/run/", methods=("GET", "POST"))
    def run_view(self):
        text = (request.values.get("period") or self.default_period()).strip()
        if request.method == "POST":
            if not self.allows("C"):
                abort(403)
            results = []
            if self.commit_or_refuse(lambda: results.append(
                    self.run(self._staff(), self.parse_period(text)))):
                done = results[0]
                flash(gettext("%(created)s created, %(rescored)s recalculated, %(confirmed)s "
                              "already confirmed.", created=len(done.created),
                              rescored=len(done.rescored), confirmed=len(done.confirmed)),
                      "success")
                return redirect(url_for(".run_view", period=text))
        try:
            rows = self.get_query().filter(
                getattr(self.model, self.period_field) == self.parse_period(text)
            ).order_by(self.model.staff_id).all()
        except Refused as refusal:
            flash(refusal_text(refusal), "error")
            rows = []
        return self.render("admin/work/assessment_run.html", period=text, rows=rows,
                           period_field=self.period_field, grades=GRADE,
                           statuses=ASSESSMENT_STATUS, return_url=self.get_url(".index_view"))

    # ---- the sheet ------------------------------------------------------------------------
    @expose("/sheet/", methods=("GET", "POST"))
    def sheet_view(self):
        row = self.get_one(request.args.get("id"))
        if row is None:
            abort(404)
        if request.method == "POST":
            if not self.allows("U"):
                abort(403)
            operation = request.form.get("operation", "")
            if not self.commit_or_refuse(lambda: self._sheet_operation(row, operation)):
                return self._render_sheet(self.get_one(row.id), request.form), 200
            return redirect(url_for(".sheet_view", id=row.id))
        return self._render_sheet(row, {})

    def _sheet_operation(self, row, operation: str) -> None:
        actor = current_user.username
        if operation == "save":
            if row.status == "confirmed":
                raise Refused(N_("A confirmed assessment cannot be changed; reopen it first."))
            for name in self.entered_fields:
                setattr(row, name, _score(request.form.get(name)))
            for name in self.entered_flags:
                setattr(row, name, bool(request.form.get(name)))
            if isinstance(row, MonthlyAssessment):
                assessing.check_task_entry(row.task_score, row.no_tasks)
            row.comment = (request.form.get("comment") or "").strip() or None
            service.rescore(db.session, row)
            flash(gettext("Saved and recalculated."), "success")
        elif operation == "confirm":
            suggested = service.confirm(db.session, row, actor)
            flash(gettext("Confirmed. %(n)s suggestions sent to HR.", n=len(suggested)),
                  "success")
        elif operation == "reopen":
            service.reopen(db.session, row, actor, request.form.get("reason", ""))
            flash(gettext("Reopened."), "success")
        else:
            raise Refused(N_("Unknown operation."))

    def _render_sheet(self, row, entered):
        return self.render(
            self.sheet_template, row=row, entered=entered, grades=GRADE,
            statuses=ASSESSMENT_STATUS, editable=self.allows("U"),
            return_url=self.get_url(".index_view"), **self.sheet_context(row))

    def sheet_context(self, row) -> dict:
        return {}


class MonthlyAssessmentView(AssessmentView):
    period_field = "period"
    entered_fields = ("task_score",)
    entered_flags = ("no_tasks",)
    endpoint_letters = {**AssessmentView.endpoint_letters, "bonus_view": "R"}
    download_endpoints = ("bonus_view",)
    sheet_template = "admin/work/monthly_sheet.html"

    def default_period(self) -> str:
        """The month just ended: supervisors assess at the start of the next month."""
        return periods.previous_period(periods.period_of(company_today()))

    def parse_period(self, text: str) -> str:
        periods.parse_period(text)
        return text

    def run(self, supervisor, period):
        return service.run_month(db.session, supervisor, period)

    # ---- the month's bonus sheet for payroll (P-ASM-1) -------------------------------------
    def _last_confirmed(self) -> str | None:
        """Payroll's month when none is asked for: the latest with confirmed assessments."""
        return self.get_query().filter(MonthlyAssessment.status == "confirmed").with_entities(
            sa.func.max(MonthlyAssessment.period)).scalar()

    @expose("/bonus/")
    def bonus_view(self):
        """The confirmed assessments of a month that the user may read, one row per person:
        score, grade, factor, base and amount, as xlsx."""
        try:
            period = self.parse_period((request.args.get("period") or "").strip()
                                       or self._last_confirmed() or self.default_period())
        except Refused as refusal:
            flash(refusal_text(refusal), "error")
            return redirect(url_for(".run_view"))
        rows = self.get_query().filter(
            MonthlyAssessment.period == period, MonthlyAssessment.status == "confirmed",
        ).join(Staff, MonthlyAssessment.staff_id == Staff.id).order_by(Staff.employee_no).all()
        if not rows:
            flash(gettext("Nothing is confirmed for %(period)s yet.", period=period), "warning")
            return redirect(url_for(".run_view", period=period))
        headers = [gettext("Employee no."), gettext("Staff name"), gettext("Position"),
                   gettext("Month"), gettext("Total"), gettext("Grade"),
                   gettext("Bonus factor"), gettext("Bonus base"), gettext("Bonus amount")]
        lines = [[a.staff.employee_no, a.staff.name, str(POSITION.label(a.staff.position)),
                  a.period, a.total, str(GRADE.label(a.grade)) if a.grade else "",
                  a.bonus_factor, a.bonus_base, a.bonus_amount] for a in rows]
        name = quote(f"{gettext('Performance bonus')}_{period}.xlsx")
        return Response(
            spreadsheet.xlsx(headers, lines, title=period), mimetype=XLSX,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})

    def sheet_context(self, row) -> dict:
        why = service.explanation(row)
        left_out = "、".join(str(KPI_LABELS[name]) for name in why.get("left_out", ()))
        not_entered = "、".join(str(KPI_LABELS[name]) for name in why.get("not_entered", ()))
        return {"why": why, "kpi_labels": KPI_LABELS, "left_out_labels": left_out,
                "not_entered_labels": not_entered, "rating_sources": FEEDBACK_SOURCE.labels,
                "kpis": [(name, getattr(row, f"{name}_score")) for name in KPI_LABELS]}


class AnnualAssessmentView(AssessmentView):
    period_field = "year"
    entered_fields = ("owner_evaluation", "performance_score")
    sheet_template = "admin/work/annual_sheet.html"
    history_formatters = {"suggested_outcome": _outcomes}

    added_formatters = {"suggested_outcome": _outcome_formatter}

    def default_period(self) -> str:
        return str(company_today().year)

    def parse_period(self, text: str) -> int:
        if not (text.isdigit() and 2000 <= int(text) <= 2100):
            raise Refused(N_("A year is written like 2026."))
        return int(text)

    def run(self, supervisor, year):
        return service.run_year(db.session, supervisor, year)

    def sheet_context(self, row) -> dict:
        months = db.session.scalars(sa.select(MonthlyAssessment).where(
            MonthlyAssessment.staff_id == row.staff_id,
            MonthlyAssessment.status == "confirmed",
            MonthlyAssessment.period.like(f"{row.year:04d}-%"),
        ).order_by(MonthlyAssessment.period)).all()
        outcomes = [OUTCOME_LABELS.get(code, code)
                    for code in (row.suggested_outcome or "").split(",") if code]
        return {"months": months, "part_labels": ANNUAL_LABELS, "outcomes": outcomes}


class RewardPenaltyView(EntityView):
    """HR confirms or rejects what confirmed assessments suggest."""

    action_letters = {"delete": "D", "confirm": "U", "reject": "U"}
    # buttons on the suggestion's record too, while it waits for HR's decision
    record_actions = (("confirm", lambda row: row.status == "pending"),
                      ("reject", lambda row: row.status == "pending"))

    @action("confirm", _l("Confirm"), _l("Confirm the selected suggestions?"))
    def action_confirm(self, ids):
        self.apply_to_selected(ids, lambda row: decide(row, accepted=True),
                               gettext("%(count)s confirmed."))

    @action("reject", _l("Reject"), _l("Reject the selected suggestions?"))
    def action_reject(self, ids):
        self.apply_to_selected(ids, lambda row: decide(row, accepted=False),
                               gettext("%(count)s rejected."))
