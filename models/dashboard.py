"""The dashboard's figures that no report page had before it (admin_views/dashboard.py):
tickets by week and category, overdue tickets by steward, a team's KPIs by month, grades by
month, the onboarding funnel and a steward's month so far.

Each is one aggregate statement, grouped in the database, with the user's scope (a
condition on the counted entity, None for all) in its WHERE clause, so a company of
100,000 units costs the grouping, not a row per ticket in Python. Weeks and days are the
company's: local days are turned into UTC windows first (rules/periods.py), and a moment is
placed in its window by comparisons the indexes serve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from rules import periods

from .assessment import MonthlyAssessment
from .fees import Payment
from .people import Staff
from .queries import overdue_ticket, steward_label
from .tickets import ReturnVisit, Ticket
from .training import TrainingProgram, TrainingResult, TrainingSession

Scope = sa.ColumnElement[bool] | None


def _scoped(query: sa.Select, scope: Scope) -> sa.Select:
    return query if scope is None else query.where(scope)


def late(now: datetime) -> sa.ColumnElement[bool]:
    """A ticket late as P-KPI-3 counts it: not resolved by its deadline, the deadline
    passed (one still open before its deadline is pending, not late)."""
    return sa.or_(sa.and_(Ticket.resolved_at.is_(None), Ticket.due_at < now),
                  Ticket.resolved_at > Ticket.due_at)


# ---- tickets received and overdue by week and category (admin) ------------------------------
@dataclass(frozen=True)
class WeekCount:
    received: int = 0
    overdue: int = 0


def week_bounds(weeks: list[date], zone: str) -> list[datetime]:
    """The UTC moments where the company's weeks (their Mondays) begin, and where the last
    one ends."""
    return [periods.day_window(w, w, zone)[0] for w in weeks] + [
        periods.day_window(weeks[-1], weeks[-1] + timedelta(days=6), zone)[1]]


def _week_of(column, bounds: list[datetime]) -> sa.ColumnElement[int]:
    """Which week (0 = the first) a moment falls in, for moments within the bounds."""
    return sa.case(*[(column < bound, index) for index, bound in enumerate(bounds[1:])])


def tickets_by_week(session: Session, weeks: list[date], zone: str, now: datetime,
                    scope: Scope = None) -> dict[date, dict[str, WeekCount]]:
    """Tickets received (by intake) and tickets late (P-KPI-3, by the week their deadline
    fell in) in each of `weeks` and each category: week → category → WeekCount. Each side
    is grouped in the database and the two added up there, in one statement."""
    bounds = week_bounds(weeks, zone)

    def grouped(moment, counted: str, *where) -> sa.Select:
        # The week is computed in a subquery and grouped outside it: PostgreSQL would not
        # take the CASE's bound parameters in GROUP BY as the same expression.
        rows = _scoped(sa.select(_week_of(moment, bounds).label("week"),
                                 Ticket.category.label("category"))
                       .where(moment >= bounds[0], moment < bounds[-1], *where),
                       scope).subquery()
        figures = {name: sa.func.count() if name == counted else sa.literal_column("0")
                   for name in ("received", "late")}
        return sa.select(rows.c.week, rows.c.category,
                         *[value.label(name) for name, value in figures.items()]) \
            .group_by(rows.c.week, rows.c.category)

    both = sa.union_all(grouped(Ticket.intake_at, "received"),
                        grouped(Ticket.due_at, "late", late(now))).subquery()
    found: dict[date, dict[str, WeekCount]] = {week: {} for week in weeks}
    for week, category, received_count, late_count in session.execute(
            sa.select(both.c.week, both.c.category, sa.func.sum(both.c.received),
                      sa.func.sum(both.c.late)).group_by(both.c.week, both.c.category)):
        found[weeks[int(week)]][category] = WeekCount(int(received_count or 0),
                                                      int(late_count or 0))
    return found


# ---- overdue tickets by steward (supervisor) -------------------------------------------------
def overdue_by_steward(session: Session, now: datetime,
                       scope: Scope = None) -> list[tuple[str, int]]:
    """The tickets still being handled past their deadline (as the start pages badge them),
    counted by steward: (steward's name and number, count), the most first."""
    counts = _scoped(sa.select(Ticket.steward_id.label("steward_id"),
                               sa.func.count().label("overdue"))
                     .where(overdue_ticket(now))
                     .group_by(Ticket.steward_id), scope).subquery()
    label = steward_label()
    return [(name, int(count)) for name, count in session.execute(
        sa.select(label, counts.c.overdue).select_from(counts)
        .outerjoin(Staff, Staff.id == counts.c.steward_id)
        .order_by(counts.c.overdue.desc(), label))]


# ---- a team's KPIs by month (supervisor) -----------------------------------------------------
KPI_COLUMNS = {"total": MonthlyAssessment.total,
               "satisfaction": MonthlyAssessment.satisfaction_score,
               "collection": MonthlyAssessment.collection_score,
               "on_time": MonthlyAssessment.on_time_score,
               "task": MonthlyAssessment.task_score}
CENT = Decimal("0.01")


def mean(value) -> Decimal | None:
    """A database's average as a score: two decimals, half up (SQLite averages in floats)."""
    return None if value is None else Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class MonthMeans:
    assessed: int
    means: dict[str, Decimal | None]


def kpi_means_by_month(session: Session, months: list[str],
                       scope: Scope = None) -> dict[str, MonthMeans]:
    """The mean total and KPI scores of the monthly assessments of `months` the user may
    read (drafts too, as the team's run page lists them): month → MonthMeans."""
    query = _scoped(sa.select(MonthlyAssessment.period, sa.func.count(),
                              *[sa.func.avg(column) for column in KPI_COLUMNS.values()])
                    .where(MonthlyAssessment.period.in_(months))
                    .group_by(MonthlyAssessment.period), scope)
    return {period: MonthMeans(int(count), dict(zip(KPI_COLUMNS, map(mean, means),
                                                    strict=True)))
            for period, count, *means in session.execute(query)}


# ---- grades by month (HR) --------------------------------------------------------------------
def grades_by_month(session: Session, months: list[str],
                    scope: Scope = None) -> dict[str, dict[str, int]]:
    """How many confirmed monthly assessments of each month got each grade (the grades
    rewards, penalties and bonuses follow): month → grade → count."""
    query = _scoped(sa.select(MonthlyAssessment.period, MonthlyAssessment.grade,
                              sa.func.count())
                    .where(MonthlyAssessment.period.in_(months),
                           MonthlyAssessment.status == "confirmed",
                           MonthlyAssessment.grade.is_not(None))
                    .group_by(MonthlyAssessment.period, MonthlyAssessment.grade), scope)
    found: dict[str, dict[str, int]] = {month: {} for month in months}
    for period, grade, count in session.execute(query):
        found[period][grade] = int(count)
    return found


# ---- the onboarding funnel (HR) --------------------------------------------------------------
FUNNEL_STAGES = ("recorded", "examined", "passed", "on_duty")


def onboarding_funnel(session: Session, scope: Scope = None) -> dict[str, int]:
    """P-TRN-2 as a funnel over everyone recorded as a steward: recorded → sat the
    onboarding exam → passed it → went on duty (on duty now, or suspended or left since,
    after passing). One statement: the exam results are EXISTS tests per staff record."""
    def exam(*where) -> sa.ColumnElement[bool]:
        return sa.select(TrainingResult.id).join(TrainingResult.session) \
            .join(TrainingSession.program) \
            .where(TrainingResult.staff_id == Staff.id, TrainingProgram.kind == "onboarding",
                   *where).exists()

    passed = exam(TrainingResult.passed.is_(True))
    stages = {
        "recorded": sa.true(),
        "examined": exam(TrainingResult.exam_score.is_not(None)),
        "passed": passed,
        "on_duty": sa.and_(passed, Staff.status.in_(("on_duty", "suspended", "left"))),
    }
    query = _scoped(sa.select(*[sa.func.coalesce(sa.func.sum(sa.case((condition, 1),
                                                                      else_=0)), 0)
                                for condition in stages.values()])
                    .where(Staff.position == "steward"), scope)
    return dict(zip(stages, map(int, session.execute(query).one()), strict=True))


# ---- a steward's month so far against last month ---------------------------------------------
MONTH_FIGURES = ("received", "resolved", "late", "visits", "collected")


@dataclass(frozen=True)
class Scopes:
    """The user's row scopes of the entities a month's figures count."""

    ticket: Scope = None
    visit: Scope = None
    payment: Scope = None


def month_so_far(session: Session, spans: list[tuple[date, date]], zone: str, now: datetime,
                 scopes: Scopes) -> list[dict[str, Decimal | int]]:
    """For each span of local days: tickets received, tickets resolved, tickets late
    (P-KPI-3, by deadline in the span), return visits made, and the money collected
    (payments made in the span on the bills the user may read). One statement of scalar
    counts, each served by its moment's index."""
    def count(model, moment, scope, start, end, *where):
        return _scoped(sa.select(sa.func.count(model.id))
                       .where(moment >= start, moment < end, *where), scope).scalar_subquery()

    columns = []
    for first, last in spans:
        start, end = periods.day_window(first, last, zone)
        columns += [
            count(Ticket, Ticket.intake_at, scopes.ticket, start, end),
            count(Ticket, Ticket.resolved_at, scopes.ticket, start, end),
            count(Ticket, Ticket.due_at, scopes.ticket, start, end, late(now)),
            count(ReturnVisit, ReturnVisit.visited_at, scopes.visit, start, end),
            _scoped(sa.select(sa.func.coalesce(sa.func.sum(Payment.amount), 0))
                    .where(Payment.paid_at >= start, Payment.paid_at < end),
                    scopes.payment).scalar_subquery(),
        ]
    row = session.execute(sa.select(*columns)).one()
    width = len(MONTH_FIGURES)
    return [{name: (Decimal(str(value)).quantize(CENT) if name == "collected" else int(value))
             for name, value in zip(MONTH_FIGURES, row[i * width:(i + 1) * width],
                                    strict=True)}
            for i in range(len(spans))]
