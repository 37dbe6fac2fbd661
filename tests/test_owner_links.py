"""The owner's link to a request (P-TKT-4, P-TKT-5): signed, expiring after
OWNER_LINK_DAYS, revocable by giving the ticket a new nonce; a tampered one names nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from extensions import db as database
from models import Ticket
from models.base import utcnow
from services import owner_links


def _ticket():
    return database.session.scalars(sa.select(Ticket).order_by(Ticket.id)).first()


def test_a_link_names_its_ticket_until_it_expires(app, db):
    with app.test_request_context():
        ticket = _ticket()
        link = owner_links.link_for(ticket)
        database.session.commit()
        assert link.startswith("http://localhost:5000/o/")
        token = link.rsplit("/", 1)[1]
        assert owner_links.ticket_for(database.session, token).id == ticket.id
        later = utcnow() + timedelta(days=app.config["OWNER_LINK_DAYS"], minutes=1)
        with time_machine.travel(later, tick=False), pytest.raises(
                owner_links.LinkRefused) as refused:
            owner_links.ticket_for(database.session, token)
        assert refused.value.reason == "expired"


def test_a_tampered_or_revoked_link_opens_nothing(app, db):
    with app.test_request_context():
        ticket = _ticket()
        token = owner_links.token_for(ticket)
        database.session.commit()
        for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x", ""):
            with pytest.raises(owner_links.LinkRefused) as refused:
                owner_links.ticket_for(database.session, bad)
            assert refused.value.reason == "tampered"
        owner_links.revoke(ticket)
        database.session.commit()
        with pytest.raises(owner_links.LinkRefused) as refused:
            owner_links.ticket_for(database.session, token)
        assert refused.value.reason == "revoked"
        # the same ticket's new link works
        fresh = owner_links.token_for(ticket)
        assert owner_links.ticket_for(database.session, fresh).id == ticket.id
