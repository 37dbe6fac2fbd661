"""The dashboard (图表, /admin/dashboard/): charts of the figures each role works by.

admin — collection by project and month, arrears by aging bucket, tickets received and
late by week and category; supervisor — last month's assessments of the team (total and
KPIs per steward), the team's means by month, the team's overdue tickets by steward; HR —
the onboarding funnel, the grades of confirmed monthly assessments by month; steward —
their month so far against the same days of last month (admin_views/dashboard_people.py).

Department staff have none (no menu entry, 403): their start page is their queue already,
and the issue asks no figures of them.

A chart's figures come from the query behind the page that lists them (the collection
report, the arrears page, the team's assessment run), or, where no page had them, from
one aggregate of models/dashboard.py shown as a table ("数据") under the chart. Every
query gets the user's row scope of its entity, as that entity's list does.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext
from flask_login import current_user

from access import ENTITIES
from extensions import db
from models import arrears
from models.base import utcnow
from models.dashboard import tickets_by_week
from models.queries import (
    Collection,
    added,
    collection_by_month,
    company_today,
    company_zone,
    year_total,
)
from models.tickets import TICKET_CATEGORY
from rules import periods

from . import dashboard_people as people
from .arrears import BUCKET_LABELS
from .auth import to_sign_in
from .charts import Chart, Table, bars, lines, paired_bars_with_rate, with_note
from .context import current_role
from .formats import money, percent
from .generated import scope_condition

WEEKS = 12


# ---- admin ----------------------------------------------------------------------------------
def collection_charts() -> list[Chart]:
    """The year's collection by project and month: the collection report's query
    (models/queries.collection_by_month), in the user's scope of bills."""
    year = company_today().year
    table = collection_by_month(db.session, "project", year, scope_condition(ENTITIES["bill"]))
    yearly = {project: year_total(by_month) for project, by_month in table.items()}
    projects = sorted(table, key=lambda p: (-yearly[p].receivable, p))  # biggest first
    months = range(1, 13)
    labels = [f"{year}-{m:02d}" for m in months]
    totals: dict[int, Collection | None] = {
        m: added(table[p][m] for p in projects if m in table[p])
        if any(m in table[p] for p in projects) else None for m in months}

    def figures(project, name):
        return [getattr(table[project][m], name) if m in table[project] else None
                for m in months]

    receivable, collected = gettext("Receivable"), gettext("Collected")
    overall = gettext("All projects")
    amounts = paired_bars_with_rate(
        labels, [(f"{p} {receivable}", f"{p} {collected}", figures(p, "receivable"),
                  figures(p, "collected")) for p in projects],
        gettext("Collection rate of all projects"),
        [totals[m].rate if totals[m] else None for m in months],
        money_axis=gettext("Yuan"), rate_axis=gettext("Collection rate (%)"))
    rates = lines(labels, [(overall, [totals[m].rate if totals[m] else None for m in months]),
                           *[(p, figures(p, "rate")) for p in projects]],
                  axis_name=gettext("Collection rate (%)"), percent=True, bold_first=True)
    if not projects:
        with_note(amounts, gettext("Nothing receivable this year."))
    report = [(gettext("Collection report"), url_for("bill.collection_view", year=year,
                                                     by="project"))]
    rows = [[label, money(c.receivable), money(c.collected), percent(c.rate)]
            for label, c in zip(labels, totals.values(), strict=True) if c is not None]
    if rows:
        whole = added(c for c in totals.values() if c is not None)
        rows.append([str(year), money(whole.receivable), money(whole.collected),
                     percent(whole.rate)])
    headers = [gettext("Month"), receivable, collected, gettext("Collection rate (%)")]
    return [
        Chart("collection-amounts",
              gettext("Receivable and collected by project and month, %(year)s", year=year),
              amounts, Table(headers, rows), links=report,
              note=gettext("Light bars: receivable; solid bars: collected; the line: the "
                           "collection rate of all projects. Bills due in each month, "
                           "waived bills left out, as in the collection report.")),
        Chart("collection-rates",
              gettext("Collection rate by project and month, %(year)s", year=year), rates,
              links=report),
    ]


def arrears_chart() -> list[Chart]:
    """What is owed past due today by aging bucket and project: the arrears page's summary
    (models/arrears.summary), in the user's scope of bills."""
    today = company_today()
    figures = arrears.summary(db.session, today, arrears.Filters(),
                              scope_condition(ENTITIES["bill"]))
    buckets = list(BUCKET_LABELS)
    projects = sorted(figures.by_project, key=lambda row: (-sum(row[1].values()), row[0]))
    option = bars([str(BUCKET_LABELS[b]) for b in buckets],
                  [(project, [owed.get(b) for b in buckets]) for project, owed in projects],
                  axis_name=gettext("Yuan"), stacked=True)
    if not projects:
        with_note(option, gettext("No arrears."))
    rows = [[str(BUCKET_LABELS[b]), money(figures.by_bucket.get(b, 0))] for b in buckets]
    rows.append([gettext("Sum"), money(figures.owed)])
    return [Chart("arrears-aging", gettext("Arrears by aging, as of %(day)s", day=today),
                  option, Table([gettext("Aging"), gettext("Owed")], rows),
                  links=[(gettext("Arrears"), url_for("bill.arrears_view"))],
                  note=gettext("Owed on bills past their due date, by how long the oldest "
                               "has been overdue and by project, as on the arrears page."))]


def ticket_charts() -> list[Chart]:
    """Tickets received and tickets late (P-KPI-3) in each of the last weeks, by category:
    one aggregate (models/dashboard.tickets_by_week), in the user's scope of tickets."""
    today = company_today()
    weeks = periods.weeks_back(today, WEEKS)
    found = tickets_by_week(db.session, weeks, company_zone(), utcnow(),
                            scope_condition(ENTITIES["ticket"]))
    categories = [code for code, _ in TICKET_CATEGORY
                  if any(code in found[week] for week in weeks)]
    labels = [f"{week:%m-%d}" for week in weeks]
    charts = []
    for key, figure, title, note in (
            ("tickets-received", "received", gettext("Tickets received by week and category"),
             gettext("By the week each ticket was taken in (weeks start on Monday).")),
            ("tickets-overdue", "overdue", gettext("Overdue tickets by week and category"),
             gettext("By the week each deadline fell in: not resolved by the deadline, "
                     "as the on-time rate counts them."))):
        series = [(str(TICKET_CATEGORY.label(code)),
                   [getattr(found[week].get(code), figure, 0) for week in weeks])
                  for code in categories]
        rows = [[label, *[str(values[i]) for _, values in series],
                 str(sum(values[i] for _, values in series))]
                for i, label in enumerate(labels)]
        option = bars(labels, series, axis_name=gettext("Tickets"), stacked=True, counts=True)
        if not series:
            with_note(option, gettext("Nothing to show."))
        charts.append(Chart(
            key, title, option,
            Table([gettext("Week of"), *[name for name, _ in series], gettext("Sum")], rows),
            note=note))
    return charts


# role -> (the entity whose read each builder needs, the builder)
CHARTS: dict[str, tuple[tuple[str, Callable[[], list[Chart]]], ...]] = {
    "admin": (("bill", collection_charts), ("bill", arrears_chart),
              ("ticket", ticket_charts)),
    "supervisor": (("monthly_assessment", people.team_kpi_charts),
                   ("ticket", people.overdue_chart)),
    "hr": (("staff", people.funnel_chart), ("monthly_assessment", people.grades_chart)),
    "steward": (("ticket", people.my_month_charts),),
}


class DashboardView(BaseView):
    """The charts of the signed-in role; a role without any answers 403."""

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and current_role() in CHARTS

    def is_visible(self) -> bool:
        return self.is_accessible()

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return to_sign_in()
        abort(403)

    @expose("/")
    def index(self):
        role = current_role()
        charts = [chart for entity, build in CHARTS[role]
                  if ENTITIES[entity].grant(role).allows("R") for chart in build()]
        return self.render("admin/dashboard.html", charts=charts)
