"""Rooms and buildings in natural order (issue 15, item 8): 101, 102, …, 1001, and 2栋 before
10栋, by a key the models keep (rules/ordering.py), in the unit list, its sort by room, the
building list and the arrears by household, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import html
import re
from datetime import date

import sqlalchemy as sa

from extensions import db as database
from models import Building, Project, Unit
from models.arrears import Filters, households
from rules.ordering import natural_key

from .helpers import url


def test_the_key_counts_digits_as_numbers():
    rooms = ["1001", "101", "B2", "b10", "102", "8栋", "10栋", "2栋", "A-12", "A-9", ""]
    assert sorted(rooms, key=natural_key) == [
        "", "2栋", "8栋", "10栋", "101", "102", "1001", "A-9", "A-12", "B2", "b10"]
    assert natural_key("801") == "0000000801" and natural_key(" B2 ") == "b0000000002"


def test_the_model_keeps_the_key_through_every_write(app, db):
    """Set with the number through the ORM (a form, an import), filled in by a Core insert
    that leaves it out (a bulk load), kept when the number changes."""
    with app.app_context():
        session = database.session
        project = session.scalar(sa.select(Project).order_by(Project.id))
        building = Building(project=project, name="12栋", floors=30)
        unit = Unit(building=building, number="1201", floor=12, area=90)
        session.add_all([building, unit])
        session.flush()
        session.execute(sa.insert(Unit), [{"building_id": building.id, "number": "301",
                                           "floor": 3, "area": 90, "usage": "vacant"}])
        unit.number = "1202"
        session.commit()
        keys = dict(session.execute(sa.select(Unit.number, Unit.number_key).where(
            Unit.building_id == building.id)).all())
        assert keys == {"1202": "0000001202", "301": "0000000301"}
        assert building.name_key == "0000000012栋"


def _listed_rooms(page: str) -> list[tuple[str, str]]:
    """(building, room) of each row of the unit list, in order."""
    rows = re.findall(r'<td class="col-building">(.*?)</td>.*?<td class="col-number">(.*?)</td>',
                      page, re.S)
    return [(" ".join(re.sub(r"<[^>]+>", " ", b).split()),
             " ".join(re.sub(r"<[^>]+>", " ", n).split())) for b, n in rows]


def test_the_unit_list_shows_rooms_in_natural_order(app, db, as_role):
    client = as_role("admin")
    rooms = _listed_rooms(client.get(url("unit", "?page_size=100")).get_data(as_text=True))
    first = [number for building, number in rooms if building == rooms[0][0]]
    assert len(first) > 12 and any(len(n) == 4 for n in first)  # 101 … 1004 in one building
    assert first == sorted(first, key=int), first
    # the room column's sort link sorts by the same key: 101 … 901 before 1001
    page = client.get(url("unit")).get_data(as_text=True)
    link = html.unescape(re.search(r'<a href="([^"]+)" title="按房号排序"', page).group(1))
    numbers = [n for _, n in _listed_rooms(client.get(link + "&page_size=100").get_data(
        as_text=True))]
    assert numbers == sorted(numbers, key=natural_key) and numbers[0] == "101", numbers[:12]


def test_the_building_list_puts_2_before_10(app, db, as_role):
    with app.app_context():
        project = database.session.scalar(sa.select(Project).where(Project.code == "JX"))
        database.session.add(Building(project=project, name="10栋", floors=18))
        database.session.commit()
    page = as_role("admin").get(url("building", "?page_size=100")).get_data(as_text=True)
    names = [" ".join(re.sub(r"<[^>]+>", " ", n).split()) for n in
             re.findall(r'<td class="col-name">(.*?)</td>', page, re.S)]
    assert names.index("2栋") < names.index("6栋") < names.index("10栋"), names


def test_households_overdue_as_long_are_listed_by_room(app, db):
    """Arrears: the longest overdue first; households overdue since the same day by building
    and room in natural order (1001 after 901, not after 101)."""
    today = date(2026, 11, 20)
    with app.app_context():
        found, _total = households(database.session, today, Filters(), None, limit=None,
                                   with_bills=False)
        by_day: dict[date, list[Unit]] = {}
        for household in found:
            by_day.setdefault(household.oldest_due, []).append(household.unit)
        assert list(by_day) == sorted(by_day)
        longest = max(by_day.values(), key=len)
        keys = [(unit.building_id, unit.number_key) for unit in longest]
        assert len(keys) > 10 and keys == sorted(keys)
        assert any(len(unit.number) == 4 for unit in longest)
