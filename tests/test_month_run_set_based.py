"""The month run gathers a team's figures in a few set-based queries (issue 16): the same
items, in the same order, as one steward's month read on its own (P-KPI-1…3), the same
scores as scoring each steward alone (P-KPI-1…4, P-ASM-1), and as many statements for a
team of six as for a team of three."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from extensions import db as database
from models import AnnualAssessment, MonthlyAssessment, PolicySetting, Staff
from models.queries import (
    activity_record,
    company_zone,
    month_records,
    policy_at,
    team_ratings,
)
from rules import periods
from rules.scoring import round_score, satisfaction_score
from services.assessments import run_month, run_year, score_month

from .helpers import counted_queries

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # the demo's today, 09:00 in Shanghai
# The demo's year of activity, and the month before it (no assessments there yet).
MONTHS = [f"{year}-{month:02d}" for year, month in
          [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 12)]]
FIGURES = ("satisfaction_score", "collection_score", "on_time_score", "total", "grade",
           "bonus_factor", "bonus_base", "bonus_amount", "policy_id", "explanation")


def everyone_assessed(session) -> list[Staff]:
    return session.scalars(sa.select(Staff).where(Staff.position == "steward")
                           .order_by(Staff.id)).all()


def assert_same_records(together: dict, session, stewards, first, last) -> dict[str, int]:
    """Each steward's record in `together` equals the one read for that steward alone, item
    by item; returns how many items of each kind were compared."""
    zone = company_zone()
    seen = {"ratings": 0, "bills": 0, "tickets": 0}
    assert set(together) == {s.id for s in stewards}
    for steward in stewards:
        alone = activity_record(session, steward, first, last, zone)
        mine = together[steward.id]
        assert (mine.first, mine.last) == (alone.first, alone.last), steward.employee_no
        for kind in seen:
            assert getattr(mine, kind) == getattr(alone, kind), (steward.employee_no, kind)
            seen[kind] += len(getattr(alone, kind))
        assert mine == alone
    return seen


def test_a_teams_records_are_each_stewards_own_for_every_month_P_KPI_1_to_3(app, db):
    """Every steward (on duty or not, of both teams at once) and every month of the demo:
    the ratings, the bills of the units held on each due date with what was paid by the
    month's end, and the tickets due, as `activity_record` reads them one by one."""
    with app.app_context():
        session = database.session
        stewards = everyone_assessed(session)
        assert len(stewards) >= 6
        seen = {"ratings": 0, "bills": 0, "tickets": 0}
        for period in MONTHS:
            first, last = periods.first_day(period), periods.last_day(period)
            together = month_records(session, stewards, first, last, company_zone())
            counted = assert_same_records(together, session, stewards, first, last)
            seen = {kind: seen[kind] + counted[kind] for kind in seen}
            ratings = team_ratings(session, stewards, first, last, company_zone())
            assert ratings == {i: record.ratings for i, record in together.items()}
        assert all(count > 100 for count in seen.values()), seen  # not a comparison of nothing


def test_stewards_hired_mid_month_are_counted_from_the_hire_date_in_a_team_too(app, db):
    """A steward hired within the span counts from the hire date (P-KPI-1…3): here every
    steward is taken as hired on the 12th, with items on both sides of that day."""
    with app.app_context():
        session = database.session
        stewards = everyone_assessed(session)
        with session.no_autoflush:
            for period in MONTHS[1:]:
                first, last = periods.first_day(period), periods.last_day(period)
                for steward in stewards:
                    steward.hire_date = first.replace(day=12)
                whole = month_records(session, stewards, first, last, company_zone())
                assert all(record.first == first.replace(day=12) for record in whole.values())
                assert_same_records(whole, session, stewards, first, last)
                # and a steward hired on the first day counts the whole month
                for steward in stewards:
                    steward.hire_date = first
                assert_same_records(month_records(session, stewards, first, last,
                                                  company_zone()),
                                    session, stewards, first, last)
            session.rollback()


def test_the_run_scores_every_steward_as_scoring_each_alone_would_P_ASM_1(app, db):
    """Every supervisor's run of every month (past months made drafts again, a month
    without assessments created) gives each steward the figures, explanation included,
    that `score_month` gives that steward's assessment on its own."""
    with app.app_context():
        session = database.session
        session.execute(sa.update(MonthlyAssessment).values(status="draft"),
                        execution_options={"synchronize_session": False})
        bosses = session.scalars(sa.select(Staff).where(Staff.position == "supervisor")
                                 .order_by(Staff.id)).all()
        scored = 0
        for period in MONTHS:
            for boss in bosses:
                run = run_month(session, boss, period, now=NOW)
                assert not run.confirmed
                done = run.created + run.rescored
                session.flush()
                by_run = {a.staff_id: [getattr(a, name) for name in FIGURES] for a in done}
                for assessment in done:
                    score_month(session, assessment, NOW)
                    alone = [getattr(assessment, name) for name in FIGURES]
                    assert alone == by_run[assessment.staff_id], (period, assessment.staff_id)
                scored += len(done)
        assert scored == 3 * 2 * len(MONTHS)
        session.rollback()


def run_statements(app, boss_no: str, period: str) -> tuple[int, int, int]:
    """(stewards scored, SELECTs, all statements) of one supervisor's run, flush included,
    in a session of its own."""
    with app.app_context():
        session = database.session
        boss = session.scalar(sa.select(Staff).where(Staff.employee_no == boss_no))
        session.expunge_all()
        boss = session.get(Staff, boss.id)
        with counted_queries() as statements:
            run = run_month(session, boss, period, now=NOW)
            session.flush()
        selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        session.rollback()
        return len(run.created) + len(run.rescored), len(selects), len(statements)


def test_a_teams_run_reads_as_much_for_six_stewards_as_for_three(app, db):
    """The team's figures, its assessments and the policy are read once for the team: the
    number of SELECTs does not grow with the team, whether the drafts are new (2025-11) or
    rescored (2026-11)."""
    small = {period: run_statements(app, "E010", period) for period in ("2025-11", "2026-11")}
    with app.app_context():
        session = database.session
        first, second = session.scalars(sa.select(Staff).where(Staff.position == "supervisor")
                                        .order_by(Staff.employee_no)).all()
        for steward in session.scalars(sa.select(Staff).where(Staff.supervisor_id == second.id,
                                                              Staff.status == "on_duty")):
            steward.supervisor = first
        session.commit()
    large = {period: run_statements(app, "E010", period) for period in ("2025-11", "2026-11")}
    for period in small:
        (few, few_selects, _), (many, many_selects, _) = small[period], large[period]
        assert (few, many) == (3, 6)
        assert few_selects == many_selects <= 8, (small, large)


def test_the_year_run_prefills_the_owners_evaluation_from_the_teams_ratings_P_ASM_2(
        app, db):
    """Under a policy with `owner_evaluation_prefill`, a new annual draft starts from the
    year's satisfaction score, each steward's ratings read for the whole team at once."""
    with app.app_context():
        session = database.session
        session.add(PolicySetting(effective_from=date(2026, 12, 1), note="prefill",
                                  owner_evaluation_prefill=True))
        boss = session.scalar(sa.select(Staff).where(Staff.employee_no == "E010"))
        for draft in session.scalars(sa.select(AnnualAssessment).where(
                AnnualAssessment.year == 2026)):
            session.delete(draft)
        session.flush()
        policy = policy_at(session, date(2026, 12, 31))
        assert policy.owner_evaluation_prefill
        run = run_year(session, boss, 2026, now=NOW)
        assert len(run.created) == 3
        for annual in run.created:
            ratings = activity_record(session, annual.staff, date(2026, 1, 1),
                                      date(2026, 12, 31), company_zone()).ratings
            assert ratings
            assert annual.owner_evaluation == round_score(
                satisfaction_score((rating for _, _, rating, _ in ratings), policy))
        session.rollback()
