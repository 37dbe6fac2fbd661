"""The demo company's messages to owners: a template per event, and an outbox with messages
sent, failed and waiting, as the capture channel would have them (the demo sends nothing to
anyone: `python app.py` turns STEWARD_NOTICE_CAPTURE on). The year of history before it is
seeded without messages: owners were not written to before the outbox existed."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from models import MessageTemplate, OutboxMessage, Owner, Ticket
from rules import notices
from services.channels import CHANNELS
from services.notices import owner_link

SHANGHAI = ZoneInfo("Asia/Shanghai")
# (event, channel, subject, body, provider template): the SMS variant of "received" is shorter
SMS_RECEIVED = ("您的诉求已收到 {编号}",
                "【锦绣物业】诉求 {编号} 已收到，{处理时限} 前处理，进度：{链接}", "SMS_460000001")


def seed(session, anchor: datetime) -> int:
    """Templates, WeChat ids for the owners who prefer WeChat, and messages about the latest
    tickets. Returns how many messages."""
    for n, event in enumerate(notices.EVENTS.values()):  # (the guard lists the variables)
        session.add(MessageTemplate(event=event.name, channel="any", subject=event.subject,
                                    body=event.body, provider_template=f"TM{10001 + n:05d}"))
    subject, body, code = SMS_RECEIVED
    session.add(MessageTemplate(event="ticket_received", channel="sms", subject=subject,
                                body=body, provider_template=code))
    for owner in session.scalars(sa.select(Owner).where(Owner.wechat_id.is_not(None))):
        if owner.preferred_channel == "wechat":
            owner.wechat_openid = f"o{owner.id:06d}Demo{(owner.id * 7919) % 10**6:06d}"
    session.flush()

    rng = random.Random(14)
    tickets = list(session.scalars(sa.select(Ticket).where(Ticket.owner_id.is_not(None))
                                   .order_by(Ticket.intake_at.desc()).limit(12)))
    written = 0
    for n, ticket in enumerate(tickets):
        owner = session.get(Owner, ticket.owner_id)
        steps = [("ticket_received", ticket.intake_at)]
        if ticket.resolved_at:
            steps.append(("ticket_resolved", ticket.resolved_at))
        if ticket.closed_at:
            steps.append(("ticket_closed", ticket.closed_at))
        for event, at in steps:
            variables = {"owner": owner.name, "code": ticket.code,
                         "deadline": f"{ticket.due_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}",
                         "category": "报修",
                         "link": owner_link(session, ticket)}
            order = [c for c in notices.channel_order(owner.preferred_channel)
                     if CHANNELS[c].address(owner)]
            channel = order[0] if order else None
            message = OutboxMessage(
                event=event, owner=owner, ticket=ticket, urgent=bool(ticket.urgent),
                variables=json.dumps(variables, ensure_ascii=False),
                subject=notices.render(notices.EVENTS[event].subject, variables),
                body=notices.render(notices.EVENTS[event].body, variables),
                channel=channel, created_at=at, next_attempt_at=at)
            if channel is None:
                message.status = "no_address"
            elif n == 0 and event == steps[-1][0]:
                message.status = "pending"  # the worker sends it (to the capture file)
                message.created_at = message.next_attempt_at = anchor
            elif n == 1 and event == steps[-1][0]:
                message.status, message.attempts = "failed", 5
                message.last_error = "SMS isv.BUSINESS_LIMIT_CONTROL: 触发小时级流控Permits:5"
            elif n == 2 and event == steps[-1][0]:
                message.status, message.attempts = "pending", 2
                message.last_error = "WeChat 43004: require subscribe"
                message.next_attempt_at = anchor + timedelta(minutes=rng.randrange(5, 30))
            else:
                message.status, message.attempts = "sent", 1
                message.sent_at = at + timedelta(seconds=rng.randrange(2, 50))
                message.provider_id = "captured:demo"
            session.add(message)
            written += 1
    return written
