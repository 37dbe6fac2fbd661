"""Monthly and annual assessments through the screens (P-KPI-1…4, P-ASM-1, P-ASM-2,
P-RP-1…3): a supervisor's month run checked against a hand computation, the edge cases,
confirm and reopen, consequences for HR, and scores under the policy version in force.

Most tests add one steward, E199 陈测试, to supervisor1's team, with a month made by hand,
so every figure can be worked out on paper.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine

from extensions import db as database
from models import (
    AnnualAssessment,
    Bill,
    Building,
    FeeStandard,
    MonthlyAssessment,
    Payment,
    PolicySetting,
    ReturnVisit,
    RewardPenalty,
    Staff,
    Ticket,
    TrainingResult,
    TrainingSession,
    Unit,
)
from models.queries import company_zone, month_record
from models.tracking import cli_actor
from rules.refusal import Refused
from services.tickets import take_step

from .helpers import flashes, form_data, one

D = Decimal
RUN = "/admin/monthly-assessment/run/"
SHEET = "/admin/monthly-assessment/sheet/?id={}"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time as an aware UTC moment."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def add_steward(app, hire=date(2025, 1, 1)) -> int:
    """E199, on duty after passing onboarding, on supervisor1's team, with two units."""
    with app.app_context():
        session = database.session
        boss = session.scalar(sa.select(Staff).where(Staff.employee_no == "E010"))
        course = session.scalars(sa.select(TrainingSession).join(TrainingSession.program)
                                 .where(sa.text("training_program.kind = 'onboarding'"))).first()
        person = Staff(employee_no="E199", name="陈测试", position="steward", status="on_duty",
                       supervisor=boss, hire_date=hire)
        session.add_all([person, TrainingResult(session=course, staff=person,
                                                exam_score=D("82"), taken_on=hire)])
        building = session.scalars(sa.select(Building)).first()
        for number in ("T901", "T902"):
            session.add(Unit(building=building, number=number, floor=9, area=D("100"),
                             steward=person))
        session.commit()
        return person.id


def hand_made_october(app, staff_id: int) -> None:
    """October 2026 of E199, as worked out in test_a_supervisor_runs_the_month…:

    bills due in October: 300.00 paid in full, 200.00 with 50.00 paid (at 23:59 on 31
        October), 100.00 waived
    tickets due in October: T1 on time, T2 resolved exactly at its deadline, T3 a day
        late, T4 still in progress after its deadline
    ratings: T1 5, T2 4, T3 3 (closed in October), a return visit 4 on 15 October, and a
        return visit 1 on 2 November (another month)
    """
    token = cli_actor.set("test")
    try:
        with app.app_context():
            session = database.session
            first, second = session.scalars(
                sa.select(Unit).where(Unit.steward_id == staff_id).order_by(Unit.number))
            project = first.building.project
            rate = session.scalars(sa.select(FeeStandard).where(
                FeeStandard.project_id == project.id)).first()
            parking = FeeStandard(project=project, name="车位管理费", basis="fixed",
                                  rate=D("100"), effective_from=date(2025, 1, 1))
            paid, partly = (
                Bill(unit=first, standard=rate, period="2026-10", amount=D("300.00"),
                     due_date=date(2026, 10, 10)),
                Bill(unit=second, standard=rate, period="2026-10", amount=D("200.00"),
                     due_date=date(2026, 10, 25)))
            session.add_all([
                paid, partly,
                Payment(bill=paid, amount=D("300.00"), paid_at=local(date(2026, 10, 9), 10),
                        receipt_no="E199-R1"),
                Payment(bill=partly, amount=D("50.00"),
                        paid_at=local(date(2026, 10, 31), 23, 59), receipt_no="E199-R2"),
                Bill(unit=first, standard=parking, period="2026-10", amount=D("100.00"),
                     status="waived", due_date=date(2026, 10, 25)),
            ])
            plans = [
                # code, urgent, important, intake, resolved (None: still open), rating
                ("T1", False, False, local(date(2026, 10, 5), 10), local(date(2026, 10, 7), 9), 5),
                ("T2", True, True, local(date(2026, 10, 10), 10), local(date(2026, 10, 10), 14), 4),
                ("T3", True, False, local(date(2026, 10, 20), 10), local(date(2026, 10, 22), 9), 3),
                ("T4", False, True, local(date(2026, 10, 29), 10), None, None),
            ]
            for code, urgent, important, intake, resolved, rating in plans:
                ticket = Ticket(code=f"E199-{code}", unit=first, contact_name="业主",
                                contact_phone="13800000000", description="测试",
                                urgent=urgent, important=important, intake_at=intake,
                                steward_id=staff_id)
                session.add(ticket)
                session.flush()
                take_step(session, ticket, "accept", actor="test", at=intake)
                take_step(session, ticket, "start", actor="test", at=intake)
                session.flush()
                if resolved:
                    take_step(session, ticket, "resolve", actor="test", at=resolved,
                              resolution="已处理")
                    session.flush()
                    take_step(session, ticket, "feedback", actor="test", at=resolved,
                              rating=rating)
                    session.flush()
                    take_step(session, ticket, "close", actor="test",
                              at=resolved + timedelta(hours=1))
                    session.flush()
            owner_id = first.ownerships[0].owner_id if first.ownerships else None
            if owner_id is None:
                from models import Owner

                owner_id = session.scalars(sa.select(Owner.id)).first()
            session.add_all([
                # the survey's lowest dimension is the visit's satisfaction: 4, then 1
                ReturnVisit(owner_id=owner_id, steward_id=staff_id, rating_attitude=5,
                            rating_efficiency=4, rating_solving=4,
                            visited_at=local(date(2026, 10, 15), 15)),
                ReturnVisit(owner_id=owner_id, steward_id=staff_id, rating_attitude=1,
                            rating_efficiency=3, rating_solving=2,
                            visited_at=local(date(2026, 11, 2), 15)),
            ])
            session.commit()
    finally:
        cli_actor.reset(token)


def assessment_of(app, staff_id: int, period: str) -> MonthlyAssessment:
    return one(app, MonthlyAssessment, staff_id=staff_id, period=period)


def run(client, period: str):
    response = client.post(RUN, data={"period": period})
    assert response.status_code == 302, flashes(response)
    return response


def save_task(client, assessment_id: int, score: str, comment: str = ""):
    return client.post(SHEET.format(assessment_id), data={
        "operation": "save", "task_score": score, "comment": comment})


def confirm(client, assessment_id: int):
    return client.post(SHEET.format(assessment_id), data={"operation": "confirm"})


def test_a_supervisor_runs_the_month_and_the_figures_match_a_hand_computation(
        app, db, as_role):
    """P-KPI-1 satisfaction: ratings 5, 4, 3 and the visit's 4 → 16 / 20 = 80.00
    P-KPI-2 collection: (300.00 + 50.00) / (300.00 + 200.00), waived excluded → 70.00
    P-KPI-3 on time: T1 and T2 (at the deadline) of T1…T4 → 2 / 4 = 50.00
    P-KPI-4 task completion: entered 90
    total: 0.35 × 80 + 0.30 × 70 + 0.20 × 50 + 0.15 × 90 = 28 + 21 + 10 + 13.5 = 72.50,
    pass (合格), bonus factor 0.8 (P-ASM-1)."""
    staff_id = add_steward(app)
    hand_made_october(app, staff_id)
    client = as_role("supervisor1")
    response = run(client, "2026-10")
    page = client.get(response.location).get_data(as_text=True)
    assert "陈测试" in page
    made = assessment_of(app, staff_id, "2026-10")
    assert (made.satisfaction_score, made.collection_score, made.on_time_score) == (
        D("80.00"), D("70.00"), D("50.00"))
    with app.app_context():  # the visit is among the ratings counted (12/15 is 80.00 too)
        counted = month_record(database.session, database.session.get(Staff, staff_id),
                               "2026-10", company_zone()).ratings
    assert sorted((kind, rating) for kind, _, rating, _ in counted) == [
        ("ticket", 3), ("ticket", 4), ("ticket", 5), ("visit", 4)]
    # before the task score is entered, it is pending, not "no data": no total, no grade
    # (P-KPI-4), where leaving it out would have graded 59 / 0.85 = 69.41
    assert made.task_score is None and (made.total, made.grade) == (None, None)
    sheet = client.get(SHEET.format(made.id)).get_data(as_text=True)
    assert 'id="not-entered"' in sheet and 'id="left-out"' not in sheet
    assert "E199-T3" in sheet and "E199-T4" in sheet  # the late ones are named
    assert "E199-T1" in sheet  # a rating counted
    assert "¥50.00 / ¥200.00" in sheet  # the bill not fully paid, in yuan

    assert save_task(client, made.id, "90", "按计划完成").status_code == 302
    assert confirm(client, made.id).status_code == 302
    done = assessment_of(app, staff_id, "2026-10")
    assert (done.total, done.grade, done.bonus_factor, done.status) == (
        D("72.50"), "passed", D("0.80"), "confirmed")
    assert done.confirmed_by == "supervisor1" and done.assessor_id is not None
    assert done.policy_id == one(app, PolicySetting, effective_from=date(2025, 1, 1)).id


def test_the_run_leaves_confirmed_assessments_alone(app, db, as_role):
    before = _all(app, "2026-10")
    assert before
    run(as_role("supervisor1"), "2026-10")
    assert _all(app, "2026-10") == before


def _all(app, period):
    with app.app_context():
        return [(a.id, a.total, a.version) for a in database.session.scalars(
            sa.select(MonthlyAssessment).where(MonthlyAssessment.period == period))]


def test_a_month_with_no_tickets_leaves_the_kpis_out_and_says_so(app, db, as_role):
    """E199 has no tickets, bills or ratings in September: only task completion counts."""
    staff_id = add_steward(app)
    client = as_role("supervisor1")
    run(client, "2026-09")
    made = assessment_of(app, staff_id, "2026-09")
    assert (made.satisfaction_score, made.collection_score, made.on_time_score) == (
        None, None, None)
    save_task(client, made.id, "88")
    assert assessment_of(app, staff_id, "2026-09").total == D("88.00")
    assert 'id="left-out"' in client.get(SHEET.format(made.id)).get_data(as_text=True)


@pytest.mark.parametrize(("task", "grade"), [
    ("90.0", "excellent"), ("75.0", "good"), ("60.0", "passed"), ("59.99", "failed")])
def test_scores_of_exactly_90_75_and_60_take_the_higher_grade(app, db, as_role, task, grade):
    staff_id = add_steward(app)
    client = as_role("supervisor1")
    run(client, "2026-09")
    made = assessment_of(app, staff_id, "2026-09")
    save_task(client, made.id, task)
    confirm(client, made.id)
    done = assessment_of(app, staff_id, "2026-09")
    assert (done.total, done.grade, done.status) == (D(task).quantize(D("0.01")), grade,
                                                     "confirmed")


def test_a_steward_who_started_mid_month_is_counted_from_the_hire_date(app, db, as_role):
    """Hired 16 October: the bill due on the 10th and T1, T2 (due before the 16th) are not
    theirs; nor is the return visit of the 15th.
    collection 50.00 / 200.00 = 25.00; on time 0 of T3, T4 = 0.00; satisfaction T3's 3 →
    60.00."""
    staff_id = add_steward(app, hire=date(2026, 10, 16))
    hand_made_october(app, staff_id)
    run(as_role("supervisor1"), "2026-10")
    made = assessment_of(app, staff_id, "2026-10")
    assert (made.collection_score, made.on_time_score, made.satisfaction_score) == (
        D("25.00"), D("0.00"), D("60.00"))


def test_nothing_receivable_is_no_data_not_zero_P_KPI_2(app, db, as_role):
    staff_id = add_steward(app)
    with app.app_context():
        unit = database.session.scalars(sa.select(Unit).where(Unit.steward_id == staff_id)).first()
        standard = database.session.scalars(sa.select(FeeStandard)).first()
        database.session.add(Bill(unit=unit, standard=standard, period="2026-09",
                                  amount=D("0.00"), due_date=date(2026, 9, 25)))
        database.session.commit()
    run(as_role("supervisor1"), "2026-09")
    assert assessment_of(app, staff_id, "2026-09").collection_score is None


def test_a_confirmed_assessment_cannot_be_edited_P_ASM_1(app, db, as_role):
    client = as_role("supervisor1")
    with app.app_context():
        confirmed = database.session.scalars(sa.select(MonthlyAssessment).where(
            MonthlyAssessment.status == "confirmed",
            MonthlyAssessment.staff.has(Staff.employee_no == "E101"))).first()
        target, before = confirmed.id, (confirmed.task_score, confirmed.total,
                                        confirmed.version)
    response = client.post(f"/admin/monthly-assessment/edit/?id={target}", data={
        "task_score": "10", "comment": "改分"})
    assert response.status_code == 302 and "sheet" in response.location
    response = save_task(client, target, "10")
    assert response.status_code == 200 and flashes(response)
    with app.app_context():
        row = database.session.get(MonthlyAssessment, target)
        assert (row.task_score, row.total, row.version) == before
        row.task_score = D("10")  # nor any other path
        with pytest.raises(Refused, match="reopen it first"):
            database.session.flush()
        database.session.rollback()
        row = database.session.get(MonthlyAssessment, target)
        row.status = "draft"  # a reopening without its reason
        with pytest.raises(Refused, match="needs a reason"):
            database.session.flush()
        database.session.rollback()
        database.session.delete(database.session.get(MonthlyAssessment, target))
        with pytest.raises(Refused, match="cannot be deleted"):
            database.session.flush()


def test_reopening_needs_the_supervisor_and_a_reason(app, db, as_role):
    with app.app_context():
        target = database.session.scalars(sa.select(MonthlyAssessment.id).where(
            MonthlyAssessment.status == "confirmed",
            MonthlyAssessment.staff.has(Staff.employee_no == "E101"))).first()
    reopen = {"operation": "reopen", "reason": ""}
    response = as_role("supervisor1").post(SHEET.format(target), data=reopen)
    assert response.status_code == 200 and one(app, MonthlyAssessment, id=target).status == (
        "confirmed")
    for outsider in ("steward1", "hr", "admin", "supervisor2"):
        response = as_role(outsider).post(SHEET.format(target),
                                          data={"operation": "reopen", "reason": "复核"})
        assert response.status_code == 403, outsider
    client = as_role("supervisor1")
    response = client.post(SHEET.format(target), data={"operation": "reopen",
                                                        "reason": "业主投诉核实有误"})
    assert response.status_code == 302
    reopened = one(app, MonthlyAssessment, id=target)
    assert reopened.status == "draft" and "业主投诉核实有误" in reopened.reopen_note
    assert "supervisor1" in reopened.reopen_note
    assert save_task(client, target, "95").status_code == 302
    assert one(app, MonthlyAssessment, id=target).task_score == D("95.00")


def test_a_steward_reads_only_their_confirmed_sheets(app, db, as_role):
    client = as_role("steward1")
    with app.app_context():
        own = {status: database.session.scalars(sa.select(MonthlyAssessment.id).where(
            MonthlyAssessment.status == status,
            MonthlyAssessment.staff.has(Staff.employee_no == "E101"))).first()
            for status in ("confirmed", "draft")}
    page = client.get(SHEET.format(own["confirmed"]))
    assert page.status_code == 200 and 'id="sheet-reopen"' not in page.get_data(as_text=True)
    assert client.get(SHEET.format(own["draft"])).status_code == 403
    assert client.post(RUN, data={"period": "2026-11"}).status_code == 403


def test_two_consecutive_fails_suggest_dismissal_which_hr_decides_P_RP_2_P_RP_3(
        app, db, as_role):
    staff_id = add_steward(app)
    client = as_role("supervisor1")
    for period in ("2026-08", "2026-09"):
        run(client, period)
        made = assessment_of(app, staff_id, period)
        save_task(client, made.id, "40")
        confirm(client, made.id)
    with app.app_context():
        suggested = {(r.monthly_assessment.period, r.kind): r.id for r in database.session.scalars(
            sa.select(RewardPenalty).where(RewardPenalty.staff_id == staff_id,
                                           RewardPenalty.status == "pending"))}
    assert set(suggested) == {
        ("2026-08", "warning"), ("2026-08", "bonus_deduction"),
        ("2026-09", "warning"), ("2026-09", "bonus_deduction"), ("2026-09", "dismissal")}
    hr = as_role("hr")
    dismissal = suggested[("2026-09", "dismissal")]
    response = hr.post("/admin/reward-penalty/action/", data={
        "action": "reject", "rowid": [str(dismissal)]}, follow_redirects=True)
    assert response.status_code == 200
    assert one(app, RewardPenalty, id=dismissal).status == "rejected"
    response = hr.post("/admin/reward-penalty/action/", data={
        "action": "confirm", "rowid": [str(dismissal)]}, follow_redirects=True)
    assert any("pending" in f or "待" in f for f in flashes(response))  # decided already
    assert one(app, RewardPenalty, id=dismissal).status == "rejected"
    # a supervisor cannot decide for HR
    response = client.post("/admin/reward-penalty/action/", data={
        "action": "confirm", "rowid": [str(suggested[("2026-09", "warning")])]})
    assert response.status_code == 403


def test_excellent_suggests_rewards_and_reopening_withdraws_undecided_ones_P_RP_1(
        app, db, as_role):
    staff_id = add_steward(app)
    client = as_role("supervisor1")
    run(client, "2026-09")
    made = assessment_of(app, staff_id, "2026-09")
    save_task(client, made.id, "96")
    confirm(client, made.id)
    with app.app_context():
        kinds = sorted(database.session.scalars(sa.select(RewardPenalty.kind).where(
            RewardPenalty.monthly_assessment_id == made.id)))
    assert kinds == ["bonus", "certificate", "promotion_eligibility"]
    client.post(SHEET.format(made.id), data={"operation": "reopen", "reason": "重新核对"})
    with app.app_context():
        assert database.session.scalar(sa.select(sa.func.count(RewardPenalty.id)).where(
            RewardPenalty.monthly_assessment_id == made.id)) == 0


def test_a_score_follows_the_policy_version_in_force_and_old_ones_stay_explained(
        app, db, as_role):
    """A version effective 1 October weighs satisfaction 40, collection 30, on time 20,
    task 10: E199's October becomes 0.4 × 80 + 0.3 × 70 + 0.2 × 50 + 0.1 × 90 = 72.00;
    September's confirmed scores keep the 2025 version."""
    staff_id = add_steward(app)
    hand_made_october(app, staff_id)
    admin = as_role("admin")
    old = one(app, PolicySetting, effective_from=date(2025, 1, 1))
    with app.app_context():
        database.session.add(PolicySetting(
            effective_from=date(2026, 10, 1), note="2026 Q4", weight_satisfaction=D("40"),
            weight_collection=D("30"), weight_on_time=D("20"), weight_task=D("10")))
        database.session.commit()
    client = as_role("supervisor1")
    run(client, "2026-10")
    made = assessment_of(app, staff_id, "2026-10")
    save_task(client, made.id, "90")
    done = assessment_of(app, staff_id, "2026-10")
    assert done.total == D("72.00")
    assert done.policy_id == one(app, PolicySetting, effective_from=date(2026, 10, 1)).id
    september = _all(app, "2026-09")
    assert all(one(app, MonthlyAssessment, id=pk).policy_id == old.id for pk, *_ in september)
    # the version that scored them cannot be changed any more
    data = form_data(app, "policy_setting", old.id, "admin") | {
        "weight_satisfaction": "50", "weight_collection": "15"}
    response = admin.post(f"/admin/policy-setting/edit/?id={old.id}", data=data)
    assert response.status_code == 200
    assert any("生效日期更晚的版本" in f for f in flashes(response))
    assert one(app, PolicySetting, id=old.id).weight_satisfaction == D("35.00")
    response = admin.post("/admin/policy-setting/delete/", data={"id": str(old.id)})
    assert one(app, PolicySetting, id=old.id) is not None


def test_the_annual_assessment_combines_the_year_P_ASM_2(app, db, as_role):
    """Confirmed at the start of the next year (a frozen clock: 6 January 2027)."""
    with time_machine.travel(datetime(2027, 1, 6, 2, 0, tzinfo=UTC), tick=False):
        _annual_confirmed_in_january(app, as_role("supervisor1"))


def _annual_confirmed_in_january(app, client):
    with app.app_context():
        annual = database.session.scalars(sa.select(AnnualAssessment).where(
            AnnualAssessment.year == 2026, AnnualAssessment.status == "draft",
            AnnualAssessment.staff.has(Staff.employee_no == "E101"))).one()
        totals = list(database.session.scalars(sa.select(MonthlyAssessment.total).where(
            MonthlyAssessment.staff_id == annual.staff_id, MonthlyAssessment.status ==
            "confirmed", MonthlyAssessment.period.like("2026-%"))))
    mean = (sum(totals) / len(totals)).quantize(D("0.01"))
    sheet = f"/admin/annual-assessment/sheet/?id={annual.id}"
    response = client.post(sheet, data={"operation": "confirm"})
    assert response.status_code == 200 and flashes(response)  # scores not entered yet
    client.post(sheet, data={"operation": "save", "owner_evaluation": "90",
                             "performance_score": "80"})
    assert client.post(sheet, data={"operation": "confirm"}).status_code == 302
    done = one(app, AnnualAssessment, id=annual.id)
    expected = (D("0.60") * mean + D("0.25") * 90 + D("0.15") * 80).quantize(D("0.01"))
    assert (done.monthly_mean, done.total, done.status) == (mean, expected, "confirmed")
    response = client.post(sheet, data={"operation": "save", "owner_evaluation": "10",
                                        "performance_score": "10"})
    assert one(app, AnnualAssessment, id=annual.id).total == expected


@pytest.mark.parametrize("typed", ["abc", "101", "-1", "NaN"])
def test_a_bad_score_is_refused_with_a_message(app, db, as_role, typed):
    client = as_role("supervisor1")
    with app.app_context():
        draft = database.session.scalars(sa.select(MonthlyAssessment).where(
            MonthlyAssessment.status == "draft",
            MonthlyAssessment.staff.has(Staff.employee_no == "E101"))).first()
        before = (draft.task_score, draft.version)
    response = save_task(client, draft.id, typed)
    assert response.status_code == 200 and flashes(response)
    after = one(app, MonthlyAssessment, id=draft.id)
    assert (after.task_score, after.version) == before
