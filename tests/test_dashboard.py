"""The dashboard (图表, issue 15): each role's charts, and every chart's figures equal to the
page that lists them (the collection report, the arrears page, the team's assessment run)
or, for the figures no page had, to the same count made here row by row in Python from the
demo data. Each role sees its own scope only; department staff are refused."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine

from extensions import db as database
from models import (
    Bill,
    MonthlyAssessment,
    Payment,
    ReturnVisit,
    Staff,
    Ticket,
    TrainingProgram,
    TrainingResult,
    TrainingSession,
    Unit,
    User,
)
from rules import periods

from .test_chinese_interface import USERNAMES, english_words, visible_text

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, the demo's today
TODAY = date(2026, 11, 20)
ZONE = ZoneInfo("Asia/Shanghai")
CHARTS = {
    "admin": ["collection-amounts", "collection-rates", "arrears-aging", "tickets-received",
              "tickets-overdue"],
    "supervisor1": ["team-kpi", "team-trend", "overdue-by-steward"],
    "hr": ["onboarding-funnel", "grades-by-month"],
    "steward1": ["my-month", "my-collection"],
}


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


# ---- reading a page -------------------------------------------------------------------------
def charts_of(page: str) -> dict[str, dict]:
    """The ECharts options a page embeds, by chart: the JSON the browser hands to ECharts."""
    return {key.removesuffix("-option"): json.loads(blob) for key, blob in re.findall(
        r'<script type="application/json" id="([^"]+)">(.*?)</script>', page, re.S)}


def series(option: dict) -> dict[str, list]:
    return {s.get("name"): s["data"] for s in option["baseOption"]["series"]}


def categories(option: dict) -> list[str]:
    base = option["baseOption"]
    return next(base[axis]["data"] for axis in ("xAxis", "yAxis")
                if isinstance(base[axis], dict) and base[axis]["type"] == "category")


def data_table(page: str, key: str) -> list[list[str]]:
    """The "数据" table under a chart, header row first, as text."""
    part = page.split(f'id="{key}-data"')[1].split("</table>")[0]
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", part, re.S)]


def yuan(text: str) -> Decimal:
    """Money as the screens write it (¥1,234.56) as a number."""
    return Decimal(re.sub(r"[^\d.\-]", "", text))


def exact(value) -> Decimal | None:
    """A chart's JSON number as the Decimal it was written from."""
    return None if value is None else Decimal(str(value))


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def labels_of(option: dict) -> list[str]:
    """The words a chart shows: series and legend names, categories, axis names, title."""
    base = option["baseOption"]
    found = [s.get("name") or "" for s in base["series"]]
    found += [d["name"] for s in base["series"] for d in s["data"] if isinstance(d, dict)]
    for axis in ("xAxis", "yAxis"):
        for one in ([base[axis]] if isinstance(base.get(axis), dict) else base.get(axis, [])):
            found += [one.get("name") or "", *one.get("data", [])]
    return found + [base.get("title", {}).get("text", "")]


def staff_id(app, username: str) -> int:
    with app.app_context():
        return database.session.scalar(sa.select(User.staff_id).where(User.username == username))


# ---- who sees what ---------------------------------------------------------------------------
@pytest.mark.parametrize("username", list(CHARTS))
def test_each_role_sees_its_charts_in_chinese(app, db, as_role, clock, username):
    client = as_role(username)
    text = page(client, "/admin/dashboard/")
    charts = charts_of(text)
    assert list(charts) == CHARTS[username]
    assert english_words(visible_text(text), USERNAMES) == set()
    for key, option in charts.items():
        assert english_words(" ".join(labels_of(option)), USERNAMES) == set(), key
        assert option["media"][0]["query"] == {"maxWidth": 500}  # the phone's rule
    assert 'href="/admin/dashboard/"' in page(client, "/admin/")  # the menu entry
    english = page(client, "/admin/dashboard/?lang=en")
    assert "Dashboard" in english and "Data" in english


def test_department_staff_have_no_dashboard_and_the_signed_out_sign_in(app, db, as_role):
    client = as_role("engineer1")
    response = client.get("/admin/dashboard/")
    assert response.status_code == 403 and "您没有权限执行此操作" in response.get_data(as_text=True)
    assert 'href="/admin/dashboard/"' not in page(client, "/admin/")
    signed_out = app.test_client().get("/admin/dashboard/")
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]


# ---- admin: the same figures as the collection report and the arrears page --------------------
def test_the_collection_charts_equal_the_collection_report_P_FEE_3(app, db, as_role, clock):
    """Every project's receivable, collected and rate of every month of the year, in the
    charts, is what the collection report shows for that project and month."""
    client = as_role("admin")
    charts = charts_of(page(client, "/admin/dashboard/"))
    amounts, rates = series(charts["collection-amounts"]), series(charts["collection-rates"])
    report = page(client, "/admin/bill/collection/?year=2026&by=project")
    body = report.split('id="collection-table"')[1].split("<tbody>")[1].split("</tbody>")[0]
    compared = 0
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        project = re.search(r"<td>(.*?)</td>", row).group(1).strip()
        cells = re.findall(r'<td class="text-right"\s*(?:title="([^"]*)")?\s*>(.*?)</td>', row,
                           re.S)
        assert len(cells) == 12, project
        for month, (title, rate) in enumerate(cells):
            receivable = exact(amounts[f"{project} 应收"][month])
            collected = exact(amounts[f"{project} 实收"][month])
            if not title:
                assert (receivable, collected, rates[project][month]) == (None, None, None)
                continue
            shown_collected, shown_receivable = map(yuan, title.split("/"))
            assert (receivable, collected) == (shown_receivable, shown_collected)
            assert exact(rates[project][month]) == Decimal(rate.strip().rstrip("%"))
            compared += 1
    assert compared >= 30  # three projects, eleven months of bills
    assert categories(charts["collection-amounts"])[0] == "2026-01"


def test_the_collection_table_adds_up_the_projects(app, db, as_role, clock):
    client = as_role("admin")
    text = page(client, "/admin/dashboard/")
    amounts = series(charts_of(text)["collection-amounts"])
    rows = data_table(text, "collection-amounts")[1:]
    by_month = {row[0]: row for row in rows}
    for index, month in enumerate(f"2026-{m:02d}" for m in range(1, 12)):
        receivable = sum(exact(v[index]) or 0 for name, v in amounts.items()
                         if name and name.endswith("应收"))
        collected = sum(exact(v[index]) or 0 for name, v in amounts.items()
                        if name and name.endswith("实收"))
        assert (yuan(by_month[month][1]), yuan(by_month[month][2])) == (receivable, collected)
        rate = (100 * collected / receivable).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert by_month[month][3] == f"{rate}%"
        assert exact(amounts["全部项目收缴率"][index]) == rate


def test_the_arrears_chart_equals_the_arrears_page_P_FEE_2(app, db, as_role, clock):
    """Each project's owed by aging bucket, and each bucket's total, as the arrears page
    shows them."""
    client = as_role("admin")
    text = page(client, "/admin/dashboard/")
    chart = charts_of(text)["arrears-aging"]
    owed = series(chart)
    arrears = page(client, "/admin/bill/arrears/")
    table = arrears.split('id="aging-project"')[1].split("<tbody>")[1].split("</tbody>")[0]
    projects = 0
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        project, *cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        assert [exact(v) for v in owed[project]] == [yuan(c) if c else None for c in cells]
        projects += 1
    assert projects == len(owed) == 3
    totals = arrears.split('id="arrears-totals"')[1].split("</p>")[0]
    shown = {html.unescape(label.strip()): yuan(amount) for label, amount in re.findall(
        r'<span class="text-muted ml-2">(.*?) (\S+)</span>', totals)}
    assert shown and categories(chart) == list(shown)
    for index, bucket in enumerate(categories(chart)):
        assert sum(exact(v[index]) or 0 for v in owed.values()) == shown[bucket]
    assert {row[0]: yuan(row[1]) for row in data_table(text, "arrears-aging")[1:-1]} == shown


# ---- admin: tickets by week, counted again ticket by ticket ----------------------------------
def week_counts(app) -> tuple[Counter, Counter]:
    """(received, overdue) by (Monday, category), each ticket placed in its Shanghai week."""
    first = date(2026, 11, 16) - timedelta(weeks=11)
    received, overdue = Counter(), Counter()

    def monday(moment: datetime) -> date | None:
        day = moment.astimezone(ZONE).date()
        found = day - timedelta(days=day.weekday())
        return found if first <= found <= date(2026, 11, 16) else None

    with app.app_context():
        for category, intake, due, resolved in database.session.execute(sa.select(
                Ticket.category, Ticket.intake_at, Ticket.due_at, Ticket.resolved_at)):
            if monday(intake):
                received[monday(intake), category] += 1
            late = resolved > due if resolved else due < NOW
            if due and monday(due) and late:
                overdue[monday(due), category] += 1
    return received, overdue


def chart_counts(app, client) -> tuple[Counter, Counter, str]:
    from models.tickets import TICKET_CATEGORY

    with app.test_request_context():
        code_of = {str(label): code for code, label in TICKET_CATEGORY}
    text = page(client, "/admin/dashboard/")
    charts = charts_of(text)
    found = []
    for key in ("tickets-received", "tickets-overdue"):
        weeks = [date(2026, int(label[:2]), int(label[3:]))
                 for label in categories(charts[key])]
        found.append(Counter({(week, code_of[name]): count
                              for name, values in series(charts[key]).items()
                              for week, count in zip(weeks, values, strict=True) if count}))
    return found[0], found[1], text


def test_tickets_by_week_count_each_ticket_in_its_company_week_P_KPI_3(app, db, as_role,
                                                                      clock):
    client = as_role("admin")
    received, overdue, text = chart_counts(app, client)
    assert (received, overdue) == week_counts(app)
    assert sum(received.values()) > 100 and sum(overdue.values()) > 10
    # the table under each chart says the same, week by week
    for key, counts in (("tickets-received", received), ("tickets-overdue", overdue)):
        rows = data_table(text, key)
        assert len(rows) == 13 and rows[0][0] == "周（起始日）"
        for row in rows[1:]:
            week = date(2026, int(row[0][:2]), int(row[0][3:]))
            assert int(row[-1]) == sum(n for (w, _), n in counts.items() if w == week)


def test_a_monday_morning_in_shanghai_is_that_mondays_week(app, db, as_role, clock):
    """Taken in at 07:30 on Monday 16 November in Shanghai — still Sunday in UTC — a ticket
    counts in the week of the 16th; its deadline passed unresolved: overdue that week too."""
    client = as_role("admin")
    before, late_before, _ = chart_counts(app, client)
    with app.app_context():
        steward = database.session.scalar(sa.select(Staff).where(Staff.employee_no == "E101"))
        database.session.add(Ticket(
            code="TEDGE-0001", contact_name="王先生", contact_phone="13800000000",
            description="楼道灯不亮", category="other", steward=steward,
            intake_at=datetime(2026, 11, 16, 7, 30, tzinfo=ZONE)))
        database.session.commit()
    after, late_after, _ = chart_counts(app, client)
    assert after - before == Counter({(date(2026, 11, 16), "other"): 1})
    assert late_after - late_before == Counter({(date(2026, 11, 16), "other"): 1})


# ---- supervisor: the team's scores as the run page lists them --------------------------------
def test_a_supervisors_team_scores_equal_the_team_run_page_P_KPI_1(app, db, as_role, clock):
    client = as_role("supervisor1")
    text = page(client, "/admin/dashboard/")
    chart = charts_of(text)["team-kpi"]
    run = page(client, "/admin/monthly-assessment/run/?period=2026-10")
    body = run.split('id="run-table"')[1].split("<tbody>")[1].split("</tbody>")[0]
    listed = [[c.strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)][:3]
              for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    names = categories(chart)
    assert len(listed) == len(names) == 3
    assert [name.split()[0] for name in names] == [name for name, _, _ in listed]
    assert [exact(v) for v in series(chart)["总分"]] == [Decimal(t) for _, t, _ in listed]
    assert [row[6] for row in data_table(text, "team-kpi")[1:]] == [g for _, _, g in listed]


def team_ids(app, username: str) -> set[int]:
    me = staff_id(app, username)
    with app.app_context():
        return {me, *database.session.scalars(sa.select(Staff.id).where(
            Staff.supervisor_id == me))}


def test_the_teams_means_by_month_are_the_means_of_its_assessments(app, db, as_role, clock):
    team = team_ids(app, "supervisor1")
    trend = charts_of(page(as_role("supervisor1"), "/admin/dashboard/"))["team-trend"]
    months = categories(trend)
    assert months == periods.months_back("2026-10", 12)
    with app.app_context():
        rows = database.session.execute(sa.select(
            MonthlyAssessment.period, MonthlyAssessment.total).where(
            MonthlyAssessment.staff_id.in_(team))).all()
    totals = series(trend)["总分"]
    for month, shown in zip(months, totals, strict=True):
        scores = [total for period, total in rows if period == month and total is not None]
        if not scores:
            assert shown is None, month
            continue
        assert abs(exact(shown) - sum(scores) / len(scores)) <= Decimal("0.005"), month
    assert sum(v is not None for v in totals) == 11


def test_overdue_tickets_by_steward_are_the_teams_open_tickets_past_deadline(app, db,
                                                                             as_role, clock):
    """A ticket of the team's (E102) and one of the other team's (E104), both taken in five
    days ago and still new: the first counts for its steward, the second is not shown."""
    from rules.workflow import OPEN_STATES

    with app.app_context():
        for number in ("E102", "E104"):
            steward = database.session.scalar(sa.select(Staff).where(
                Staff.employee_no == number))
            database.session.add(Ticket(
                code=f"TLATE-{number}", contact_name="王先生", contact_phone="13800000000",
                description="门禁失灵", category="security", steward=steward,
                intake_at=NOW - timedelta(days=5)))
        database.session.commit()
    team = team_ids(app, "supervisor1")
    with app.app_context():
        late = Counter(f"{name} {number}" for name, number in database.session.execute(
            sa.select(Staff.name, Staff.employee_no).join(Ticket, Ticket.steward_id == Staff.id)
            .where(Ticket.status.in_(OPEN_STATES), Ticket.due_at < NOW)
            .where(Staff.id.in_(team))))
        other = database.session.scalar(sa.select(Staff.name).where(Staff.employee_no == "E104"))
    chart = charts_of(page(as_role("supervisor1"), "/admin/dashboard/"))["overdue-by-steward"]
    shown = dict(zip(categories(chart), series(chart)["逾期工单"], strict=True))
    assert shown == dict(late)
    assert f"{other} E104" not in shown and any(name.endswith("E102") for name in shown)


def test_a_team_without_overdue_tickets_is_told_so(app, db, as_role, clock):
    """supervisor2's team has nothing past its deadline on the demo's today: the chart says
    so across its plot, and its table says there is nothing to show."""
    text = page(as_role("supervisor2"), "/admin/dashboard/")
    chart = charts_of(text)["overdue-by-steward"]
    assert categories(chart) == [] and series(chart) == {"逾期工单": []}
    assert chart["baseOption"]["title"]["text"] == "没有逾期工单。"
    assert data_table(text, "overdue-by-steward")[1:] == [["暂无数据。"]]


# ---- HR: the funnel and the grades, counted again --------------------------------------------
def test_the_onboarding_funnel_counts_stewards_by_their_exams_P_TRN_2(app, db, as_role, clock):
    with app.app_context():
        stewards = dict(database.session.execute(
            sa.select(Staff.id, Staff.status).where(Staff.position == "steward")).all())
        exams = database.session.execute(
            sa.select(TrainingResult.staff_id, TrainingResult.exam_score, TrainingResult.passed)
            .join(TrainingSession).join(TrainingProgram)
            .where(TrainingProgram.kind == "onboarding")).all()
    examined = {who for who, score, _ in exams if score is not None and who in stewards}
    passed = {who for who, _, ok in exams if ok and who in stewards}
    on_duty = {who for who in passed if stewards[who] in ("on_duty", "suspended", "left")}
    option = charts_of(page(as_role("hr"), "/admin/dashboard/"))["onboarding-funnel"]
    shown = [d["value"] for d in option["baseOption"]["series"][0]["data"]]
    assert shown == [len(stewards), len(examined), len(passed), len(on_duty)] == [7, 6, 6, 6]


def test_grades_by_month_count_the_confirmed_assessments(app, db, as_role, clock):
    from models.assessment import GRADE

    with app.app_context():
        confirmed = Counter(database.session.execute(
            sa.select(MonthlyAssessment.period, MonthlyAssessment.grade)
            .where(MonthlyAssessment.status == "confirmed")).all())
    with app.test_request_context():
        labels = {str(label): grade for grade, label in GRADE}
    text = page(as_role("hr"), "/admin/dashboard/")
    chart = charts_of(text)["grades-by-month"]
    months = categories(chart)
    shown = Counter({(month, labels[name]): n for name, values in series(chart).items()
                     for month, n in zip(months, values, strict=True) if n})
    assert shown == Counter({key: n for key, n in confirmed.items() if key[0] in months})
    assert sum(shown.values()) == 66  # eleven months of six stewards
    totals = {row[0]: int(row[-1]) for row in data_table(text, "grades-by-month")[1:]}
    assert totals == {m: sum(n for (month, _), n in shown.items() if month == m)
                      for m in months}


# ---- steward: their own month only ------------------------------------------------------------
def my_month(app, username: str | None, first: date, last: date) -> list:
    """Received, resolved, late, visits and collected from `first` to `last` (Shanghai days),
    of one steward's tickets, visits and units' bills; everyone's for None."""
    start = datetime.combine(first, datetime.min.time(), ZONE)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), ZONE)
    me = staff_id(app, username) if username else None
    within = lambda moment: moment is not None and start <= moment < end  # noqa: E731
    with app.app_context():
        tickets = database.session.execute(sa.select(
            Ticket.intake_at, Ticket.resolved_at, Ticket.due_at).where(
            sa.true() if me is None else Ticket.steward_id == me)).all()
        visits = database.session.scalars(sa.select(ReturnVisit.visited_at).where(
            sa.true() if me is None else ReturnVisit.steward_id == me)).all()
        paid = database.session.execute(sa.select(Payment.paid_at, Payment.amount)
                                        .join(Bill).join(Unit, Bill.unit_id == Unit.id).where(
            sa.true() if me is None else Unit.steward_id == me)).all()
    late = [due for _, resolved, due in tickets
            if within(due) and (resolved > due if resolved else due < NOW)]
    return [sum(within(t) for t, _, _ in tickets), sum(within(r) for _, r, _ in tickets),
            len(late), sum(within(v) for v in visits),
            sum((amount for at, amount in paid if within(at)), Decimal(0))]


@pytest.mark.parametrize("username", ["steward1", "steward2"])
def test_a_steward_sees_their_own_month_against_last_month(app, db, as_role, clock, username):
    """This month so far (1–20 November) against the same days of October: the steward's
    own tickets, visits and the payments on their units' bills, nobody else's."""
    charts = charts_of(page(as_role(username), "/admin/dashboard/"))
    work, money = series(charts["my-month"]), series(charts["my-collection"])
    spans = [(date(2026, 10, 1), date(2026, 10, 20)), (date(2026, 11, 1), TODAY)]
    for (name, counts), (collected,), span in zip(work.items(), money.values(), spans,
                                                  strict=True):
        assert span[0].strftime("%m-%d") in name
        expected = my_month(app, username, *span)
        assert [*counts, exact(collected)] == expected, name
        assert expected != my_month(app, None, *span)  # the company's are not theirs
    assert sum(work[next(iter(work))]) > 0


# ---- the company's weeks and months (rules/periods.py) ----------------------------------------
def test_weeks_start_on_monday_and_months_go_back_across_a_year():
    assert periods.week_start(date(2026, 11, 22)) == date(2026, 11, 16)  # a Sunday
    assert periods.weeks_back(date(2026, 11, 16), 3) == [
        date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]
    assert periods.months_back("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]


def test_the_same_days_of_a_shorter_last_month_end_with_it():
    assert periods.same_days_last_month(date(2026, 3, 31)) == (date(2026, 2, 1),
                                                               date(2026, 2, 28))
    assert periods.same_days_last_month(date(2026, 1, 20)) == (date(2025, 12, 1),
                                                               date(2025, 12, 20))
