"""The owner's link to a request (P-TKT-4, P-TKT-5): a short random code looked up in the
database, expiring OWNER_LINK_DAYS after the last message that carried it, revocable; an
unknown one names nothing; short enough to survive the SMS provider's 35-character
variables."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import time_machine

from extensions import db as database
from models import Ticket
from models.base import utcnow
from services import channels, owner_links


def _ticket():
    return database.session.scalars(sa.select(Ticket).order_by(Ticket.id)).first()


def test_a_link_names_its_ticket_until_it_expires_P_TKT_4(app, db):
    with app.test_request_context():
        ticket = _ticket()
        link = owner_links.link_for(ticket)
        database.session.commit()
        assert link.startswith("http://localhost:5000/o/")
        code = link.rsplit("/", 1)[1]
        assert len(code) == owner_links.CODE_LENGTH
        assert owner_links.ticket_for(database.session, code).id == ticket.id
        assert owner_links.ticket_for(database.session, code.upper()).id == ticket.id
        later = utcnow() + timedelta(days=app.config["OWNER_LINK_DAYS"], minutes=1)
        with time_machine.travel(later, tick=False), pytest.raises(
                owner_links.LinkRefused) as refused:
            owner_links.ticket_for(database.session, code)
        assert refused.value.reason == "expired"


def test_each_message_keeps_the_code_and_moves_its_expiry_P_TKT_4(app, db):
    with app.test_request_context():
        ticket = _ticket()
        code = owner_links.token_for(ticket)
        database.session.commit()
        days = app.config["OWNER_LINK_DAYS"]
        with time_machine.travel(utcnow() + timedelta(days=days - 1), tick=False):
            assert owner_links.token_for(ticket) == code  # the next message: same link
            database.session.commit()
        with time_machine.travel(utcnow() + timedelta(days=days + 2), tick=False):
            assert owner_links.ticket_for(database.session, code).id == ticket.id


def test_an_unknown_or_revoked_link_opens_nothing_P_TKT_4(app, db):
    with app.test_request_context():
        ticket = _ticket()
        code = owner_links.token_for(ticket)
        database.session.commit()
        other = "2" * owner_links.CODE_LENGTH if code != "2" * 10 else "3" * 10
        for bad in (other, code[:-1], "x", "", "../admin"):
            with pytest.raises(owner_links.LinkRefused) as refused:
                owner_links.ticket_for(database.session, bad)
            assert refused.value.reason == "tampered"
        owner_links.revoke(ticket)
        database.session.commit()
        with pytest.raises(owner_links.LinkRefused) as refused:
            owner_links.ticket_for(database.session, code)
        assert refused.value.reason == "tampered"  # no longer known
        # the next message carries a new link, which works
        fresh = owner_links.token_for(ticket)
        database.session.commit()
        assert fresh != code
        assert owner_links.ticket_for(database.session, fresh).id == ticket.id


def test_a_first_version_signed_link_works_until_the_ticket_gets_a_short_code(app, db):
    """Links sent before the short codes: a signed token naming the ticket's nonce then."""
    with app.test_request_context():
        ticket = _ticket()
        ticket.owner_link_nonce = "0123456789abcdef"
        database.session.commit()
        signed = owner_links._serializer().dumps({"t": ticket.id, "n": "0123456789abcdef"})
        assert owner_links.ticket_for(database.session, signed).id == ticket.id
        owner_links.token_for(ticket)  # the next message: a short code
        database.session.commit()
        with pytest.raises(owner_links.LinkRefused) as refused:
            owner_links.ticket_for(database.session, signed)
        assert refused.value.reason == "revoked"
        # the signature's first character changed (its last one carries spare bits: two last
        # characters can decode alike, so changing it left the token valid now and then)
        head, _, signature = signed.rpartition(".")
        tampered = f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
        with pytest.raises(owner_links.LinkRefused) as refused:
            owner_links.ticket_for(database.session, tampered)
        assert refused.value.reason == "tampered"


def test_the_link_survives_the_sms_path_whole(app, db, monkeypatch):
    """Aliyun cuts nothing but refuses variables over 35 characters; the adapter used to cut
    every variable to 35, the signed link with it (review of issue 14, finding 2)."""
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://wy.jinxiu.cn")
    sent = []

    def fake_get(url, params, timeout):
        sent.append(params)
        return SimpleNamespace(json=lambda: {"Code": "OK", "BizId": "1"})

    monkeypatch.setattr(channels.httpx, "get", fake_get)
    config = {"SMS_API_URL": "http://sms", "SMS_API_KEY": "k", "SMS_SIGNATURE": "锦绣物业"}
    with app.test_request_context():
        ticket = _ticket()
        link = owner_links.link_for(ticket)
        database.session.commit()
        message = SimpleNamespace(id=7, provider_template="SMS_1", variables=json.dumps(
            {"code": ticket.code, "link": link, "note": "长" * 50}))
        channels.Sms.send(message, "13812345678", config)
        params = json.loads(sent[0]["TemplateParam"])
        assert params["link"] == link and len(link) <= channels.SMS_VARIABLE_LIMIT
        assert len(params["note"]) == channels.SMS_VARIABLE_LIMIT
        opened = params["link"].rsplit("/", 1)[1]
        assert owner_links.ticket_for(database.session, opened).id == ticket.id
        # a PUBLIC_URL too long for the provider fails the message saying so, never cut
        message.variables = json.dumps({"link": "https://owners.a-long-company-name.com.cn"
                                                "/o/" + opened})
        with pytest.raises(channels.DeliveryError, match="shorten PUBLIC_URL"):
            channels.Sms.send(message, "13812345678", config)
