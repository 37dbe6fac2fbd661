"""The duties the back office serves by keeping their record: events, procedures, patrols,
incidents, summaries, training, transfers, meetings, external bodies, contacts with owners.
Each is written through the pages by the role the policy gives it, and reaches the people
who should read it and no one else (docs/policy-rules.md)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from extensions import db as database
from models import (
    Bill,
    Ownership,
    Procedure,
    ProcedureStep,
    Staff,
    TicketEvent,
    TrainingProgram,
    TrainingSession,
    Unit,
    User,
)

from .helpers import all_ids, flashes, form_data, one, overrides, row, scoped_ids, url


def staff_id(app, username: str) -> int:
    with app.app_context():
        return database.session.scalar(sa.select(User.staff_id).where(User.username == username))


def record(app, client, entity: str, username: str, **changes) -> int:
    """Create a record of `entity` through its form as `username`: a copy of one of their
    own rows with `changes`. Returns the new row's id."""
    sample = scoped_ids(app, entity, username)[0]
    data = form_data(app, entity, sample, username) | changes
    response = client.post(url(entity, "new/"), data=data)
    assert response.status_code == 302, flashes(response)
    return max(all_ids(app, entity))


def readers(app, entity: str, row_id: int) -> set[str]:
    """The demo accounts whose list of `entity` holds the row."""
    return {name for name in ("admin", "hr", "supervisor1", "supervisor2", "steward1",
                              "steward2", "steward4")
            if _reads(app, entity, name) and row_id in scoped_ids(app, entity, name)}


def _reads(app, entity: str, username: str) -> bool:
    from access import ENTITIES

    with app.app_context():
        role = database.session.scalar(sa.select(User.role).where(User.username == username))
    return ENTITIES[entity].grant(role).allows("R")


# steward1 and steward2 are supervisor1's team; steward4 is supervisor2's.
TEAM_OF_STEWARD1 = {"admin", "supervisor1", "steward1"}


def test_everything_of_a_unit_reaches_its_one_steward_and_no_other_P_SCOPE_2(app, db):
    me = staff_id(app, "steward1")
    with app.app_context():
        unit = database.session.scalars(sa.select(Unit).where(Unit.steward_id == me)
                                        .order_by(Unit.id)).first()
        ownerships = database.session.scalars(
            sa.select(Ownership).where(Ownership.unit_id == unit.id)).all()
        owners = {o.owner_id for o in ownerships}
        bills = set(database.session.scalars(sa.select(Bill.id).where(Bill.unit_id == unit.id)))
    assert owners and bills
    for entity, ids in (("unit", {unit.id}), ("owner", owners), ("bill", bills),
                        ("ownership", {o.id for o in ownerships})):
        assert ids <= set(scoped_ids(app, entity, "steward1")), entity
        for other in ("steward2", "steward4"):
            assert not ids & set(scoped_ids(app, entity, other)), (entity, other)


def test_a_steward_records_keeping_the_owner_informed_in_the_tickets_history(app, db, as_role):
    """P-TKT-4: a contact with the owner is a ticket event without a status change; it shows
    on the ticket's handling page, and the ticket's status is untouched."""
    client = as_role("steward1")
    sample = scoped_ids(app, "ticket_event", "steward1")[0]
    ticket_id = row(app, "ticket_event", sample)["ticket_id"]
    status = row(app, "ticket", ticket_id)["status"]
    data = form_data(app, "ticket_event", sample, "steward1") | {
        "from_status": "__None", "to_status": "__None",
        "note": "已电话告知业主：师傅明早九点上门"}
    response = client.post(url("ticket_event", "new/"), data=data)
    assert response.status_code == 302, flashes(response)
    made = one(app, TicketEvent, note="已电话告知业主：师傅明早九点上门")
    assert (made.ticket_id, made.from_status, made.to_status) == (ticket_id, None, None)
    assert row(app, "ticket", ticket_id)["status"] == status
    page = client.get(f"/admin/ticket/step/?id={ticket_id}").get_data(as_text=True)
    assert "已电话告知业主：师傅明早九点上门" in page
    # another steward's ticket takes no note of this steward's
    assert made.id not in scoped_ids(app, "ticket_event", "steward2")


def test_a_steward_records_a_community_event_of_their_project_P_COORD_2(app, db, as_role):
    made = record(app, as_role("steward1"), "community_event", "steward1",
                  title="中秋业主座谈会", kind="owner_forum", attendees="35")
    assert (row(app, "community_event", made)["kind"], readers(app, "community_event", made)) \
        == ("owner_forum", TEAM_OF_STEWARD1)


def test_safety_education_for_owners_is_a_kind_of_community_event_P_SEC_3(app, db, as_role):
    made = record(app, as_role("steward1"), "community_event", "steward1",
                  title="冬季消防安全宣传", kind="safety_education")
    assert row(app, "community_event", made)["kind"] == "safety_education"
    assert readers(app, "community_event", made) == TEAM_OF_STEWARD1


def test_a_renovation_is_followed_from_start_to_completion_P_COORD_3(app, db, as_role):
    """Opened through the form, it reaches the steward's team only; it completes on its
    steps page once its checklist's steps are done (tests/test_procedures_web.py)."""
    client = as_role("steward1")
    made = record(app, client, "procedure", "steward1", kind="renovation",
                  started_on="2026-11-02", deposit="2000.00",
                  unit=overrides(app, "procedure")["unit"])
    assert readers(app, "procedure", made) == TEAM_OF_STEWARD1
    page = url("procedure", f"step/?id={made}")
    assert client.post(page, data={"op": "complete"}).status_code == 200
    assert one(app, Procedure, id=made).status == "open"
    with app.app_context():
        steps = database.session.scalars(sa.select(ProcedureStep.id).where(
            ProcedureStep.procedure_id == made)).all()
    for step in steps:
        assert client.post(page, data={"op": "done", "step": str(step)}).status_code == 302
    assert client.post(page, data={"op": "complete"}).status_code == 302
    assert one(app, Procedure, id=made).status == "completed"


def test_a_patrol_and_the_hazard_it_found_handed_to_security_P_SEC_1(app, db, as_role):
    client = as_role("steward1")
    patrol = record(app, client, "patrol", "steward1", area="3 号楼消防通道",
                    findings="通道堆放杂物")
    hazard = record(app, client, "hazard", "steward1", patrol=str(patrol),
                    location="3 号楼消防通道", description="杂物堵塞消防通道",
                    severity="high", status="handling", handled_by="security")
    assert row(app, "hazard", hazard)["patrol_id"] == patrol
    assert row(app, "hazard", hazard)["handled_by"] == "security"
    for entity, made in (("patrol", patrol), ("hazard", hazard)):
        assert readers(app, entity, made) == TEAM_OF_STEWARD1


def test_an_emergency_is_recorded_with_its_kind_and_the_actions_taken_P_SEC_2(
        app, db, as_role):
    made = record(app, as_role("steward1"), "incident", "steward1", kind="natural_disaster",
                  description="暴雨致地库进水", actions_taken="关闭地库入口，抽水")
    assert (row(app, "incident", made)["kind"], row(app, "incident", made)["actions_taken"]) \
        == ("natural_disaster", "关闭地库入口，抽水")
    assert readers(app, "incident", made) == TEAM_OF_STEWARD1


def test_a_monthly_summary_reaches_the_supervisor_who_comments_on_it_P_LOG_2(
        app, db, as_role):
    made = record(app, as_role("steward1"), "summary", "steward1", kind="monthly",
                  period_start="2026-09-01", problems="报修集中在 3 号楼",
                  improvements="与工程部约定每周巡检")
    assert readers(app, "summary", made) == TEAM_OF_STEWARD1
    data = form_data(app, "summary", made, "supervisor1") | {"supervisor_comment": "同意"}
    response = as_role("supervisor1").post(url("summary", f"edit/?id={made}"), data=data)
    assert response.status_code == 302, flashes(response)
    assert (row(app, "summary", made)["supervisor_comment"], row(app, "summary", made)[
        "problems"]) == ("同意", "报修集中在 3 号楼")


def _session_of(app, kind: str) -> int:
    with app.app_context():
        program = database.session.scalar(sa.select(TrainingProgram).where(
            TrainingProgram.kind == kind))
        if program is None:
            program = TrainingProgram(name=f"测试{kind}培训", kind=kind)
            database.session.add(program)
        found = TrainingSession(program=program, starts_on=date(2026, 11, 3))
        database.session.add(found)
        database.session.commit()
        return found.id


def _newcomer(app) -> Staff:
    return one(app, Staff, employee_no="E107")


def _exam(client, app, session_id: int, score: str) -> None:
    response = client.post(url("training_result", "new/"), data={
        "session": str(session_id), "staff": str(_newcomer(app).id),
        "taken_on": "2026-11-18", "exam_score": score})
    assert response.status_code == 302, flashes(response)


def _put_on_duty(client, app) -> None:
    client.post(url("staff", "action/"), data={
        "action": "put_on_duty", "rowid": [str(_newcomer(app).id)]})


def test_only_the_onboarding_training_opens_the_way_to_duty_P_TRN_1(app, db, as_role):
    """A newcomer who passed a periodic course still has the onboarding training to take;
    passing its exam puts them on duty."""
    hr = as_role("hr")
    _exam(hr, app, _session_of(app, "periodic"), "95")
    _put_on_duty(hr, app)
    assert _newcomer(app).status == "onboarding"
    _exam(hr, app, _session_of(app, "onboarding"), "80")
    _put_on_duty(hr, app)
    assert _newcomer(app).status == "on_duty"


def test_periodic_and_industry_training_are_recorded_and_read_by_the_steward(
        app, db, as_role):
    """P-TRN-3 periodic training, P-TRN-4 industry training: HR records the attendance of an
    on-duty steward; the steward reads their own record, another steward does not."""
    hr = as_role("hr")
    me = staff_id(app, "steward1")
    for kind in ("periodic", "industry"):
        response = hr.post(url("training_result", "new/"), data={
            "session": str(_session_of(app, kind)), "staff": str(me),
            "taken_on": "2026-11-10", "exam_score": ""})
        assert response.status_code == 302, flashes(response)
        made = max(all_ids(app, "training_result"))
        assert row(app, "training_result", made)["staff_id"] == me
        assert made in scoped_ids(app, "training_result", "steward1")
        assert made not in scoped_ids(app, "training_result", "steward2")
    assert one(app, Staff, id=me).status == "on_duty"


def test_hr_records_a_transfer_to_another_department_P_CAR_2(app, db, as_role):
    me = staff_id(app, "steward1")
    made = record(app, as_role("hr"), "career_move", "hr", staff=str(me), kind="transfer",
                  from_position="steward", to_position="other",
                  to_department="customer_service", effective_on="2026-12-01",
                  reason="本人意愿，擅长客户关系")
    assert (row(app, "career_move", made)["kind"], row(app, "career_move", made)[
        "to_department"]) == ("transfer", "customer_service")
    assert made in scoped_ids(app, "career_move", "steward1")
    assert made not in scoped_ids(app, "career_move", "steward2")
    response = as_role("steward1").post(url("career_move", "new/"), data={})
    assert response.status_code == 403


def test_a_coordination_meeting_keeps_minutes_and_action_items_P_COM_2(app, db, as_role):
    """A supervisor holds a meeting and gives an item to a steward from the meeting's page;
    the steward reads it there, and the meeting stays the holder's to change."""
    holder = as_role("supervisor1")
    made = record(app, holder, "meeting", "supervisor1", title="12 月工作协调会",
                  kind="coordination", minutes="3 号楼漏水由工程部负责")
    page = holder.get(url("meeting", f"details/?id={made}")).get_data(as_text=True)
    assert f"/admin/action-item/new/?meeting={made}" in page.replace("&amp;", "&")
    response = holder.post(url("action_item", f"new/?meeting={made}"), data={
        "meeting": str(made), "what": "工程部：周五前完成维修",
        "responsible": str(staff_id(app, "steward1")), "due_on": "2026-12-04",
        "status": "open"})
    assert response.status_code == 302, flashes(response)
    page = as_role("steward1").get(url("meeting", f"details/?id={made}"))
    assert "工程部：周五前完成维修" in page.get_data(as_text=True)
    data = form_data(app, "meeting", made, "admin")
    assert as_role("steward1").post(url("meeting", f"edit/?id={made}"),
                                    data=data).status_code == 403


def test_the_external_bodies_the_policy_names_are_kept_for_every_steward_P_COM_3(
        app, db, as_role):
    admin = as_role("admin")
    for kind in ("residents_committee", "police_station", "fire_department", "water_supply",
                 "power_supply", "gas_supply", "subdistrict_office"):
        made = record(app, admin, "external_body", "admin", name=f"测试单位-{kind}",
                      kind=kind, contact_person="张主任", phone="13900002222")
        assert row(app, "external_body", made)["kind"] == kind
        assert made in scoped_ids(app, "external_body", "steward4")
