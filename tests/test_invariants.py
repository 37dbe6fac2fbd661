"""The invariants the fuzz harness and the race tests check do find broken data."""

from __future__ import annotations

import sqlalchemy as sa

from extensions import db as database

from .invariants import broken_invariants


def test_the_demo_company_is_whole(app, db):
    assert broken_invariants(app) == []


def test_a_bill_not_equal_to_its_payments_a_ticket_off_its_events_and_an_unaudited_change_are_found(
        app, db):
    with app.app_context():
        session = database.session
        session.execute(sa.text(
            "UPDATE bill SET paid_amount = amount, status = 'paid' WHERE id = "
            "(SELECT min(id) FROM bill WHERE status = 'unpaid')"))
        session.execute(sa.text(
            "UPDATE ticket SET status = 'closed' WHERE id = "
            "(SELECT min(id) FROM ticket WHERE status <> 'closed')"))
        session.execute(sa.text(
            "UPDATE owner SET version = version + 1 WHERE id = (SELECT min(id) FROM owner)"))
        session.commit()
    found = "\n".join(broken_invariants(app))
    assert "not the sum of its payments: 1" in found
    assert "ticket status is not its last event's: 1" in found
    assert "owner: 1 without an audit entry" in found
