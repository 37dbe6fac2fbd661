"""Move-in, renovation and move-out procedures worked step by step through the pages
(P-COORD-3): the steps are the checklist in force on the start date, each records who did it
and when, and completing the procedure — only once every step is done — changes the unit
and its ownership in one change set."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
import time_machine

from extensions import db as database
from models import AuditEntry, Ownership, Procedure, ProcedureStep, Staff, Unit, User
from rules.procedures import DEFAULT_CHECKLISTS

from .conftest import login
from .helpers import all_ids, flashes, form_data, one, overrides, scoped_ids, url

NOON = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, the demo's "today"


def staff_of(app, username: str) -> int:
    with app.app_context():
        return database.session.scalar(sa.select(User.staff_id).where(User.username == username))


def free_unit(app, username: str, usage: str) -> tuple[int, int]:
    """One of the steward's units without a procedure, set to `usage`; and its owner."""
    me = staff_of(app, username)
    with app.app_context():
        busy = sa.select(Procedure.unit_id)
        unit = database.session.scalars(sa.select(Unit).where(
            Unit.steward_id == me, Unit.id.not_in(busy)).order_by(Unit.id)).first()
        unit.usage = usage
        owner = database.session.scalar(sa.select(Ownership.owner_id).where(
            Ownership.unit_id == unit.id, Ownership.until.is_(None)))
        database.session.commit()
        return unit.id, owner


def open_procedure(app, client, username: str, **fields) -> int:
    """A procedure opened through the create form as `username`; its id."""
    sample = scoped_ids(app, "procedure", username)[0]
    data = form_data(app, "procedure", sample, username) | overrides(app, "procedure") | {
        "deposit": "", "notes": ""} | {k: str(v) for k, v in fields.items()}
    response = client.post(url("procedure", "new/"), data=data)
    assert response.status_code == 302, flashes(response)
    return max(all_ids(app, "procedure"))


def steps(app, procedure_id: int) -> list[ProcedureStep]:
    with app.app_context():
        found = database.session.scalars(sa.select(ProcedureStep).where(
            ProcedureStep.procedure_id == procedure_id).order_by(ProcedureStep.position)).all()
        database.session.expunge_all()
        return found


def step_page(procedure_id: int) -> str:
    return url("procedure", f"step/?id={procedure_id}")


def mark_done(client, procedure_id: int, step_id: int, note: str = ""):
    return client.post(step_page(procedure_id), data={"op": "done", "step": str(step_id),
                                                      "note": note})


def complete(client, procedure_id: int):
    return client.post(step_page(procedure_id), data={"op": "complete"})


def test_a_move_in_completes_only_when_its_steps_are_done_and_changes_the_unit_P_COORD_3(
        app, db):
    """A move-in with a step left is refused, naming it, and changes nothing; with every
    step done it completes and, in the same change set, the unit is lived in and the owner
    moving in (not yet one of its owners) owns it from that day."""
    unit, _ = free_unit(app, "steward1", "vacant")
    newcomer = scoped_ids(app, "owner", "steward1")[-1]  # an owner of another of my units
    with time_machine.travel(NOON, tick=False):
        client = login(app.test_client(), "steward1")
        made = open_procedure(app, client, "steward1", kind="move_in", unit=unit,
                              owner=newcomer, started_on="2026-11-18")
        listed = steps(app, made)
        assert [s.name for s in listed] == list(DEFAULT_CHECKLISTS["move_in"])
        for step in listed[:-1]:
            assert mark_done(client, made, step.id, "已核对").status_code == 302

        response = complete(client, made)
        assert response.status_code == 200
        assert any("只有全部步骤完成后才能办结" in f and listed[-1].name in f
                   for f in flashes(response)), flashes(response)
        assert one(app, Procedure, id=made).status == "open"
        assert one(app, Unit, id=unit).usage == "vacant"
        assert one(app, Ownership, unit_id=unit, owner_id=newcomer) is None

        assert mark_done(client, made, listed[-1].id, "水 123 电 456").status_code == 302
        response = complete(client, made)
        assert response.status_code == 302, flashes(response)
        done = client.get(response.headers["Location"])
        assert any("手续已办结" in f for f in flashes(done)), flashes(done)

    procedure = one(app, Procedure, id=made)
    assert (procedure.status, procedure.completed_on) == ("completed", date(2026, 11, 20))
    assert one(app, Unit, id=unit).usage == "owner_occupied"
    owned = one(app, Ownership, unit_id=unit, owner_id=newcomer)
    assert (owned.since, owned.until) == (date(2026, 11, 20), None)
    with app.app_context():
        completion = database.session.scalar(sa.select(AuditEntry.change_set).where(
            AuditEntry.entity == "procedure", AuditEntry.entity_id == made,
            AuditEntry.action == "update", AuditEntry.changes.contains('"completed"')))
        together = set(database.session.execute(sa.select(
            AuditEntry.entity, AuditEntry.entity_id).where(AuditEntry.change_set == completion)))
    assert together == {("procedure", made), ("unit", unit), ("ownership", owned.id)}


def test_a_step_records_who_did_it_and_when_and_may_be_undone_while_open_P_COORD_3(
        app, db):
    me = staff_of(app, "steward1")
    made = next(pk for pk in scoped_ids(app, "procedure", "steward1")
                if one(app, Procedure, id=pk).status == "open")
    todo = next(s for s in steps(app, made) if s.done_at is None)
    with time_machine.travel(NOON, tick=False):
        client = login(app.test_client(), "steward1")
        assert mark_done(client, made, todo.id, "业主已签字确认").status_code == 302
    step = one(app, ProcedureStep, id=todo.id)
    assert (step.done_at, step.done_by_id, step.note) == (NOON, me, "业主已签字确认")
    page = client.get(step_page(made)).get_data(as_text=True)
    with app.app_context():
        name = database.session.get(Staff, me).name
    assert "业主已签字确认" in page and name in page and "2026-11-20" in page

    # marked twice: refused, as it was
    response = mark_done(client, made, todo.id, "again")
    assert response.status_code == 200 and one(app, ProcedureStep, id=todo.id).note != "again"
    # undone while open: to do again; its history keeps who marked it
    assert client.post(step_page(made), data={"op": "undo", "step": str(todo.id)}
                       ).status_code == 302
    step = one(app, ProcedureStep, id=todo.id)
    assert (step.done_at, step.done_by_id, step.note) == (None, None, None)
    details = client.get(url("procedure_step", f"details/?id={todo.id}")).get_data(as_text=True)
    assert "业主已签字确认" in details


def test_a_completed_procedures_steps_stay_as_they_are_P_COORD_3(app, db, as_role):
    made = next(pk for pk in scoped_ids(app, "procedure", "steward1")
                if one(app, Procedure, id=pk).status == "completed")
    step = steps(app, made)[0]
    client = as_role("steward1")
    response = client.post(step_page(made), data={"op": "undo", "step": str(step.id)})
    assert response.status_code == 200
    assert any("已不在办理中" in f for f in flashes(response)), flashes(response)
    assert one(app, ProcedureStep, id=step.id).done_at == step.done_at
    assert complete(client, made).status_code == 200


def test_steps_copy_the_checklist_in_force_on_the_start_date_P_COORD_3(app, db, as_role):
    """A new checklist from 1 December: a move-in started before it keeps the old steps, one
    started after takes the new ones; changing the checklist again leaves both as opened."""
    admin = as_role("admin")
    setting = scoped_ids(app, "policy_setting", "admin")[0]
    data = form_data(app, "policy_setting", setting, "admin") | {
        "effective_from": "2026-12-01",
        "checklist_move_in": "资料核验\r\n签订管理公约\r\n钥匙交付\r\n"}
    response = admin.post(url("policy_setting", "new/"), data=data)
    assert response.status_code == 302, flashes(response)
    december = max(all_ids(app, "policy_setting"))

    client = as_role("steward1")
    unit, owner = free_unit(app, "steward1", "vacant")
    before = open_procedure(app, client, "steward1", kind="move_in", unit=unit, owner=owner,
                            started_on="2026-11-30")
    after = open_procedure(app, client, "steward1", kind="move_in", unit=unit, owner=owner,
                           started_on="2026-12-01")
    assert [s.name for s in steps(app, before)] == list(DEFAULT_CHECKLISTS["move_in"])
    assert [s.name for s in steps(app, after)] == ["资料核验", "签订管理公约", "钥匙交付"]

    data = form_data(app, "policy_setting", december, "admin") | {"checklist_move_in": "只有一步"}
    response = admin.post(url("policy_setting", f"edit/?id={december}"), data=data)
    assert response.status_code == 302, flashes(response)
    assert [s.name for s in steps(app, after)] == ["资料核验", "签订管理公约", "钥匙交付"]
    assert len(steps(app, before)) == 4

    # a checklist of blank lines names no step: refused, nothing saved
    data["checklist_move_in"] = "\r\n  \r\n"
    response = admin.post(url("policy_setting", f"edit/?id={december}"), data=data)
    assert response.status_code == 200
    with app.app_context():
        from models import PolicySetting

        assert database.session.get(PolicySetting, december).checklist_move_in == "只有一步"


def test_a_steward_cannot_work_another_stewards_procedure_P_COORD_3(app, db, as_role):
    """Another steward neither opens nor works the steps page of steward1's procedure; the
    supervisor reads it but works nothing; nothing changes."""
    made = next(pk for pk in scoped_ids(app, "procedure", "steward1")
                if one(app, Procedure, id=pk).status == "open")
    todo = next(s for s in steps(app, made) if s.done_at is None)
    other = as_role("steward2")
    assert other.get(step_page(made)).status_code == 403
    assert mark_done(other, made, todo.id, "代办").status_code == 403
    assert complete(other, made).status_code == 403
    supervisor = as_role("supervisor1")
    page = supervisor.get(step_page(made))
    assert page.status_code == 200 and "标记完成" not in page.get_data(as_text=True)
    assert mark_done(supervisor, made, todo.id, "代办").status_code == 403
    assert one(app, ProcedureStep, id=todo.id).done_at is None
    assert todo.id not in scoped_ids(app, "procedure_step", "steward2")
    # nor another procedure's step through this procedure's page
    mine = next(pk for pk in scoped_ids(app, "procedure", "steward2")
                if one(app, Procedure, id=pk).status == "open")
    response = mark_done(as_role("steward2"), mine, todo.id, "借道")
    assert response.status_code == 404
    assert one(app, ProcedureStep, id=todo.id).done_at is None


def test_a_renovation_marks_its_unit_renovating_until_it_completes_P_COORD_3(app, db, as_role):
    client = as_role("steward1")
    unit, owner = free_unit(app, "steward1", "rented")
    made = open_procedure(app, client, "steward1", kind="renovation", unit=unit, owner=owner,
                          started_on="2026-11-02", deposit="2000.00")
    assert one(app, Unit, id=unit).usage == "renovating"
    for step in steps(app, made):
        assert mark_done(client, made, step.id).status_code == 302
    assert complete(client, made).status_code == 302
    assert one(app, Unit, id=unit).usage == "rented"  # as it was before

    again = open_procedure(app, client, "steward1", kind="renovation", unit=unit, owner=owner,
                           started_on="2026-11-10")
    assert one(app, Unit, id=unit).usage == "renovating"
    assert client.post(step_page(again), data={"op": "cancel"}).status_code == 302
    assert (one(app, Procedure, id=again).status, one(app, Unit, id=unit).usage) == (
        "cancelled", "rented")


def test_a_move_out_leaves_the_unit_vacant_and_ends_the_leaving_owners_ownership_P_COORD_3(
        app, db):
    unit, owner = free_unit(app, "steward1", "owner_occupied")
    with time_machine.travel(NOON, tick=False):
        client = login(app.test_client(), "steward1")
        made = open_procedure(app, client, "steward1", kind="move_out", unit=unit, owner=owner,
                              started_on="2026-11-19")
        assert [s.name for s in steps(app, made)] == list(DEFAULT_CHECKLISTS["move_out"])
        for step in steps(app, made):
            mark_done(client, made, step.id)
        assert complete(client, made).status_code == 302
    assert one(app, Unit, id=unit).usage == "vacant"
    assert one(app, Ownership, unit_id=unit, owner_id=owner).until == date(2026, 11, 20)


def test_kind_unit_and_start_date_are_fixed_once_opened_P_COORD_3(app, db, as_role):
    made = next(pk for pk in scoped_ids(app, "procedure", "steward1")
                if one(app, Procedure, id=pk).status == "open")
    client = as_role("steward1")
    page = client.get(url("procedure", f"edit/?id={made}")).get_data(as_text=True)
    assert 'name="kind"' not in page and 'name="started_on"' not in page
    data = form_data(app, "procedure", made, "steward1") | {"started_on": "2026-01-01"}
    before = one(app, Procedure, id=made)
    assert client.post(url("procedure", f"edit/?id={made}"), data=data).status_code == 200
    assert one(app, Procedure, id=made).started_on == before.started_on


def test_the_demo_has_procedures_of_each_kind_under_way_and_completed_P_COORD_3(app, db,
                                                                                 as_role):
    with app.app_context():
        found = database.session.scalars(sa.select(Procedure)).all()
        under_way = {p.kind for p in found if p.status == "open"
                     and any(s.done_at for s in p.steps) and not all(s.done_at for s in p.steps)}
        completed = {p.kind for p in found if p.status == "completed"}
    assert under_way == {"move_in", "renovation", "move_out"}
    assert completed == {"move_in", "move_out"}
    page = as_role("admin").get(url("procedure", "?page_size=50")).get_data(as_text=True)
    assert "装修" in page and "已完成" in page
