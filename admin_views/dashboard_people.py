"""The dashboard's charts about people's work (admin_views/dashboard.py): the supervisor's
team, HR's onboarding and grades, the steward's own month."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from access import ENTITIES
from extensions import db
from models import MonthlyAssessment, Staff
from models.assessment import ASSESSMENT_STATUS, GRADE
from models.base import utcnow
from models.dashboard import (
    FUNNEL_STAGES,
    KPI_COLUMNS,
    Scopes,
    grades_by_month,
    kpi_means_by_month,
    month_so_far,
    onboarding_funnel,
    overdue_by_steward,
)
from models.queries import company_today, company_zone
from rules import periods

from .assessments import KPI_LABELS
from .charts import Chart, Table, bars, funnel, lines, with_note
from .formats import money
from .generated import scope_condition, scoped_query

MONTHS = 12
SCORE_LABELS = {"total": _l("Total"), **KPI_LABELS}
STAGE_LABELS = {"recorded": _l("Recorded as stewards"),
                "examined": _l("Sat the onboarding exam"),
                "passed": _l("Passed the onboarding exam"),
                "on_duty": _l("Went on duty")}
MONTH_LABELS = {"received": _l("Tickets received"), "resolved": _l("Tickets resolved"),
                "late": _l("Overdue tickets"), "visits": _l("Return visits made"),
                "collected": _l("Collected")}


def _score(value) -> str:
    return "" if value is None else f"{value:.2f}"


def _row_height(rows: int, per_row: int) -> int:
    """A horizontal chart's height: room for each row, never less than a plain chart."""
    return max(260, 90 + rows * per_row)


# ---- supervisor -----------------------------------------------------------------------------
def last_month() -> str:
    """The month the team's run page opens on: the one just ended."""
    return periods.previous_period(periods.period_of(company_today()))


def team_kpi_charts() -> list[Chart]:
    """Last month's assessments of the team, per steward (the rows the team's run page
    lists, drafts too), and the team's mean scores by month (models/dashboard)."""
    period = last_month()
    rows = scoped_query(MonthlyAssessment).filter(MonthlyAssessment.period == period) \
        .join(Staff, MonthlyAssessment.staff_id == Staff.id) \
        .order_by(MonthlyAssessment.staff_id).all()
    names = [f"{row.staff.name} {row.staff.employee_no}" for row in rows]
    series = [(str(label), [getattr(row, column.key) for row in rows])
              for label, column in zip(SCORE_LABELS.values(), KPI_COLUMNS.values(),
                                       strict=True)]
    spread = bars(names, series, horizontal=True, scores=True)
    if not rows:
        with_note(spread, gettext("No assessments for this period yet."))
    table = Table([gettext("Staff"), *[name for name, _ in series], gettext("Grade"),
                   gettext("Status")],
                  [[name, *[_score(values[i]) for _, values in series],
                    str(GRADE.label(row.grade)) if row.grade else "",
                    str(ASSESSMENT_STATUS.label(row.status))] for i, (name, row) in enumerate(zip(
                        names, rows, strict=True))])
    run = [(gettext("The team's assessments"),
            url_for("monthly_assessment.run_view", period=period))]
    months = periods.months_back(period, MONTHS)
    means = kpi_means_by_month(db.session, months,
                               scope_condition(ENTITIES["monthly_assessment"]))
    trend = [(str(label), [means[m].means[name] if m in means else None for m in months])
             for name, label in SCORE_LABELS.items()]
    trend_table = Table(
        [gettext("Month"), gettext("Assessed"), *[name for name, _ in trend]],
        [[m, str(means[m].assessed), *[_score(means[m].means[name]) for name in SCORE_LABELS]]
         for m in months if m in means])
    return [
        Chart("team-kpi", gettext("The team's scores, %(period)s", period=period), spread,
              table, links=run, height=_row_height(len(rows), 80),
              note=gettext("Each steward's total and KPI scores (0–100) as the team's "
                           "assessment run shows them, drafts included.")),
        Chart("team-trend", gettext("The team's mean scores by month"),
              lines(months, trend, axis_name=gettext("Score"), bold_first=True), trend_table,
              links=run, note=gettext("The mean of the team's monthly assessments of each "
                                      "month, drafts included.")),
    ]


def overdue_chart() -> list[Chart]:
    """The team's tickets past their deadline and still being handled, by steward."""
    found = overdue_by_steward(db.session, utcnow(), scope_condition(ENTITIES["ticket"]))
    option = bars([name for name, _ in found],
                  [(gettext("Overdue tickets"), [count for _, count in found])],
                  horizontal=True, counts=True)
    if not found:
        with_note(option, gettext("No overdue tickets."))
    return [Chart("overdue-by-steward", gettext("Overdue tickets by steward"), option,
                  Table([gettext("Steward"), gettext("Overdue tickets")],
                        [[name, str(count)] for name, count in found]),
                  height=_row_height(len(found), 40),
                  note=gettext("Tickets still being handled whose deadline has passed, "
                               "as of now."))]


# ---- HR -------------------------------------------------------------------------------------
def funnel_chart() -> list[Chart]:
    """P-TRN-2 as a funnel over everyone recorded as a steward (models/dashboard)."""
    found = onboarding_funnel(db.session, scope_condition(ENTITIES["staff"]))
    stages = [(str(STAGE_LABELS[stage]), found[stage]) for stage in FUNNEL_STAGES]
    recorded = found["recorded"] or 1
    return [Chart("onboarding-funnel", gettext("Onboarding funnel"), funnel(stages),
                  Table([gettext("Stage"), gettext("People"), gettext("Share")],
                        [[name, str(count), f"{100 * count / recorded:.0f}%"]
                         for name, count in stages]),
                  note=gettext("Everyone recorded as a steward: who sat the onboarding exam, "
                               "passed it, and went on duty (on duty now, or suspended or "
                               "left since)."))]


def grades_chart() -> list[Chart]:
    """The grades of the confirmed monthly assessments of each of the last months."""
    months = periods.months_back(last_month(), MONTHS)
    found = grades_by_month(db.session, months,
                            scope_condition(ENTITIES["monthly_assessment"]))
    series = [(str(label), [found[m].get(grade, 0) for m in months]) for grade, label in GRADE]
    rows = [[m, *[str(values[i]) for _, values in series],
             str(sum(values[i] for _, values in series))] for i, m in enumerate(months)]
    return [Chart("grades-by-month", gettext("Assessment grades by month"),
                  bars(months, series, axis_name=gettext("People"), stacked=True, counts=True),
                  Table([gettext("Month"), *[name for name, _ in series], gettext("Sum")],
                        rows),
                  note=gettext("Confirmed monthly assessments only: the grades bonuses, "
                               "rewards and penalties follow."))]


# ---- steward --------------------------------------------------------------------------------
def my_month_charts() -> list[Chart]:
    """The steward's month so far against the same days of last month: one aggregate
    (models/dashboard.month_so_far), in their scope of tickets, visits and payments."""
    today = company_today()
    spans = [periods.same_days_last_month(today), (today.replace(day=1), today)]
    found = month_so_far(db.session, spans, company_zone(), utcnow(), Scopes(
        ticket=scope_condition(ENTITIES["ticket"]),
        visit=scope_condition(ENTITIES["return_visit"]),
        payment=scope_condition(ENTITIES["payment"])))
    names = [gettext("Same days last month (%(first)s – %(last)s)",
                     first=f"{spans[0][0]:%m-%d}", last=f"{spans[0][1]:%m-%d}"),
             gettext("This month so far (%(first)s – %(last)s)",
                     first=f"{spans[1][0]:%m-%d}", last=f"{spans[1][1]:%m-%d}")]
    counts = [name for name in MONTH_LABELS if name != "collected"]
    work = bars([str(MONTH_LABELS[name]) for name in counts],
                [(series, [figures[name] for name in counts])
                 for series, figures in zip(names, found, strict=True)], counts=True)
    short = [gettext("Same days last month"), gettext("This month so far")]
    return [
        Chart("my-month", gettext("My month so far"), work,
              Table([gettext("Figure"), *short],
                    [[str(MONTH_LABELS[name]), *[str(f[name]) for f in found]]
                     for name in counts]),
              note=gettext("Tickets by when they were taken in, resolved or due (overdue: "
                           "not resolved by the deadline); visits by when they were made.")),
        Chart("my-collection", gettext("Fees I collected"),
              bars([str(MONTH_LABELS["collected"])],
                   [(series, [figures["collected"]])
                    for series, figures in zip(names, found, strict=True)],
                   axis_name=gettext("Yuan")),
              Table([gettext("Figure"), *short],
                    [[str(MONTH_LABELS["collected"]), *[money(f["collected"]) for f in found]]]),
              height=260,
              note=gettext("Payments made on the bills of my units in each span.")),
    ]
