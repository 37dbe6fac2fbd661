"""Fees: the readable fee-standard sheet, the bill run, waivers, arrears with aging and
reminders due, and collection reports exportable to xlsx (P-FEE-1…3, P-KPI-2)."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from access import ENTITIES
from extensions import db
from jobs import runner
from models import FeeStandard, arrears
from models.fees import ARREARS_REASON, BILL_STATUS, FEE_BASIS, REMINDER_OUTCOME
from models.queries import collection_by_month, company_today, year_total
from rules import billing, periods
from rules.refusal import Refused
from services import cells as spreadsheet
from services.billing import waive

from . import arrears as arrears_page
from .arrears import BUCKET_LABELS
from .generated import EntityView, as_id, refusal_text, scope_condition
from .jobs import job_url
from .masking import personal_value

ARREARS_PAGE = 50
DUE_REMINDERS = 100  # promises passed shown on the arrears page, the oldest first
COLLECTION_PAGE = 50  # groups (projects or stewards) to a page of the collection report
SUMMARY_ROWS = 50  # rows of the arrears page's aging summary by project or by steward
GROUP_LABELS = {"project": _l("Project"), "steward": _l("Steward")}


class FeeStandardView(EntityView):
    """Fee standards, with a page a steward can show an owner."""

    work_page = ("sheet_view", _l("Fee sheet"))
    endpoint_letters = {"sheet_view": "R"}

    @expose("/sheet/")
    def sheet_view(self):
        standard = self.get_one(request.args.get("id"))
        if standard is None:
            abort(404)
        today = company_today()
        project_standards = self.get_query().filter(
            FeeStandard.project_id == standard.project_id).order_by(
            FeeStandard.effective_from.desc()).all()
        current = [s for s in project_standards
                   if billing.in_force(s.effective_from, s.effective_until, today, today)]
        example_area = Decimal("89.37")
        examples = {s.id: billing.monthly_amount(s.basis, s.rate, example_area)
                    for s in current}
        return self.render("admin/work/fee_sheet.html", project=standard.project,
                           current=current, earlier=[s for s in project_standards
                                                     if s not in current],
                           bases=FEE_BASIS, example_area=example_area, examples=examples,
                           today=today, return_url=self.get_url(".index_view"))


class BillView(EntityView):
    action_letters = {"delete": "D", "waive": "U"}
    endpoint_letters = {"run_view": "C", "arrears_view": "R", "collection_view": "R"}
    page_links_declared = (("run_view", _l("Bill run")), ("arrears_view", _l("Arrears")),
                           ("collection_view", _l("Collection")))

    # ---- the bill run ---------------------------------------------------------------------
    @expose("/run/", methods=("GET", "POST"))
    def run_view(self):
        period = (request.values.get("period") or periods.period_of(company_today())).strip()
        if request.method == "POST":
            try:
                periods.parse_period(period)
            except Refused as refusal:
                flash(refusal_text(refusal), "error")
            else:
                job = runner.start(db.session, "bill_run", {
                    "period": period, "actor": current_user.username},
                    current_user.username, current_user.role)
                return redirect(job_url(job))
        return self.render("admin/work/bill_run.html", period=period,
                           return_url=self.get_url(".index_view"))

    @action("waive", _l("Waive"), _l("Waive the selected bills?"))
    def action_waive(self, ids):
        self.apply_to_selected(ids, waive, gettext("%(count)s bills waived."))

    # ---- arrears --------------------------------------------------------------------------
    @expose("/arrears/")
    def arrears_view(self):
        today = company_today()
        scope = scope_condition(self.entity)
        filters = arrears_page.filters_from_request()
        if request.args.get("export") in ("xlsx", "csv"):
            return arrears_page.download(request.args["export"], self.entity, today, filters)
        page = min(as_id(request.args.get("page")) or 0, 10 ** 6)
        found, total = arrears.households(db.session, today, filters, scope,
                                          offset=page * ARREARS_PAGE, limit=ARREARS_PAGE)
        if not found and page and total:  # past the last page (a link kept, a typed number)
            page = (total - 1) // ARREARS_PAGE
            found, total = arrears.households(db.session, today, filters, scope,
                                              offset=page * ARREARS_PAGE, limit=ARREARS_PAGE)
        figures = arrears.summary(db.session, today, filters, scope)
        rows = [{"household": h, "phone": personal_value(h.owner, "phone") if h.owner else "",
                 "days": h.days(today), "bucket": h.bucket(today)} for h in found]
        return self.render(
            "admin/work/arrears.html", today=today, figures=figures,
            summaries={"project": _owing_most(figures.by_project),
                       "steward": _owing_most(figures.by_steward)},
            summary_counts={"project": len(figures.by_project),
                            "steward": len(figures.by_steward)},
            rows=rows, filters=filters, filter_args=arrears_page.filter_args(filters),
            choices=arrears_page.choices(filters, current_user.role),
            buckets=BUCKET_LABELS, groups=GROUP_LABELS, page=page, total=total,
            pages=(total + ARREARS_PAGE - 1) // ARREARS_PAGE, reasons=ARREARS_REASON,
            outcomes=REMINDER_OUTCOME, statuses=BILL_STATUS,
            # on the first page only, below the households: the list they work through
            due_reminders=arrears.due_reminders(
                db.session, today, filters, scope_condition(ENTITIES["arrears_reminder"]),
                limit=DUE_REMINDERS + 1) if page == 0 else [],
            due_reminders_shown=DUE_REMINDERS,
            may_remind=ENTITIES["arrears_reminder"].grant(current_user.role).allows("C"),
            return_url=self.get_url(".index_view"))

    # ---- collection reports ---------------------------------------------------------------
    @expose("/collection/")
    def collection_view(self):
        year_text = request.args.get("year") or str(company_today().year)
        group = request.args.get("by", "project")
        if group not in GROUP_LABELS or not (year_text.isdigit() and
                                             2000 <= int(year_text) <= 2100):
            flash(gettext("Choose a year like 2026 and a grouping."), "error")
            return redirect(url_for(".collection_view"))
        year = int(year_text)
        months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
        scope = scope_condition(self.entity)
        table = collection_by_month(db.session, group, year, scope)
        cells = {month: {label: by_month[number] for label, by_month in table.items()
                         if number in by_month}
                 for number, month in enumerate(months, start=1)}
        yearly = {label: year_total(by_month) for label, by_month in table.items()}
        labels = sorted(yearly)
        if request.args.get("export") == "xlsx":
            return _collection_xlsx(group, year, months, labels, cells, yearly)
        pages = max(1, -(-len(labels) // COLLECTION_PAGE))
        page = max(0, min(request.args.get("page", 0, type=int) or 0, pages - 1))
        return self.render("admin/work/collection.html", year=year, group=group,
                           groups=GROUP_LABELS, months=months,
                           labels=labels[page * COLLECTION_PAGE:(page + 1) * COLLECTION_PAGE],
                           labels_total=len(labels), per_page=COLLECTION_PAGE, page=page,
                           pages=pages, cells=cells, yearly=yearly,
                           return_url=self.get_url(".index_view"))


def _owing_most(rows: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """An aging summary as the page shows it: every row (by name) up to SUMMARY_ROWS; past
    that — a large company's 1,000 stewards — the SUMMARY_ROWS owing most, most first."""
    if len(rows) <= SUMMARY_ROWS:
        return rows
    return sorted(rows, key=lambda row: (-sum(row[1].values()), row[0]))[:SUMMARY_ROWS]


def _collection_xlsx(group, year, months, labels, cells, yearly) -> Response:
    headers = [str(GROUP_LABELS[group]), gettext("Month"), gettext("Receivable"),
               gettext("Collected"), gettext("Collection rate (%)")]
    rows = []
    for label in labels:
        for month in [*months, str(year)]:
            figures = yearly[label] if month == str(year) else cells[month].get(label)
            if figures is None:
                continue
            rows.append([label, month, figures.receivable, figures.collected,
                         figures.rate if figures.rate is not None else ""])
    return Response(
        spreadsheet.xlsx(headers, rows, title=str(year)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition":
                 f"attachment; filename=collection-{group}-{year}.xlsx"})

