"""Delivery checks of the outbox (P-TKT-4, P-TKT-5, P-COM-1): a claim is still held when the
provider is called, the quiet hours, the owner's consent and the ticket's state are read again
when a message goes, and a malformed quiet-hours setting stops the app at startup."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

import settings
from extensions import db as database
from models import CommunityEvent, OutboxMessage, Owner
from services import notices, outbox
from services.tickets import take_step
from tests import test_notices
from tests.test_notices import _deliver, _messages, _new_ticket, _owner

providers = test_notices.providers  # the stand-in providers (a fixture)


def test_a_lost_claim_is_not_sent_P_TKT_4(app, providers):
    """A batch ran past its lease and another worker took the message over: the first worker
    does not call the provider for it (it would be sent twice)."""
    with app.test_request_context():
        ticket = _new_ticket(_owner("phone", phone="13800001111"))
        database.session.commit()
        [message] = _messages(ticket_id=ticket.id)
        token, now = uuid.uuid4().hex, outbox.utcnow()
        assert outbox._claim(database.session, now, 10, token, outbox.config()) == [message.id]
        later = now + timedelta(seconds=301)  # past the lease: another worker reclaimed it
        assert outbox._claim(database.session, later, 10, "other", outbox.config()) \
            == [message.id]
        assert outbox.deliver_one(database.session, message.id, token, outbox.config(),
                                  later) == "claim_lost"
        assert providers.sms == []
        database.session.expire_all()
        [message] = _messages(ticket_id=ticket.id)
        assert (message.status, message.claimed_by) == ("sending", "other")


def test_a_batch_fits_within_the_lease():
    """Every message of a claimed batch can be sent before the lease ends, even if each
    provider call takes its whole timeout."""
    assert outbox.batch_size({"NOTICE_LEASE_SECONDS": 300, "NOTICE_TIMEOUT_SECONDS": 10},
                             100) == 10
    assert outbox.batch_size({"NOTICE_LEASE_SECONDS": 30, "NOTICE_TIMEOUT_SECONDS": 60},
                             100) == 1
    assert outbox.batch_size({"NOTICE_LEASE_SECONDS": 3000, "NOTICE_TIMEOUT_SECONDS": 1},
                             3) == 3


def test_quiet_hours_hold_a_backlog_at_delivery_P_TKT_4(app, providers, monkeypatch):
    """A non-urgent message due before the quiet hours but delivered within them (a backlog,
    a retry) waits till they end; the wait is not counted as a try."""
    with time_machine.travel("2026-11-26 13:00:00+00:00", tick=False), \
            app.test_request_context():  # 21:00 in Shanghai: written and due at once
        ticket_id = _new_ticket(_owner("phone", phone="13500007777")).id
        database.session.commit()
    monkeypatch.setitem(app.config, "NOTICE_QUIET_HOURS", "22:00-08:00")
    with time_machine.travel("2026-11-26 15:30:00+00:00", tick=False), \
            app.app_context():  # 23:30: the worker catches up
        assert _deliver() == {"held": 1}
        [message] = _messages(ticket_id=ticket_id)
        assert (message.status, message.attempts) == ("pending", 0)
        assert message.next_attempt_at.isoformat() == "2026-11-27T00:00:00+00:00"
    assert providers.sms == []
    with time_machine.travel("2026-11-27 00:00:30+00:00", tick=False), app.app_context():
        assert _deliver() == {"sent": 1}


def test_an_owner_who_opts_out_before_delivery_gets_no_announcement_P_COM_1(app,
                                                                               providers):
    with app.test_request_context():
        event = database.session.scalars(sa.select(CommunityEvent).order_by(
            CommunityEvent.id)).first()
        assert notices.announce(database.session, event) > 0
        database.session.commit()
        first = _messages(event="community_event")[0]
        owner = database.session.get(Owner, first.owner_id)
        owner.notices_opt_out = True
        database.session.commit()
        found = _deliver()
        assert found["opted_out"] == 1
        assert database.session.get(OutboxMessage, first.id).status == "opted_out"


def test_a_rating_request_the_owner_answered_is_not_sent_P_TKT_5(app, providers,
                                                                   monkeypatch):
    """"Please rate", held by the quiet hours, is overtaken when the owner rated and the
    ticket closed before 08:00: it is not sent; the closing message is."""
    monkeypatch.setitem(app.config, "NOTICE_QUIET_HOURS", "22:00-08:00")
    with time_machine.travel("2026-11-26 15:00:00+00:00", tick=False), \
            app.test_request_context():  # 23:00 in Shanghai
        ticket = _new_ticket(_owner("phone", phone="13500008888"))
        for step, inputs in (("accept", {}), ("start", {}),
                             ("resolve", {"resolution": "已更换阀芯"}),
                             ("feedback", {"rating": 5}), ("close", {})):
            take_step(database.session, ticket, step, actor="steward1", **inputs)
        database.session.commit()
        ticket_id = ticket.id
    with time_machine.travel("2026-11-27 00:01:00+00:00", tick=False), app.app_context():
        assert _deliver() == {"overtaken": 2, "sent": 1}
        statuses = {m.event: m.status for m in _messages(ticket_id=ticket_id)}
    assert statuses == {"ticket_received": "overtaken", "ticket_resolved": "overtaken",
                        "ticket_closed": "sent"}
    assert len(providers.sms) == 1


def test_an_old_row_with_the_resolution_does_not_send_it(app, providers):
    """A 'resolved' message written before the resolution was withdrawn from messages keeps
    it in its row; it is not sent (not in the text, not among the SMS variables)."""
    with app.test_request_context():
        ticket = _new_ticket(_owner("phone", phone="13500009999"))
        for step, inputs in (("accept", {}), ("start", {}),
                             ("resolve", {"resolution": "维修工王师傅；业主态度差"})):
            take_step(database.session, ticket, step, actor="steward1", **inputs)
        database.session.commit()
        [resolved] = _messages(ticket_id=ticket.id, event="ticket_resolved")
        resolved.variables = json.dumps({**json.loads(resolved.variables),
                                         "resolution": "维修工王师傅；业主态度差"},
                                        ensure_ascii=False)
        database.session.execute(sa.update(OutboxMessage).where(
            OutboxMessage.ticket_id == ticket.id, OutboxMessage.id != resolved.id)
            .values(status="sent"))
        database.session.commit()
        assert _deliver() == {"sent": 1}
    assert "王师傅" not in json.dumps(providers.sms, ensure_ascii=False)


@pytest.mark.parametrize("value", ["22:00–08:00", "22:00-24:00", "22:00"])
def test_a_malformed_quiet_hours_setting_stops_the_start(value):
    """An en dash or an hour out of range is refused at startup with the setting's name, and
    `flask check-config` calls it INVALID — not a ValueError in every ticket save."""
    with pytest.raises(RuntimeError, match="STEWARD_NOTICE_QUIET_HOURS"):
        settings.from_environment({"STEWARD_NOTICE_QUIET_HOURS": value})
    lines, missing = settings.report({"STEWARD_NOTICE_QUIET_HOURS": value})
    assert any(line.startswith("STEWARD_NOTICE_QUIET_HOURS") and "INVALID" in line
               for line in lines)
    assert "STEWARD_NOTICE_QUIET_HOURS" in missing
    from app import create_app

    with pytest.raises(RuntimeError, match="STEWARD_NOTICE_QUIET_HOURS"):
        create_app({"NOTICE_QUIET_HOURS": value, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "SECRET_KEY": "test", "TESTING": True})


def test_an_empty_quiet_hours_setting_means_none():
    assert settings.from_environment({"STEWARD_NOTICE_QUIET_HOURS": ""}) \
        == {"NOTICE_QUIET_HOURS": ""}
    assert settings.from_environment({}) == {}


def test_a_wechat_message_carries_a_long_link_whole_P_TKT_4(app, providers, monkeypatch):
    """WeChat takes the link as the message's url, whole: the SMS limit of 35 characters a
    variable does not apply there, whatever the length of PUBLIC_URL."""
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://wuye-service.example-company.com.cn")
    with app.test_request_context():
        ticket = _new_ticket(_owner("wechat", openid="oLongLink01"))
        database.session.commit()
        _deliver()
        [message] = _messages(ticket_id=ticket.id)
        assert (message.status, message.channel) == ("sent", "wechat")
    [received] = providers.wechat
    assert received["url"].startswith("https://wuye-service.example-company.com.cn/o/")
