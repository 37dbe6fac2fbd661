"""Fees: the readable fee-standard sheet, the bill run, waivers, arrears with aging and
reminders due, and collection reports exportable to xlsx (P-FEE-1…3, P-KPI-2)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from access import ENTITIES
from extensions import db
from jobs import runner
from models import ArrearsReminder, Bill, Building, FeeStandard, Project, Staff, Unit
from models.fees import ARREARS_REASON, BILL_STATUS, FEE_BASIS, REMINDER_OUTCOME
from models.queries import collection_by, company_today, steward_label
from rules import billing, periods
from rules.refusal import Refused
from services import cells as spreadsheet
from services.billing import waive

from .generated import EntityView, as_id, refusal_text, scope_condition
from .jobs import job_url
from .masking import personal_value

ARREARS_PAGE = 50
BUCKET_LABELS = {"0-30": _l("≤ 30 days"), "31-90": _l("31–90 days"),
                 "91-180": _l("91–180 days"), "180+": _l("> 180 days")}
GROUP_LABELS = {"project": _l("Project"), "steward": _l("Steward")}


def _bucket_case(today: date):
    """rules.billing.AGING_BUCKETS as SQL: the bucket of a bill's due date on `today`."""
    whens = [(Bill.due_date >= today - timedelta(days=upper), name)
             for name, upper in billing.AGING_BUCKETS if upper is not None]
    return sa.case(*whens, else_=billing.AGING_BUCKETS[-1][0])


def outstanding(today: date):
    """Bills past their due date with something still to pay."""
    return sa.and_(Bill.status.in_(("unpaid", "partly_paid")), Bill.due_date < today)


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
        due = outstanding(today) if scope is None else sa.and_(outstanding(today), scope)
        owed = sa.func.sum(Bill.amount - Bill.paid_amount)
        bucket = _bucket_case(today)
        summaries = {}
        for group, key, joins in (
            ("project", Project.name, lambda q: q.join(Bill.unit).join(Unit.building)
             .join(Building.project)),
            ("steward", steward_label(), lambda q: q.join(Bill.unit)
             .outerjoin(Staff, Unit.steward_id == Staff.id)),
        ):
            table: dict[str, dict[str, Decimal]] = {}
            for label, name, amount in db.session.execute(
                    joins(sa.select(key, bucket, owed)).where(due).group_by(key, bucket)):
                table.setdefault(label, {})[name] = amount
            summaries[group] = sorted(table.items())
        page = as_id(request.args.get("page")) or 0
        total = db.session.scalar(sa.select(sa.func.count(Bill.id)).where(due))
        bills = db.session.scalars(
            sa.select(Bill).where(due).options(sa.orm.joinedload(Bill.owner))
            .order_by(Bill.due_date, Bill.id).offset(page * ARREARS_PAGE).limit(ARREARS_PAGE)
        ).all()
        last = _last_reminders(b.id for b in bills)
        rows = [{
            "bill": b, "owner": b.owner, "phone": personal_value(b.owner, "phone")
            if b.owner else "", "owed": b.amount - b.paid_amount,
            "days": billing.days_overdue(b.due_date, today),
            "bucket": billing.aging_bucket(billing.days_overdue(b.due_date, today)),
            "last": last.get(b.id),
        } for b in bills]
        return self.render(
            "admin/work/arrears.html", today=today, summaries=summaries, rows=rows,
            buckets=BUCKET_LABELS, groups=GROUP_LABELS, page=page, total=total,
            pages=(total + ARREARS_PAGE - 1) // ARREARS_PAGE, reasons=ARREARS_REASON,
            outcomes=REMINDER_OUTCOME, statuses=BILL_STATUS, due_reminders=_due_reminders(today),
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
        cells = {month: collection_by(db.session, group, periods.first_day(month),
                                      periods.last_day(month), scope) for month in months}
        yearly = collection_by(db.session, group, date(year, 1, 1), date(year, 12, 31), scope)
        labels = sorted(yearly)
        if request.args.get("export") == "xlsx":
            return _collection_xlsx(group, year, months, labels, cells, yearly)
        return self.render("admin/work/collection.html", year=year, group=group,
                           groups=GROUP_LABELS, months=months, labels=labels, cells=cells,
                           yearly=yearly, return_url=self.get_url(".index_view"))


def _last_reminders(bill_ids) -> dict[int, ArrearsReminder]:
    ids = list(bill_ids)
    last: dict[int, ArrearsReminder] = {}
    if ids:
        for reminder in db.session.scalars(sa.select(ArrearsReminder).where(
                ArrearsReminder.bill_id.in_(ids)).order_by(ArrearsReminder.reminded_at)):
            last[reminder.bill_id] = reminder
    return last


def _due_reminders(today: date) -> list[ArrearsReminder]:
    """P-FEE-2: the latest reminder of each bill still unpaid whose promised date passed."""
    latest = (sa.select(ArrearsReminder.bill_id, sa.func.max(ArrearsReminder.reminded_at)
                        .label("at")).group_by(ArrearsReminder.bill_id).subquery())
    query = (sa.select(ArrearsReminder).options(sa.orm.contains_eager(ArrearsReminder.bill))
             .join(latest, sa.and_(ArrearsReminder.bill_id == latest.c.bill_id,
                                   ArrearsReminder.reminded_at == latest.c.at))
             .join(ArrearsReminder.bill)
             .where(ArrearsReminder.promised_on < today,
                    Bill.status.in_(("unpaid", "partly_paid")))
             .order_by(ArrearsReminder.promised_on).limit(100))
    scope = scope_condition(ENTITIES["arrears_reminder"])
    if scope is not None:
        query = query.where(scope)
    return list(db.session.scalars(query))


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

