"""Messages to owners through the outbox (P-TKT-4, P-TKT-5, P-TKT-6, P-OWN-3, P-COM-1,
P-FEE-2), delivered to a real SMTP server and to local stand-ins for Aliyun SMS and the WeChat
Official Account API (tests/notice_servers.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from extensions import db as database
from models import (
    ArrearsReminder,
    Bill,
    CommunityEvent,
    OutboxMessage,
    Owner,
    Ownership,
    ReturnVisit,
    Ticket,
    TicketEvent,
)
from models.base import utcnow
from services import channels, notices, outbox
from services.tickets import take_step
from tests.conftest import ROOT
from tests.helpers import finish_dispatched
from tests.notice_servers import SMS_LIMITED, Providers, SmtpServer

TICKET_EVENTS = ["ticket_received", "ticket_dispatched", "ticket_progress", "ticket_resolved",
                 "ticket_reopened", "ticket_resolved", "ticket_closed"]


@pytest.fixture
def providers(app, db, monkeypatch):
    """The stand-ins, the app pointed at them, and an outbox without the demo's messages."""
    with SmtpServer() as smtp, Providers() as http:
        for key, value in {
            "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port, "SMTP_TLS": "none",
            "MAIL_FROM": "notices@jinxiu.example", "SMS_API_URL": f"{http.url}/sms",
            "SMS_API_KEY": "LTAI-test", "SMS_API_SECRET": "secret", "SMS_SIGNATURE": "锦绣物业",
            "WECHAT_APP_ID": "wx-test", "WECHAT_APP_SECRET": "s", "WECHAT_API_URL": http.url,
            "NOTICE_QUIET_HOURS": "", "NOTICE_CAPTURE": False,
        }.items():
            monkeypatch.setitem(app.config, key, value)
        channels.TOKENS.clear()
        with app.app_context():
            database.session.execute(sa.delete(OutboxMessage))
            database.session.commit()
        http.smtp = smtp
        yield http
        channels.TOKENS.clear()


def _owner(preferred: str, **addresses) -> Owner:
    """A demo owner with a unit, reachable as asked."""
    owner = database.session.scalars(sa.select(Owner).join(Ownership).order_by(Owner.id)
                                     .where(Owner.notices_opt_out.is_(False))).first()
    owner.preferred_channel = preferred
    owner.email = addresses.get("email")
    owner.wechat_openid = addresses.get("openid")
    if "phone" in addresses:
        owner.phone = addresses["phone"]
    return owner


def _new_ticket(owner: Owner, code: str = "T-NOTICE-1", urgent: bool = False) -> Ticket:
    unit = owner.ownerships[0].unit
    ticket = Ticket(code=code, owner=owner, unit=unit, steward=unit.steward, urgent=urgent,
                    contact_name=owner.name, contact_phone=owner.phone, category="repair",
                    description="厨房水管漏水")
    database.session.add(ticket)
    database.session.flush()
    return ticket


def _messages(**where) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    for key, value in where.items():
        query = query.where(getattr(OutboxMessage, key) == value)
    return list(database.session.scalars(query))


def _deliver(at=None) -> dict:
    found = outbox.deliver_due(database.session, now=at)
    database.session.expire_all()
    return found


def _whole_ticket_life(ticket: Ticket, each=lambda: None) -> None:
    """Every step that tells the owner, a poor rating among them (P-TKT-6); `each` runs
    after each one (the worker delivering as the ticket goes)."""
    take_step(database.session, ticket, "accept", actor="steward1")
    take_step(database.session, ticket, "start", actor="steward1", department="engineering")
    each()
    database.session.add(TicketEvent(ticket=ticket, note="师傅明早九点上门。",
                                     shared_with_owner=True))
    database.session.add(TicketEvent(ticket=ticket, note="内部：配件缺货"))  # not for the owner
    database.session.flush()
    each()
    finish_dispatched(database.session, ticket)
    for resolution, rating in (("已更换水管。维修工王师傅13900001111；业主态度差", 2),
                               ("已返修", 5)):
        take_step(database.session, ticket, "resolve", actor="steward1",
                  resolution=resolution)
        each()
        take_step(database.session, ticket, "feedback", actor="steward1", rating=rating)
        each()
    take_step(database.session, ticket, "close", actor="steward1")


def test_a_tickets_life_sends_one_wechat_message_per_event(app, providers):
    """P-TKT-4, P-TKT-5, P-TKT-6: received, dispatched, the note marked for the owner,
    resolved (asking for a rating), reopened after a poor rating, resolved, closed — each
    once, as the ticket goes, on WeChat, the owner's preferred channel, with its template id
    and the owner's link; the access token is fetched once and kept. The resolution text is
    the staff's: no message carries it; a note's own full stop is not doubled."""
    with app.test_request_context():
        owner = _owner("wechat", openid="oOwner0001")
        ticket = _new_ticket(owner)
        database.session.commit()
        outcomes = [_deliver()]
        _whole_ticket_life(ticket, each=lambda: outcomes.append(_deliver()))
        database.session.commit()
        outcomes.append(_deliver())
        assert [m.event for m in _messages(ticket_id=ticket.id)] == TICKET_EVENTS
        assert [o for o in outcomes if o] == [{"sent": 1}] * len(TICKET_EVENTS)
        sent = _messages(ticket_id=ticket.id)
    assert {m.status for m in sent} == {"sent"} and {m.channel for m in sent} == {"wechat"}
    assert providers.tokens == 1
    received = providers.wechat
    assert [r["client_msg_id"] for r in received] == [f"steward-outbox-{m.id}" for m in sent]
    assert {r["touser"] for r in received} == {"oOwner0001"}
    assert {r["access_token"] for r in received} == {"ACCESS_TOKEN_1"}
    assert received[0]["template_id"] == "TM10001"  # the demo's template for "received"
    assert received[0]["data"]["code"]["value"] == "T-NOTICE-1"
    assert all("/o/" in r["url"] for r in received)
    assert received[2]["data"]["note"]["value"] == "师傅明早九点上门"
    assert "。。" not in sent[2].body and "师傅明早九点上门。" in sent[2].body
    everything = json.dumps(received, ensure_ascii=False) + "".join(m.body for m in sent)
    assert "配件缺货" not in everything
    assert "王师傅" not in everything and "态度差" not in everything and "已返修" not in everything
    assert "维修" in sent[1].body or "工程" in sent[1].body  # the department, in Chinese
    assert "评分" in sent[3].body and "/o/" in sent[3].body
    assert "已收到" in sent[0].subject and "诉求" in sent[0].body
    assert providers.sms == [] and providers.smtp.mailbox.mails == []


def test_mail_for_a_planned_visit_and_sms_for_arrears(app, providers):
    """P-OWN-3 by email (the Message-ID is the message id), P-FEE-2 by SMS in Aliyun's
    SendSms shape (signed; OutId is the message id; the amount owed and the bills)."""
    with app.test_request_context():
        by_mail = _owner("email", email="owner@example.com")
        visit = ReturnVisit(owner=by_mail, planned_on=utcnow() + timedelta(days=2),
                            steward=by_mail.ownerships[0].unit.steward)
        database.session.add(visit)
        database.session.commit()
        bill = database.session.scalars(sa.select(Bill).where(
            Bill.status == "unpaid", Bill.owner_id.is_not(None), Bill.owner_id != by_mail.id)
            .order_by(Bill.due_date)).first()
        by_sms = bill.owner
        by_sms.preferred_channel, by_sms.phone = "phone", "13812345678"
        database.session.add(ArrearsReminder(bill=bill, method="phone", reason="unreachable"))
        database.session.commit()
        assert _deliver() == {"sent": 2}
        mail_message, sms_message = _messages()
        period = bill.period
    [mail] = providers.smtp.mailbox.mails
    assert mail["Message-ID"] == f"<steward-outbox-{mail_message.id}@jinxiu.example>"
    assert mail["To"].addresses[0].addr_spec == "owner@example.com"
    assert mail["Subject"] == "回访预约" and "回访" in mail.get_content()
    [sms] = providers.sms
    assert (sms["PhoneNumbers"], sms["SignName"], sms["Action"]) == (
        "13812345678", "锦绣物业", "SendSms")
    assert sms["OutId"] == f"steward-outbox-{sms_message.id}"
    params = json.loads(sms["TemplateParam"])
    assert params["amount"].startswith("¥") and period in params["bills"]
    unsigned = {k: v for k, v in sms.items() if k not in ("Signature", "_ok")}
    assert channels.aliyun_signed(unsigned, "secret")["Signature"] == sms["Signature"]
    assert sms_message.channel == "sms" and "物业费" in sms_message.body


def test_a_channel_falls_back_and_an_unconfigured_one_says_so(app, providers, monkeypatch,
                                                             as_role):
    """The owner prefers WeChat but has no OpenID: SMS. With no channel configured the
    message is 'not configured' on the ticket's page — never a crash."""
    with app.test_request_context():
        owner = _owner("wechat", phone="13900001111")
        ticket = _new_ticket(owner)
        database.session.commit()
        _deliver()
        [message] = _messages(ticket_id=ticket.id)
        assert (message.channel, message.status) == ("sms", "sent")
        for key in ("SMS_API_URL", "WECHAT_APP_ID", "SMTP_HOST"):
            monkeypatch.setitem(app.config, key, None)
        take_step(database.session, ticket, "accept", actor="steward1")
        take_step(database.session, ticket, "start", actor="steward1", department="cleaning")
        database.session.commit()
        assert _deliver() == {"not_configured": 1}
        steward = ticket.steward.user.username if getattr(ticket.steward, "user", None) else None
        ticket_id = ticket.id
    page = (as_role(steward) if steward else as_role("admin")).get(
        f"/admin/ticket/step/?id={ticket_id}")
    assert page.status_code == 200
    assert b"message-not_configured" in page.data and b"message-sent" in page.data


def test_a_provider_error_is_retried_then_fails_visibly(app, providers, monkeypatch, as_role):
    """Aliyun answers "business limit" each time: the message waits, is tried again after a
    growing delay, and after the last try is failed, with the provider's answer shown."""
    monkeypatch.setitem(app.config, "NOTICE_MAX_ATTEMPTS", 3)
    providers.sms_answer = SMS_LIMITED
    with app.test_request_context():
        ticket = _new_ticket(_owner("phone", phone="13700002222"))
        database.session.commit()
        now = utcnow()
        assert _deliver(now) == {"retry": 1}
        [message] = _messages(ticket_id=ticket.id)
        assert (message.status, message.attempts) == ("pending", 1)
        assert "isv.BUSINESS_LIMIT_CONTROL" in message.last_error
        assert _deliver(now) == {}  # not before its time
        assert _deliver(now + timedelta(seconds=61)) == {"retry": 1}
        assert _deliver(now + timedelta(seconds=61 + 239)) == {}
        assert _deliver(now + timedelta(seconds=61 + 241)) == {"failed": 1}
        [message] = _messages(ticket_id=ticket.id)
        assert (message.status, message.attempts) == ("failed", 3)
        assert _deliver(now + timedelta(days=2)) == {}
        ticket_id = ticket.id
    assert len(providers.sms) == 3 and providers.delivered("sms") == []
    page = as_role("admin").get(f"/admin/ticket/step/?id={ticket_id}")
    html = page.data.decode()
    assert "message-failed" in html and "服务商未接受此消息" in html  # explained in Chinese
    assert 'title="provider: ' in html and "isv.BUSINESS_LIMIT_CONTROL" in html  # raw: tooltip


def test_a_worker_that_stops_every_time_is_explained_in_chinese(app, providers, as_role):
    """The claim expired after the last try: the page says so in Chinese, not in English."""
    with app.test_request_context():
        ticket = _new_ticket(_owner("phone", phone="13700003333"))
        database.session.commit()
        database.session.execute(sa.update(OutboxMessage).where(
            OutboxMessage.ticket_id == ticket.id).values(
            status="sending", attempts=5, claimed_by="gone",
            claimed_until=utcnow() - timedelta(minutes=1)))
        database.session.commit()
        assert _deliver() == {}
        [message] = _messages(ticket_id=ticket.id)
        assert (message.status, message.last_error) == ("failed", outbox.WORKER_STOPPED)
        ticket_id = ticket.id
    html = as_role("admin").get(f"/admin/ticket/step/?id={ticket_id}").data.decode()
    assert "每次发送都被中断" in html and "the worker stopped" not in html


def test_a_rolled_back_change_sends_nothing(app, providers, as_role):
    """The outbox row is written with the change: rolled back (or refused), it is gone."""
    with app.test_request_context():
        owner = _owner("phone", phone="13600003333")
        _new_ticket(owner, code="T-ROLLED-BACK")
        assert len(_messages()) == 1  # in the transaction …
        database.session.rollback()
        assert _messages() == []  # … and gone with it
        ticket = database.session.scalars(sa.select(Ticket).where(
            Ticket.status == "in_progress", Ticket.owner_id.is_not(None))).first()
        ticket_id = ticket.id
    # a step the workflow refuses (closing a ticket in handling) writes no message either
    client = as_role("admin")
    client.post(f"/admin/ticket/step/?id={ticket_id}", data={"step": "close"})
    with app.app_context():
        assert _messages() == []
        assert _deliver() == {}
    assert providers.sms == [] and providers.wechat == []


def test_the_tell_the_owner_box_sends_the_note(app, providers, as_role):
    """P-TKT-4: a note marked "tell the owner" on the handling page is sent; one not marked
    stays inside."""
    with app.app_context():
        ticket = database.session.scalars(sa.select(Ticket).join(Ticket.steward).where(
            Ticket.status == "in_progress", Ticket.owner_id.is_not(None))).first()
        ticket_id, owner_id = ticket.id, ticket.owner_id
        username = "admin"
    client = as_role(username)
    client.post(f"/admin/ticket/step/?id={ticket_id}",
                data={"step": "note", "note": "内部备注：等配件"})
    client.post(f"/admin/ticket/step/?id={ticket_id}",
                data={"step": "note", "note": "明天上午上门维修", "tell_owner": "y"})
    with app.app_context():
        [message] = _messages(ticket_id=ticket_id)
        assert (message.event, message.owner_id) == ("ticket_progress", owner_id)
        assert "明天上午上门维修" in message.body
        notes = database.session.scalars(sa.select(TicketEvent).where(
            TicketEvent.ticket_id == ticket_id, TicketEvent.note.is_not(None))
            .order_by(TicketEvent.id.desc()).limit(2)).all()
        assert [n.shared_with_owner for n in notes] == [True, False]


def test_an_announcement_reaches_each_owner_once_and_respects_consent(app, providers):
    """P-COM-1: the community event goes to each current owner of the project once, however
    often it is announced; an owner who opted out of non-essential notices gets none, but
    still hears about their own ticket (essential)."""
    with app.test_request_context():
        event = database.session.scalars(sa.select(CommunityEvent).order_by(
            CommunityEvent.id)).first()
        first = notices.announce(database.session, event)
        database.session.commit()
        assert first > 0 and notices.announce(database.session, event) == 0
        owners = [m.owner_id for m in _messages(event="community_event")]
        assert len(owners) == len(set(owners)) == first
        opted = database.session.get(Owner, owners[0])
        opted.notices_opt_out = True
        database.session.execute(sa.delete(OutboxMessage))
        database.session.commit()
        assert notices.announce(database.session, event) == first - 1
        assert opted.id not in [m.owner_id for m in _messages(event="community_event")]
        _new_ticket(opted, code="T-OPTED-OUT")
        database.session.commit()
        assert [m.event for m in _messages(owner_id=opted.id)] == ["ticket_received"]


def test_an_event_for_one_building_reaches_only_its_owners_P_COM_1(app, providers):
    """An event naming a building is announced to that building's current owners only; a
    building of another project is refused with the reason."""
    from models import Building, Unit
    from rules.refusal import Refused

    with app.test_request_context():
        event = database.session.scalars(sa.select(CommunityEvent).order_by(
            CommunityEvent.id)).first()
        building = database.session.scalars(sa.select(Building).where(
            Building.project_id == event.project_id).order_by(Building.id)).first()
        event.building = building
        database.session.commit()
        written = notices.announce(database.session, event)
        database.session.commit()
        told = {m.owner_id for m in _messages(event="community_event")}
        in_building = set(database.session.scalars(
            sa.select(Ownership.owner_id).join(Unit, Unit.id == Ownership.unit_id)
            .where(Unit.building_id == building.id, Ownership.until.is_(None))))
        assert written == len(told) > 0 and told <= in_building
        elsewhere = database.session.scalars(sa.select(Building).where(
            Building.project_id != event.project_id)).first()
        event.building = elsewhere
        with pytest.raises(Refused):
            database.session.flush()
        database.session.rollback()


def test_quiet_hours_hold_a_non_urgent_message_till_morning(app, providers, monkeypatch):
    """A non-urgent message written at 23:00 company time waits till 08:00; an urgent one
    goes at once."""
    import time_machine

    monkeypatch.setitem(app.config, "NOTICE_QUIET_HOURS", "22:00-08:00")
    with time_machine.travel("2026-11-26 15:00:00+00:00", tick=False), \
            app.test_request_context():
        owner = _owner("phone", phone="13500004444")
        calm = _new_ticket(owner, code="T-QUIET-1")
        urgent = _new_ticket(owner, code="T-QUIET-2", urgent=True)
        database.session.commit()
        [held] = _messages(ticket_id=calm.id)
        [now] = _messages(ticket_id=urgent.id)
        assert held.next_attempt_at.isoformat() == "2026-11-27T00:00:00+00:00"
        assert now.next_attempt_at.isoformat() == "2026-11-26T15:00:00+00:00"
        assert _deliver() == {"sent": 1}


def test_a_worker_killed_mid_delivery_neither_loses_nor_doubles(app, store, providers):
    """`flask deliver-messages` is killed while the SMS provider holds its request: the
    message stays claimed; once the claim expires the next run sends it again under the same
    OutId, which the provider recognises — one message delivered, none lost."""
    with app.test_request_context():
        ticket = _new_ticket(_owner("phone", phone="13400005555"))
        database.session.commit()
        [message] = _messages(ticket_id=ticket.id)
        message_id = message.id
    providers.hang = True
    env = {**os.environ, "FLASK_APP": "app.py", "STEWARD_DATABASE_URL": store.url,
           "STEWARD_SMS_API_URL": f"{providers.url}/sms", "STEWARD_SMS_API_KEY": "LTAI-test",
           "STEWARD_SMS_API_SECRET": "secret", "STEWARD_SMS_SIGNATURE": "锦绣物业",
           "STEWARD_NOTICE_QUIET_HOURS": "", "STEWARD_NOTICE_LEASE_SECONDS": "30",
           "STEWARD_NOTICE_TIMEOUT_SECONDS": "60", "STEWARD_LOG_LEVEL": "WARNING"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "deliver-messages"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # a new process imports the whole app before it sends: allow a loaded machine time
        providers.wait_for("sms", 1, seconds=120)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    providers.release.set()
    with app.app_context():
        [message] = _messages(ticket_id=ticket.id)
        assert (message.status, message.attempts) == ("sending", 1)
        assert _deliver() == {}  # the claim holds until it expires
        assert _deliver(utcnow() + timedelta(seconds=31)) == {"sent": 1}
        [message] = _messages(ticket_id=ticket.id)
        assert (message.status, message.attempts) == ("sent", 2)
        assert _deliver(utcnow() + timedelta(hours=1)) == {}
    assert [r["OutId"] for r in providers.sms] == [f"steward-outbox-{message_id}"] * 2
    assert providers.delivered("sms") == [f"steward-outbox-{message_id}"]


@pytest.mark.postgres
def test_two_workers_at_once_send_each_message_once(app, providers):
    """PostgreSQL: two workers claiming at the same moment skip each other's rows (FOR
    UPDATE SKIP LOCKED); every message reaches the provider exactly once."""
    from concurrent.futures import ThreadPoolExecutor

    with app.test_request_context():
        owner = _owner("phone", phone="13300006666")
        for n in range(12):
            _new_ticket(owner, code=f"T-PAIR-{n}")
        database.session.commit()

    def worker(_):
        with app.app_context():
            try:
                return outbox.deliver_due(database.session, limit=3)
            finally:
                database.session.remove()

    deadline = time.monotonic() + 30
    while len(providers.sms) < 12 and time.monotonic() < deadline:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(worker, range(2)))
    ids = [r["OutId"] for r in providers.sms]
    assert len(ids) == len(set(ids)) == 12


def test_templates_name_their_events_variables_only():
    """A template writes a variable in Chinese ({编号}) or by its key ({code}); a variable
    its event does not offer is refused with the list it does offer."""
    from rules import notices as rules
    from rules.refusal import Refused

    assert rules.render("报事 {编号}（{code}）{处理时限}", {"code": "T1", "deadline": "明天"}) \
        == "报事 T1（T1）明天"
    rules.check_template("ticket_received", "{编号} {链接}", "{deadline}")
    with pytest.raises(Refused) as refused:
        rules.check_template("visit_planned", "{编号}")
    assert refused.value.params["offered"] == "{业主}、{时间}、{管家}"


def test_quiet_hours_across_midnight_and_the_backoff():
    from datetime import datetime

    from rules import notices as rules

    quiet = rules.quiet_hours("22:00-08:00")
    late, early, day = (datetime(2026, 11, 26, 23, 30), datetime(2026, 11, 27, 7, 0),
                        datetime(2026, 11, 27, 12, 0))
    assert rules.send_after(late, quiet, False) == datetime(2026, 11, 27, 8, 0)
    assert rules.send_after(early, quiet, False) == datetime(2026, 11, 27, 8, 0)
    assert rules.send_after(day, quiet, False) == day
    assert rules.send_after(late, quiet, True) == late
    assert rules.quiet_hours("") is None
    assert [rules.retry_delay(n, 60).total_seconds() for n in (1, 2, 3)] == [60, 240, 960]
