"""Ticket numbers made at the same moment (issue 15: "numbering is unique under parallel
creates on PostgreSQL"): tickets made at once, each on its own connection, all get distinct
numbers of the month's series, one after another — 24 written at once through the ORM (the
path every form, service and import takes: the number is given at flush), and a few posted
at once through the create form."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from extensions import db as database
from models import Ticket, Unit, User
from rules.numbering import SERIES, highest_count

from .conftest import login
from .helpers import flashes

pytestmark = pytest.mark.postgres

AT_ONCE = 24
# Each form post holds two of the app's pooled connections (its session's, and one for the
# CHECK rules, admin_views/form_checks.py): a process serves no more at once than its
# pool of 15 holds, as gunicorn's 4 threads a process do.
FORMS_AT_ONCE = 6
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


def _steward_unit(app) -> tuple[int, int, int]:
    """steward1's id, a unit of theirs, and the next count of November's series."""
    with app.app_context():
        steward = database.session.scalar(sa.select(User.staff_id).where(
            User.username == "steward1"))
        unit_id = database.session.scalar(sa.select(Unit.id).where(Unit.steward_id == steward)
                                          .order_by(Unit.id))
        codes = database.session.scalars(sa.select(Ticket.code)).all()
    return steward, unit_id, highest_count(SERIES["ticket"], NOVEMBER, codes) + 1


def _made(app, marker: str) -> list[str]:
    with app.app_context():
        return database.session.scalars(sa.select(Ticket.code).where(
            Ticket.description.like(f"{marker} %"))).all()


def test_tickets_written_at_once_get_distinct_consecutive_numbers(app, db):
    steward, unit_id, first = _steward_unit(app)
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], pool_size=AT_ONCE + 2)
    ready = threading.Barrier(AT_ONCE)

    def write(n):
        def run():
            with app.app_context(), Session(engine) as session:
                session.execute(sa.text("SELECT 1"))  # its own connection, taken first
                ready.wait()
                session.add(Ticket(unit_id=unit_id, steward_id=steward, contact_name="李女士",
                                   contact_phone="13900001111", description=f"同时写入 {n}",
                                   intake_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC)))
                session.commit()
        return run

    try:
        _together([write(n) for n in range(AT_ONCE)])
    finally:
        engine.dispose()
    expected = {SERIES["ticket"].number(NOVEMBER, first + n) for n in range(AT_ONCE)}
    made = _made(app, "同时写入")
    assert len(made) == AT_ONCE and set(made) == expected


def test_tickets_posted_at_once_through_the_form_get_distinct_consecutive_numbers(app, db):
    _steward, unit_id, first = _steward_unit(app)
    clients = [login(app.test_client(), "steward1") for _ in range(FORMS_AT_ONCE)]

    def create(client, n):
        return lambda: client.post("/admin/ticket/new/", data={
            "code": "", "channel": "phone", "unit": str(unit_id), "contact_name": "李女士",
            "contact_phone": "13900001111", "category": "repair",
            "description": f"同时受理 {n}", "intake_at": "2026-11-20 10:00"})

    responses = _together([create(client, n) for n, client in enumerate(clients)])
    assert all(r.status_code == 302 for r in responses), [flashes(r) for r in responses]
    expected = {SERIES["ticket"].number(NOVEMBER, first + n) for n in range(FORMS_AT_ONCE)}
    made = _made(app, "同时受理")
    assert len(made) == FORMS_AT_ONCE and set(made) == expected
