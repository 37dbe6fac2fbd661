"""A unit's file and an owner's file (P-OWN-1, the owner archive), the lookup by room, name or
phone, and the unit pickers: each role sees exactly the rows its lists show, phones masked as
on the lists (P-REQ-5), and is refused another's unit or owner."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from extensions import db as database
from models import Bill, Building, Owner, Ownership, ReturnVisit, Ticket, Unit, User
from models.property_files import unit_label

from .helpers import counted_queries, flashes, scoped_ids, url

TODAY = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _demo_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _staff(app, username: str) -> int:
    with app.app_context():
        return database.session.scalar(sa.select(User.staff_id).where(User.username == username))


def _unit_with_owner(app, username: str) -> tuple[int, int]:
    """One of `username`'s units with a current owner who has a phone: (unit, owner)."""
    ids = scoped_ids(app, "unit", username)
    with app.app_context():
        unit_id, owner_id = database.session.execute(
            sa.select(Ownership.unit_id, Ownership.owner_id).where(
                Ownership.unit_id.in_(ids), Ownership.until.is_(None))
            .order_by(Ownership.unit_id)).first()
    return unit_id, owner_id


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _section(page: str, key: str) -> str:
    return page.split(f'id="file-{key}"')[1].split('class="card mb-3 file-section"')[0]


def test_a_stewards_unit_file_shows_its_people_bills_tickets_visits_and_history(app, db,
                                                                               as_role):
    unit_id, owner_id = _unit_with_owner(app, "steward1")
    page = _page(as_role("steward1").get(url("unit", f"file/?id={unit_id}")))
    with app.app_context():
        unit = database.session.get(Unit, unit_id)
        owner = database.session.get(Owner, owner_id)
        label, phone, name = unit_label(unit), owner.phone, owner.name
        steward = unit.steward.name
        codes = list(database.session.scalars(sa.select(Ticket.code).where(
            Ticket.unit_id == unit_id).order_by(Ticket.intake_at.desc()).limit(10)))
        periods = list(database.session.scalars(sa.select(Bill.period).where(
            Bill.unit_id == unit_id)))
        visited = database.session.scalars(sa.select(ReturnVisit).where(
            ReturnVisit.unit_id == unit_id, ReturnVisit.satisfaction.is_not(None))).first()
    assert f'id="file-title">{label}<' in page  # 项目 楼栋-房号
    people = _section(page, "people")
    assert name in people and f'href="tel:{phone}"' in people, "the steward calls the owner"
    assert steward in _section(page, "steward")
    assert re.findall(r">(T\d{6}-\d{4})<", _section(page, "tickets")) == codes
    bills = _section(page, "bills")
    assert "尚欠金额" in bills and max(periods) in bills
    if visited is not None:
        assert f"满意度 {visited.satisfaction}/5" in _section(page, "visits")
    assert 'id="file-history"' in page and "新建" in _section(page, "history")


def test_a_supervisor_sees_the_teams_unit_file_with_phones_masked_P_REQ_5(app, db, as_role):
    unit_id, owner_id = _unit_with_owner(app, "supervisor1")
    page = _page(as_role("supervisor1").get(url("unit", f"file/?id={unit_id}")))
    with app.app_context():
        phone = database.session.get(Owner, owner_id).phone
    assert phone not in page and f"{phone[:3]}****{phone[-4:]}" in page
    assert f"tel:{phone}" not in page and 'href="tel:1' not in _section(page, "people")
    owner_page = _page(as_role("supervisor1").get(url("owner", f"file/?id={owner_id}")))
    assert phone not in owner_page and f"{phone[:3]}****{phone[-4:]}" in owner_page


def test_an_owners_file_shows_their_units_and_calls_them_for_their_steward(app, db, as_role):
    unit_id, owner_id = _unit_with_owner(app, "steward1")
    page = _page(as_role("steward1").get(url("owner", f"file/?id={owner_id}")))
    with app.app_context():
        owner = database.session.get(Owner, owner_id)
        label, phone = unit_label(database.session.get(Unit, unit_id)), owner.phone
        tickets = database.session.scalar(sa.select(sa.func.count(Ticket.id)).where(
            Ticket.owner_id == owner_id))
    assert f'href="tel:{phone}"' in page.split('id="owner-phone"')[1].split("</li>")[0]
    units = _section(page, "units")
    assert label in units and f'/admin/unit/file/?id={unit_id}"' in units
    found = re.findall(r">(T\d{6}-\d{4})<", _section(page, "tickets"))
    assert len(found) == min(tickets, 10)


@pytest.mark.parametrize("entity", ["unit", "owner"])
def test_a_file_outside_ones_scope_is_refused(app, db, as_role, entity):
    """Another steward's unit or owner answers 403, as its details page does; roles that do
    not read units or owners (HR, department staff) are refused every file; a file that does
    not exist is a 404."""
    mine = set(scoped_ids(app, entity, "steward1"))
    theirs = next(pk for pk in scoped_ids(app, entity, "steward4") if pk not in mine)
    assert as_role("steward1").get(url(entity, f"file/?id={theirs}")).status_code == 403
    assert as_role("supervisor1").get(url(entity, f"file/?id={theirs}")).status_code == 403
    assert as_role("supervisor2").get(url(entity, f"file/?id={theirs}")).status_code == 200
    assert as_role("admin").get(url(entity, f"file/?id={theirs}")).status_code == 200
    for username in ("hr", "engineer1"):
        assert as_role(username).get(url(entity, f"file/?id={theirs}")).status_code == 403
    assert as_role("admin").get(url(entity, "file/?id=99999999")).status_code == 404
    assert as_role("admin").get(url(entity, "file/?id=abc")).status_code == 404


def test_a_files_sections_follow_the_lists_scope(app, db, as_role):
    """A ticket on the steward's unit that another steward handles is not on the steward's
    ticket list, so not in the unit's file either; the admin's file shows it."""
    unit_id, _owner = _unit_with_owner(app, "steward1")
    other = _staff(app, "steward4")
    with app.app_context():
        ticket = database.session.scalars(sa.select(Ticket).where(
            Ticket.unit_id == unit_id).order_by(Ticket.intake_at.desc())).first()
        code = ticket.code
        database.session.execute(sa.update(Ticket).where(Ticket.id == ticket.id)
                                 .values(steward_id=other))
        database.session.commit()
    assert code not in _page(as_role("steward1").get(url("unit", f"file/?id={unit_id}")))
    assert code in _page(as_role("admin").get(url("unit", f"file/?id={unit_id}")))


def test_new_links_open_the_form_with_this_unit_and_owner_chosen(app, db, as_role):
    """"+ new" is offered where the role may create: a steward tickets, visits and
    procedures, not bills or ownerships (the admin's); the form opens with the unit and its
    owner chosen, and comes back to the file once saved."""
    unit_id, owner_id = _unit_with_owner(app, "steward1")
    steward = as_role("steward1")
    page = _page(steward.get(url("unit", f"file/?id={unit_id}")))
    new = {}
    for key in ("people", "bills", "reminders", "tickets", "visits", "procedures"):
        found = re.search(r'class="btn btn-sm btn-outline-primary file-new" href="([^"]+)"',
                          _section(page, key))
        if found:
            new[key] = found.group(1).replace("&amp;", "&")
    assert set(new) >= {"tickets", "visits", "procedures"}
    assert "bills" not in new and "people" not in new
    form = _page(steward.get(new["tickets"]))
    with app.app_context():
        label = unit_label(database.session.get(Unit, unit_id))
        owner = database.session.get(Owner, owner_id).name
    chosen = {json.loads(value.replace("&#34;", '"').replace("&quot;", '"'))[1]
              for value in re.findall(r"data-json=\"([^\"]+)\"", form) if value != "null"}
    assert label in chosen and owner in chosen
    assert f"url=/admin/unit/file/?id%3D{unit_id}" in new["tickets"]
    admin_page = _page(as_role("admin").get(url("unit", f"file/?id={unit_id}")))
    assert "/admin/bill/new/" in admin_page and "/admin/ownership/new/" in admin_page


def test_a_sections_list_link_shows_all_of_the_units_rows_and_only_those(app, db, as_role):
    unit_id, _owner = _unit_with_owner(app, "steward1")
    client = as_role("steward1")
    page = _page(client.get(url("unit", f"file/?id={unit_id}")))
    link = re.search(r'<a class="file-list" href="(/admin/bill/\?[^"]+)"',
                     _section(page, "bills")).group(1).replace("&amp;", "&")
    listed = _page(client.get(link + "&page_size=100"))
    with app.app_context():
        ids = set(database.session.scalars(sa.select(Bill.id).where(Bill.unit_id == unit_id)))
    shown = set(int(pk) for pk in re.findall(r"details/\?id=(\d+)", listed))
    assert shown == ids and len(ids) > 10
    bad = client.get(link.split("=")[0] + "=x")  # a typed-in value that is no file number
    assert bad.status_code == 200


def test_the_file_is_reached_from_lists_details_the_ticket_and_the_start_page(app, db,
                                                                             as_role):
    unit_id, owner_id = _unit_with_owner(app, "steward1")
    client = as_role("steward1")
    assert f"/admin/unit/file/?id={unit_id}" in _page(client.get(url("unit")))
    assert f"/admin/owner/file/?id={owner_id}" in _page(client.get(
        url("owner", f"details/?id={owner_id}")))
    with app.app_context():
        ticket_id = database.session.scalar(sa.select(Ticket.id).where(
            Ticket.unit_id == unit_id, Ticket.owner_id == owner_id).order_by(Ticket.id))
    handling = _page(client.get(url("ticket", f"step/?id={ticket_id}")))
    assert f'id="ticket-unit-file" href="/admin/unit/file/?id={unit_id}"' in handling
    assert f'id="ticket-owner-file" href="/admin/owner/file/?id={owner_id}"' in handling
    start = _page(client.get("/admin/"))
    assert 'id="landing-find"' in start and 'action="/admin/unit/find/"' in start
    assert 'id="landing-find"' not in _page(as_role("hr").get("/admin/"))


def test_a_file_page_reads_each_section_once(app, db, as_role):
    """The statements of a file do not grow with what the unit holds: one per section."""
    unit_id, owner_id = _unit_with_owner(app, "supervisor1")
    client = as_role("supervisor1")
    for entity, pk in (("unit", unit_id), ("owner", owner_id)):
        client.get(url(entity, f"file/?id={pk}"))  # warm the per-process caches
        with counted_queries() as statements:
            assert client.get(url(entity, f"file/?id={pk}")).status_code == 200
        assert len(statements) <= 14, (entity, len(statements))


def _natural(label: str) -> tuple:
    project, room = label.split(" ", 1)
    building, number = room.rsplit("-", 1)
    return project, len(building), building, len(number), number


def _in_natural_order(labels: list[str]) -> None:
    """Within each project (projects follow the database's collation), buildings and rooms
    in natural order: 2栋 before 10栋, 801 before 1801."""
    by_project: dict[str, list[str]] = {}
    for label in labels:
        by_project.setdefault(label.split(" ", 1)[0], []).append(label)
    for rows in by_project.values():
        assert rows == sorted(rows, key=_natural), rows


# ---- lookup ----------------------------------------------------------------------------------
def _find(client, text: str):
    return client.get(url("unit", "find/"), query_string={"q": text})


def _eighth_building(app, username: str) -> int:
    """A building 8栋 with a room 801 among `username`'s units (the demo's go to 6栋)."""
    with app.app_context():
        session = database.session
        me = session.scalar(sa.select(User.staff_id).where(User.username == username))
        first = session.scalars(sa.select(Unit).where(Unit.steward_id == me)
                                .order_by(Unit.id)).first()
        building = Building(project_id=first.building.project_id, name="8栋", floors=20)
        unit = Unit(building=building, number="801", floor=8, area=first.area, steward_id=me)
        session.add_all([building, unit])
        session.commit()
        return unit.id


def test_a_room_leads_straight_to_its_file(app, db, as_role):
    unit_id = _eighth_building(app, "steward1")
    client = as_role("steward1")
    for typed in ("8栋-801", "8-801", "8栋801", "锦绣花园 8栋-801"):
        response = _find(client, typed)
        assert response.status_code == 302, typed
        assert response.headers["Location"].endswith(f"/admin/unit/file/?id={unit_id}")
    # another steward's room is not found
    assert "未找到房屋" in _page(_find(as_role("steward4"), "8栋-801"))


def test_a_bare_room_number_lists_the_rooms_in_natural_order(app, db, as_role):
    page = _page(_find(as_role("admin"), "801"))
    found = re.findall(r'/admin/unit/file/\?id=\d+">([^<]+)<', page)
    assert len(found) > 1 and all(label.endswith("-801") for label in found)
    _in_natural_order(found)
    mine = as_role("steward1")
    me = _staff(app, "steward1")
    with app.app_context():
        rooms = database.session.scalar(sa.select(sa.func.count(Unit.id)).where(
            Unit.steward_id == me, Unit.number == "801"))
    if rooms == 1:
        assert _find(mine, "801").status_code == 302


def test_a_name_or_a_phone_finds_the_owner_P_REQ_5(app, db, as_role):
    """A name finds owners for every reader of owners; a phone (or its last four digits)
    only for a role that sees phones in full: a supervisor is told it cannot search by them
    and finds nobody by their digits."""
    _unit, owner_id = _unit_with_owner(app, "supervisor1")
    with app.app_context():
        owner = database.session.get(Owner, owner_id)
        name, phone = owner.name, owner.phone
        same_name = database.session.scalar(sa.select(sa.func.count(Owner.id)).where(
            Owner.name.contains(name)))
    admin, supervisor = as_role("admin"), as_role("supervisor1")
    target = f"/admin/owner/file/?id={owner_id}"
    assert _find(admin, phone).headers.get("Location", "").endswith(target)
    found = _find(supervisor, name)
    if same_name == 1:
        assert found.headers["Location"].endswith(target)
    else:
        assert target in _page(found)
    refused = _find(supervisor, phone)
    assert target not in _page(refused)
    assert any("不能按电话查找" in message for message in flashes(refused))
    by_end = _page(_find(supervisor, phone[-4:]))
    assert target not in by_end and "未找到业主" in by_end
    both = _find(admin, f"{name} {phone[-4:]}")  # a name and a phone's end: that owner
    assert both.headers.get("Location", "").endswith(target)


def test_lookup_takes_anything_typed(app, db, as_role):
    client = as_role("steward1")
    for typed in ("", "%", "_", "'; drop table unit; --", "8栋-" + "9" * 40, "x" * 900,
                  "－－", "#", "8栋-801 " * 100):
        assert _find(client, typed).status_code == 200, typed
    for typed in ("\u0000", "x" * 5000):  # refused for every page (errors.ARGUMENT_LIMIT)
        assert _find(client, typed).status_code == 400
    assert as_role("hr").get(url("unit", "find/?q=801")).status_code == 403
    assert as_role("engineer1").get(url("unit", "find/?q=801")).status_code == 403


# ---- the unit picker -------------------------------------------------------------------------
def _picked(client, query: str, offset: int = 0) -> list[tuple[int, str]]:
    response = client.get(url("ticket", "ajax/lookup/"), query_string={
        "name": "unit", "query": query, "offset": offset, "limit": 10})
    assert response.status_code == 200
    return [tuple(row) for row in response.get_json()]


def test_the_unit_picker_labels_project_building_room_and_searches_those_words(app, db,
                                                                              as_role):
    admin = as_role("admin")
    assert [label for _pk, label in _picked(admin, "锦绣花园 1栋-801")] == ["锦绣花园 1栋-801"]
    assert [label for _pk, label in _picked(admin, "1栋 801")] == [
        "锦绣花园 1栋-801", "锦绣花园 1栋-1801"]
    assert _picked(admin, "国贸")[0][1].startswith("国贸中心 A座-")


def test_the_unit_picker_pages_past_the_first_ten_in_natural_order(app, db, as_role):
    admin = as_role("admin")
    pages, offset = [], 0
    while True:
        page = _picked(admin, "1栋", offset)
        pages.extend(page)
        if len(page) < 10:
            break
        offset += 10
    with app.app_context():
        units = database.session.scalar(sa.select(sa.func.count(Unit.id)).join(Unit.building)
                                        .where(Building.name.contains("1栋")))
    assert len(pages) == units > 10
    labels = [label for _pk, label in pages]
    _in_natural_order(labels)
    assert labels[:3] == ["锦绣花园 1栋-101", "锦绣花园 1栋-102", "锦绣花园 1栋-201"]


def test_the_unit_picker_offers_only_ones_own_units(app, db, as_role):
    mine = set(scoped_ids(app, "unit", "steward1"))
    offered = {pk for pk, _label in _picked(as_role("steward1"), "801")}
    assert offered and offered <= mine
