"""Ticket numbers made at the same moment (issue 15: "numbering is unique under parallel
creates on PostgreSQL"): 24 tickets posted at once through the create form, each on its own
connection, all get distinct numbers of the month's series, one after another."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from extensions import db as database
from models import Ticket, Unit, User
from rules.numbering import SERIES, highest_count

from .conftest import login
from .helpers import flashes

pytestmark = pytest.mark.postgres

AT_ONCE = 24
NOVEMBER = date(2026, 11, 1)


def _together(calls):
    """Run each call on its own thread, all released at once; their results."""
    start, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, call):
        start.wait()
        try:
            results[i] = call()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[i] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    return results


def test_tickets_made_at_once_get_distinct_consecutive_numbers(app, db):
    with app.app_context():
        steward = database.session.scalar(sa.select(User.staff_id).where(
            User.username == "steward1"))
        unit_id = database.session.scalar(sa.select(Unit.id).where(Unit.steward_id == steward)
                                          .order_by(Unit.id))
        codes = database.session.scalars(sa.select(Ticket.code)).all()
    series = SERIES["ticket"]
    first = highest_count(series, NOVEMBER, codes) + 1
    clients = [login(app.test_client(), "steward1") for _ in range(AT_ONCE)]

    def create(client, n):
        return lambda: client.post("/admin/ticket/new/", data={
            "code": "", "channel": "phone", "unit": str(unit_id), "contact_name": "李女士",
            "contact_phone": "13900001111", "category": "repair",
            "description": f"同时受理 {n}", "intake_at": "2026-11-20 10:00"})

    responses = _together([create(client, n) for n, client in enumerate(clients)])
    assert all(r.status_code == 302 for r in responses), [flashes(r) for r in responses]
    with app.app_context():
        made = database.session.scalars(sa.select(Ticket.code).where(
            Ticket.description.like("同时受理 %"))).all()
    expected = {series.number(NOVEMBER, first + n) for n in range(AT_ONCE)}
    assert len(made) == AT_ONCE and set(made) == expected
