"""Assessments that are right whatever the order and the day, and decisions that take
effect: dismissal whatever the order (P-RP-3), the first annual run (P-ASM-2), months that
have not ended (P-ASM-1), KPIs not entered yet (P-KPI-4), a past month's figures as of its
cut-off (P-KPI-2), the onboarding gate after the fact (P-TRN-2), the bonus amount
(P-ASM-1) and the hiring check for stewards only (P-REQ-1).

E199 陈测试 (tests/test_assessments_web.py) is added to supervisor1's team where a test
needs a steward whose months are made by hand.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from extensions import db as database
from models import (
    AnnualAssessment,
    Bill,
    MonthlyAssessment,
    Payment,
    PolicySetting,
    RewardPenalty,
    Staff,
    TrainingResult,
    Unit,
    UnitAssignment,
)
from models.queries import month_record
from rules.assessing import dismissal_months
from services import assessments as service

from .helpers import flashes, form_data, one
from .test_assessments_web import (
    RUN,
    SHEET,
    add_steward,
    assessment_of,
    confirm,
    hand_made_october,
    local,
    run,
    save_task,
)

D = Decimal
# 10:00 on Friday 27 November 2026 in Shanghai
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def frozen(moment: datetime = NOW):
    return time_machine.travel(moment, tick=False)


def suggestions(app, staff_id: int) -> list[tuple[str, str, str]]:
    """(period, kind, status) of the staff member's suggestions, in order."""
    with app.app_context():
        return sorted(database.session.execute(
            sa.select(MonthlyAssessment.period, RewardPenalty.kind, RewardPenalty.status)
            .join(RewardPenalty.monthly_assessment)
            .where(RewardPenalty.staff_id == staff_id)).all())


def dismissals(app, staff_id: int) -> list[tuple[str, str]]:
    return [(period, status) for period, kind, status in suggestions(app, staff_id)
            if kind == "dismissal"]


def reopen(client, assessment_id: int, reason: str = "补录数据"):
    response = client.post(SHEET.format(assessment_id),
                           data={"operation": "reopen", "reason": reason})
    assert response.status_code == 302, flashes(response)[-1]
    return response


# ---- P-RP-3: dismissal whatever the order of confirming and reopening ----------------------
def september_and_october(app, as_role):
    """E199's drafts of September and October 2025 (no records: the task score decides),
    run by supervisor1, whose signed-in client comes along."""
    staff_id = add_steward(app)
    client = as_role("supervisor1")
    run(client, "2025-09")
    run(client, "2025-10")
    september, october = (assessment_of(app, staff_id, p) for p in ("2025-09", "2025-10"))
    return staff_id, client, september, october


def test_the_later_month_confirmed_first_still_suggests_dismissal_P_RP_3(app, db, as_role):
    staff_id, client, september, october = september_and_october(app, as_role)
    save_task(client, october.id, "50")
    assert confirm(client, october.id).status_code == 302
    assert dismissals(app, staff_id) == []
    save_task(client, september.id, "40")
    assert confirm(client, september.id).status_code == 302
    assert dismissals(app, staff_id) == [("2025-10", "pending")]
    kinds = [kind for _, kind, _ in suggestions(app, staff_id)]
    assert kinds.count("warning") == 2 and kinds.count("bonus_deduction") == 2  # P-RP-2


def test_reopening_and_failing_the_earlier_month_suggests_dismissal_once_P_RP_3(
        app, db, as_role):
    staff_id, client, september, october = september_and_october(app, as_role)
    save_task(client, september.id, "80")
    confirm(client, september.id)
    save_task(client, october.id, "50")
    confirm(client, october.id)
    assert dismissals(app, staff_id) == []
    reopen(client, september.id)
    save_task(client, september.id, "40")
    confirm(client, september.id)
    assert dismissals(app, staff_id) == [("2025-10", "pending")]
    # reopening either month withdraws it while HR has not decided…
    reopen(client, september.id)
    assert dismissals(app, staff_id) == []
    confirm(client, september.id)
    assert dismissals(app, staff_id) == [("2025-10", "pending")]
    # …and once HR has decided, the decision stands and is not suggested twice
    with app.app_context():
        suggestion = database.session.scalars(sa.select(RewardPenalty).where(
            RewardPenalty.staff_id == staff_id, RewardPenalty.kind == "dismissal")).one()
        suggestion.status, suggestion.decided_on = "rejected", date(2026, 11, 20)
        database.session.commit()
    reopen(client, october.id)
    confirm(client, october.id)
    assert dismissals(app, staff_id) == [("2025-10", "rejected")]


MONTHS = ("2025-08", "2025-09", "2025-10", "2025-11")
STEPS = st.lists(st.tuples(st.sampled_from(MONTHS), st.sampled_from(("fail", "pass", "reopen"))),
                 max_size=14)


def test_the_dismissal_suggestions_depend_only_on_the_confirmed_grades_P_RP_3(app, db):
    """Any sequence of confirming (failing or passing) and reopening four months ends with
    exactly one pending dismissal for each month that follows a confirmed failing month
    and is itself confirmed failing — the same set for every order."""
    staff_id = add_steward(app)
    with app.app_context():
        boss_id = database.session.get(Staff, staff_id).supervisor_id

    @settings(max_examples=30, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(STEPS)
    def check(steps):
        with app.app_context():
            session = database.session
            try:
                made = {}
                for period, step in steps:
                    if period not in made:
                        made[period] = MonthlyAssessment(staff_id=staff_id, period=period,
                                                         assessor_id=boss_id)
                        session.add(made[period])
                    assessment = made[period]
                    if step == "reopen":
                        if assessment.status == "confirmed":
                            service.reopen(session, assessment, "test", "复核", now=NOW)
                    elif assessment.status != "confirmed":
                        assessment.task_score = D("40") if step == "fail" else D("80")
                        service.confirm(session, assessment, "test", now=NOW)
                session.flush()
                grades = {a.period: a.grade for a in made.values() if a.status == "confirmed"}
                pending = sorted(session.scalars(
                    sa.select(MonthlyAssessment.period).join(RewardPenalty.monthly_assessment)
                    .where(RewardPenalty.staff_id == staff_id,
                           RewardPenalty.kind == "dismissal")))
                assert pending == sorted(dismissal_months(grades))
            finally:
                session.rollback()

    check()


# ---- P-ASM-2: the first annual run is right -------------------------------------------------
def test_the_first_annual_run_has_the_monthly_mean_P_ASM_2(app, db, as_role):
    """E199's confirmed 2025: March 80, April 91 → mean 85.50; with the owners' evaluation
    and the performance score not entered yet, the draft's total is the mean alone."""
    staff_id = add_steward(app)
    with app.app_context():
        session = database.session
        boss_id = session.get(Staff, staff_id).supervisor_id
        for period, task in (("2025-03", "80"), ("2025-04", "91")):
            assessment = MonthlyAssessment(staff_id=staff_id, period=period,
                                           assessor_id=boss_id, task_score=D(task))
            session.add(assessment)
            service.confirm(session, assessment, "supervisor1", now=NOW)
        session.commit()
    client = as_role("supervisor1")
    response = client.post("/admin/annual-assessment/run/", data={"period": "2025"})
    assert response.status_code == 302, flashes(response)
    annual = one(app, AnnualAssessment, staff_id=staff_id, year=2025)
    assert (annual.monthly_mean, annual.total, annual.owner_evaluation) == (
        D("85.50"), D("85.50"), None)


# ---- P-ASM-1: a month is confirmed only after it ends; the future is not run ----------------
def test_a_month_under_way_is_a_preview_and_the_future_cannot_be_run_P_ASM_1(
        app, db, as_role):
    staff_id = add_steward(app)
    with frozen():
        client = as_role("supervisor1")
        response = client.post(RUN, data={"period": "2027-03"})
        assert response.status_code == 200
        assert any("2027-03" in f for f in flashes(response))
        assert one(app, MonthlyAssessment, period="2027-03") is None
        run(client, "2026-11")  # a preview while the month runs
        november = assessment_of(app, staff_id, "2026-11")
        save_task(client, november.id, "95")
        response = confirm(client, november.id)
        assert response.status_code == 200
        assert any("2026-12-01" in f for f in flashes(response))
        assert assessment_of(app, staff_id, "2026-11").status == "draft"
        assert suggestions(app, staff_id) == []
        # the start page asks for last month's drafts, not this month's previews
        landing = client.get("/admin/").get_data(as_text=True)
        drafts = landing[landing.index('id="drafts"'):].split("</ul>")[0]
        assert "2026-11" not in drafts
    with frozen(local(date(2026, 11, 30), 23, 59)):
        assert confirm(as_role("supervisor1"), november.id).status_code == 200
        assert assessment_of(app, staff_id, "2026-11").status == "draft"
    with frozen(local(date(2026, 12, 1), 0, 1)):
        assert confirm(as_role("supervisor1"), november.id).status_code == 302
        assert assessment_of(app, staff_id, "2026-11").status == "confirmed"


def test_an_annual_assessment_is_confirmed_after_the_year_ends_P_ASM_2(app, db, as_role):
    with frozen():
        client = as_role("supervisor1")
        response = client.post("/admin/annual-assessment/run/", data={"period": "2027"})
        assert response.status_code == 200 and flashes(response)
        annual = one(app, AnnualAssessment, year=2026,
                     staff_id=one(app, Staff, employee_no="E101").id)
        sheet = f"/admin/annual-assessment/sheet/?id={annual.id}"
        client.post(sheet, data={"operation": "save", "owner_evaluation": "90",
                                 "performance_score": "80"})
        response = client.post(sheet, data={"operation": "confirm"})
        assert response.status_code == 200
        assert any("2027-01-01" in f for f in flashes(response))
        assert one(app, AnnualAssessment, id=annual.id).status == "draft"


# ---- P-KPI-4: not entered yet is not "no data" ----------------------------------------------
def test_a_task_score_not_entered_blocks_confirming_and_no_tasks_rescales_P_KPI_4(
        app, db, as_role):
    """October of E199 without a task score: no total, not confirmable. Marked "no tasks
    planned this month", the task KPI is no data: 0.35 × 80 + 0.30 × 70 + 0.20 × 50 = 59
    over 0.85 → 69.41, pass."""
    staff_id = add_steward(app)
    hand_made_october(app, staff_id)
    client = as_role("supervisor1")
    run(client, "2026-10")
    made = assessment_of(app, staff_id, "2026-10")
    response = confirm(client, made.id)
    assert response.status_code == 200 and flashes(response)
    assert assessment_of(app, staff_id, "2026-10").status == "draft"
    run_page = client.get(f"{RUN}?period=2026-10").get_data(as_text=True)
    assert "陈测试" in run_page
    response = client.post(SHEET.format(made.id), data={
        "operation": "save", "task_score": "", "no_tasks": "y", "comment": ""})
    assert response.status_code == 302, flashes(response)
    marked = assessment_of(app, staff_id, "2026-10")
    assert (marked.no_tasks, marked.total, marked.grade) == (True, D("69.41"), "passed")
    sheet = client.get(SHEET.format(made.id)).get_data(as_text=True)
    assert 'id="left-out"' in sheet and 'id="not-entered"' not in sheet
    # a score and "no tasks" together is a contradiction, refused
    response = client.post(SHEET.format(made.id), data={
        "operation": "save", "task_score": "85", "no_tasks": "y", "comment": ""})
    assert response.status_code == 200 and any("两者只能选一" in f for f in flashes(response))
    assert assessment_of(app, staff_id, "2026-10").task_score is None
    assert confirm(client, made.id).status_code == 302


# ---- P-KPI-2: a past month's figures as of its cut-off --------------------------------------
def test_an_old_month_keeps_its_figures_when_payments_and_units_change_later_P_KPI_2(
        app, db, as_role):
    """After October, the rest of the 200.00 bill is paid (3 November) and unit T902 goes
    to E101: recalculating October still reads 350.00 of 500.00 collected by E199 (70.00),
    and E101's October does not gain the bill."""
    staff_id = add_steward(app)
    hand_made_october(app, staff_id)
    with frozen():
        client = as_role("supervisor1")
        run(client, "2026-10")
        with app.app_context():
            session = database.session
            partly = session.scalars(sa.select(Bill).join(Bill.unit).where(
                Unit.number == "T902", Bill.period == "2026-10")).one()
            session.add(Payment(bill=partly, amount=D("150.00"),
                                paid_at=local(date(2026, 11, 3), 10), receipt_no="E199-R3"))
            partly.unit.steward = session.scalar(
                sa.select(Staff).where(Staff.employee_no == "E101"))
            session.commit()
        made = assessment_of(app, staff_id, "2026-10")
        assert save_task(client, made.id, "90").status_code == 302
        again = assessment_of(app, staff_id, "2026-10")
        assert (again.collection_score, again.total) == (D("70.00"), D("72.50"))
        with app.app_context():
            session = database.session
            other = session.scalar(sa.select(Staff).where(Staff.employee_no == "E101"))
            labels = [label for label, _, _ in
                      month_record(session, other, "2026-10", "Asia/Shanghai").bills]
            assert not any("T902" in label for label in labels)
            history = session.execute(
                sa.select(Staff.employee_no, UnitAssignment.start_on, UnitAssignment.end_on)
                .join(Staff, UnitAssignment.steward_id == Staff.id).join(UnitAssignment.unit)
                .where(Unit.number == "T902").order_by(UnitAssignment.id)).all()
        assert history == [("E199", None, date(2026, 11, 27)),
                           ("E101", date(2026, 11, 27), None)]
        # given back the same day: E101's stretch of no days is dropped, E199's reopens
        with app.app_context():
            session = database.session
            unit = session.scalars(sa.select(Unit).where(Unit.number == "T902")).one()
            unit.steward_id = staff_id
            session.commit()
            history = session.execute(
                sa.select(UnitAssignment.steward_id, UnitAssignment.start_on,
                          UnitAssignment.end_on)
                .where(UnitAssignment.unit_id == unit.id).order_by(UnitAssignment.id)).all()
        assert history == [(staff_id, None, date(2026, 11, 27)),
                           (staff_id, date(2026, 11, 27), None)]


# ---- P-TRN-2: the onboarding gate holds after the fact --------------------------------------
def test_an_on_duty_other_cannot_become_a_steward_without_the_exam_P_TRN_2(
        app, db, as_role):
    hr = as_role("hr")
    response = hr.post("/admin/staff/new/", data={
        "employee_no": "E301", "name": "郑新", "position": "other", "department": "office",
        "status": "on_duty", "property_years": "0", "steward_years": "0"})
    assert response.status_code == 302, flashes(response)
    person = one(app, Staff, employee_no="E301")
    data = form_data(app, "staff", person.id, "hr") | {"position": "steward"}
    response = hr.post(f"/admin/staff/edit/?id={person.id}", data=data)
    assert response.status_code == 200
    assert any("入职" in f and "60" in f for f in flashes(response))
    assert one(app, Staff, id=person.id).position == "other"


def test_the_only_passed_exam_of_an_on_duty_steward_cannot_be_lowered_or_deleted_P_TRN_2(
        app, db, as_role):
    staff_id = add_steward(app)
    exam = one(app, TrainingResult, staff_id=staff_id)
    hr = as_role("hr")
    data = form_data(app, "training_result", exam.id, "hr") | {"exam_score": "30"}
    response = hr.post(f"/admin/training-result/edit/?id={exam.id}", data=data)
    assert response.status_code == 200
    assert any("陈测试" in f for f in flashes(response))
    response = hr.post("/admin/training-result/delete/", data={"id": str(exam.id)},
                       follow_redirects=True)
    assert any("陈测试" in f for f in flashes(response))
    kept = one(app, TrainingResult, id=exam.id)
    assert (kept.exam_score, kept.passed) == (D("82.0"), True)
    # nor moved to someone else through the form (the form sets the person, not the id)
    newcomer = one(app, Staff, employee_no="E107")
    data = form_data(app, "training_result", exam.id, "hr") | {"staff": str(newcomer.id)}
    response = hr.post(f"/admin/training-result/edit/?id={exam.id}", data=data)
    assert response.status_code == 200
    assert any("陈测试" in f for f in flashes(response))
    assert one(app, TrainingResult, id=exam.id).staff_id == staff_id


# ---- P-ASM-1: the bonus amount and HR's bonus sheet -----------------------------------------
def test_the_sheet_shows_the_bonus_amount_and_hr_downloads_the_month_P_ASM_1(
        app, db, as_role):
    """A policy version from 1 October sets a steward's bonus base at 2,000: E199's pass
    (factor 0.80) earns 1,600.00."""
    staff_id = add_steward(app)
    hand_made_october(app, staff_id)
    with app.app_context():
        database.session.add(PolicySetting(effective_from=date(2026, 10, 1), note="奖金基数",
                                           bonus_base_steward=D("2000")))
        database.session.commit()
    client = as_role("supervisor1")
    run(client, "2026-10")
    made = assessment_of(app, staff_id, "2026-10")
    save_task(client, made.id, "90")
    assert confirm(client, made.id).status_code == 302
    done = assessment_of(app, staff_id, "2026-10")
    assert (done.bonus_factor, done.bonus_base, done.bonus_amount) == (
        D("0.80"), D("2000.00"), D("1600.00"))
    sheet = client.get(SHEET.format(made.id)).get_data(as_text=True)
    assert "¥2,000.00" in sheet and "¥1,600.00" in sheet
    response = as_role("hr").get("/admin/monthly-assessment/bonus/?period=2026-10")
    assert response.status_code == 200
    assert "2026-10.xlsx" in response.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    mine = [r for r in rows if r[0] == "E199"]
    assert len(mine) == 1 and mine[0][1] == "陈测试"
    assert mine[0][4:] == (72.5, "合格", 0.8, 2000, 1600)
    assert rows[0][:2] == ("工号", "姓名")
    assert len(rows) > 2  # the demo's stewards confirmed for October too
    # a month with nothing confirmed is a message, not an empty file
    response = as_role("hr").get("/admin/monthly-assessment/bonus/?period=2024-01")
    assert response.status_code == 302


# ---- P-REQ-1: the hiring requirements are the steward position's ----------------------------
def test_the_hiring_check_applies_to_stewards_only_P_REQ_1(app, db, as_role):
    hr = as_role("hr")
    office = one(app, Staff, employee_no="E002")
    page = hr.get(f"/admin/staff/details/?id={office.id}").get_data(as_text=True)
    assert "不符合" not in page
    candidate = one(app, Staff, employee_no="E107")  # the newcomer: a steward
    page = hr.get(f"/admin/staff/details/?id={candidate.id}").get_data(as_text=True)
    assert 'id="hiring-reasons"' in page
