"""The outbox: writing a message to an owner (in the caller's transaction) and delivering
what is due (the worker, jobs/outbox.py).

Delivery is at-least-once with an idempotency key: a worker claims due messages with a
lease (status "sending", claimed_until; PostgreSQL skips rows another worker holds, FOR
UPDATE SKIP LOCKED) and commits the claim before talking to any provider; the outcome is
written only while the claim is still its own. Just before each provider call the worker
renews its claim, and sends only if the claim was still its own and unexpired — so a batch
that runs past its lease does not send what another worker has since taken. Batches are
kept smaller than the lease ÷ the worst-case time of one delivery.

A worker killed mid-delivery (after the provider took the message, before the outcome was
written) leaves its claim to expire; the next run sends the message again under the same
message id (Message-ID, OutId, client_msg_id). Only WeChat's client_msg_id is deduplicated by
the provider; an SMS or a mail can reach the owner twice in that case (at least once).

At delivery the message is checked again: a ticket message the ticket has moved past is
`overtaken`, a non-essential one to an owner who has since opted out is `opted_out`, and one
that falls in the quiet hours (a backlog, a retry) waits for them to end.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import MessageTemplate, OutboxMessage, Owner, Ticket
from models.base import utcnow
from models.outbox import FINAL_STATUSES
from models.queries import company_zone
from rules import notices
from rules.refusal import N_

from .channels import CHANNELS, Capture, DeliveryError

log = logging.getLogger(__name__)

# last_error starts with what kind of failure it was; the rest is the raw text (for the log
# and the tooltip on the ticket page), explained in Chinese by explain().
PROVIDER, UNEXPECTED, WORKER_STOPPED = "provider: ", "unexpected: ", "worker-stopped"
CALLS_PER_DELIVERY = 3  # the worst case: a WeChat token, the call, a token refreshed

DEFAULTS = {
    "NOTICE_CAPTURE": False,
    "NOTICE_QUIET_HOURS": "22:00-08:00",
    "NOTICE_MAX_ATTEMPTS": 5,
    "NOTICE_RETRY_SECONDS": 60,
    "NOTICE_LEASE_SECONDS": 300,
    "NOTICE_TIMEOUT_SECONDS": 10,
}


def config() -> dict:
    """The app's notice settings (defaults outside an app)."""
    from flask import current_app, has_app_context

    found = dict(DEFAULTS)
    if has_app_context():
        found |= {k: v for k, v in current_app.config.items()
                  if k.startswith(("NOTICE_", "SMTP_", "MAIL_", "SMS_", "WECHAT_"))}
        found["CAPTURE_FOLDER"] = current_app.instance_path
    return found


# ---- templates --------------------------------------------------------------------------
def template_for(session: Session, event: str, channel: str | None
                 ) -> tuple[str, str, str | None]:
    """(subject, body, provider template) of `event` on `channel`: the admin's template for
    that channel, else theirs for any channel, else the built-in text."""
    rows = {row.channel: row for row in session.scalars(
        sa.select(MessageTemplate).where(MessageTemplate.event == event))}
    row = rows.get(channel or "any") or rows.get("any")
    if row is None:
        default = notices.EVENTS[event]
        return default.subject, default.body, None
    return row.subject, row.body, row.provider_template


# ---- writing ----------------------------------------------------------------------------
def write(session: Session, event: str, owner: Owner, variables: dict, *,
          ticket=None, about: tuple[str, int] | None = None, urgent: bool = False,
          now: datetime | None = None,
          template: tuple[str, str, str | None] | None = None) -> OutboxMessage | None:
    """One message to `owner` about `event`, due now or after the quiet hours; None when the
    owner opted out of a non-essential event (P-COM-1). A caller writing the same event to
    many owners passes `template_for(...)` once as `template`."""
    if not notices.wanted(event, bool(owner.notices_opt_out)):
        return None
    settings = config()
    now = now or utcnow()
    zone = ZoneInfo(company_zone())
    due = notices.send_after(now.astimezone(zone),
                             notices.quiet_hours(settings["NOTICE_QUIET_HOURS"]), urgent)
    variables = {"owner": owner.name, **variables}
    subject, body, _ = template or template_for(session, event, None)
    message = OutboxMessage(
        event=event, owner=owner, ticket=ticket, urgent=urgent,
        subject_kind=about[0] if about else None, subject_id=about[1] if about else None,
        variables=json.dumps(variables, ensure_ascii=False, default=str),
        subject=notices.render(subject, variables), body=notices.render(body, variables),
        status="pending", next_attempt_at=max(due, now), created_at=now)
    session.add(message)
    return message


# ---- delivering -------------------------------------------------------------------------
def _claim(session: Session, now: datetime, limit: int, token: str, settings: dict) -> list[int]:
    due = sa.or_(
        sa.and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
        sa.and_(OutboxMessage.status == "sending", OutboxMessage.claimed_until < now))
    # a claim that expired after the last try: the worker died each time
    session.execute(sa.update(OutboxMessage).where(
        OutboxMessage.status == "sending", OutboxMessage.claimed_until < now,
        OutboxMessage.attempts >= int(settings["NOTICE_MAX_ATTEMPTS"]))
        .values(status="failed", claimed_until=None, last_error=WORKER_STOPPED))
    query = sa.select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if ids:
        session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(ids), due).values(
            status="sending", claimed_by=token, attempts=OutboxMessage.attempts + 1,
            claimed_until=now + timedelta(seconds=int(settings["NOTICE_LEASE_SECONDS"]))))
    session.commit()
    return list(session.scalars(sa.select(OutboxMessage.id).where(
        OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == token,
        OutboxMessage.status == "sending")))


def _settle(session: Session, message_id: int, token: str, **values) -> bool:
    """Write a delivery's outcome, if the claim is still this worker's."""
    done = session.execute(sa.update(OutboxMessage).where(
        OutboxMessage.id == message_id, OutboxMessage.claimed_by == token,
        OutboxMessage.status == "sending").values(claimed_until=None, **values))
    session.commit()
    return bool(done.rowcount)


def route(message: OutboxMessage, settings: dict) -> tuple[str | None, str | None, str]:
    """(channel, address, status): the first channel in the owner's order that they have an
    address for and that is configured; else why none."""
    owner = message.owner
    reachable = [(name, CHANNELS[name].address(owner))
                 for name in notices.channel_order(owner.preferred_channel)]
    reachable = [(name, address) for name, address in reachable if address]
    if not reachable:
        return None, None, "no_address"
    for name, address in reachable:
        if settings.get("NOTICE_CAPTURE") or CHANNELS[name].configured(settings):
            return name, address, "sending"
    return reachable[0][0], None, "not_configured"


def _renew(session: Session, message_id: int, token: str, at: datetime, lease: int) -> bool:
    """Extend this worker's claim just before sending, if it still holds it unexpired."""
    renewed = session.execute(sa.update(OutboxMessage).where(
        OutboxMessage.id == message_id, OutboxMessage.claimed_by == token,
        OutboxMessage.status == "sending", OutboxMessage.claimed_until > at)
        .values(claimed_until=at + timedelta(seconds=lease)))
    session.commit()
    return bool(renewed.rowcount)


def _still_to_send(session: Session, message: OutboxMessage, at: datetime,
                   settings: dict) -> tuple[str, datetime | None] | None:
    """Why `message` is not sent now, if it is not: (status, wait until)."""
    if message.ticket_id is not None:
        ticket = session.get(Ticket, message.ticket_id)
        if ticket is not None and notices.overtaken(message.event, ticket.status):
            return "overtaken", None
    if not notices.wanted(message.event, bool(message.owner.notices_opt_out)):
        return "opted_out", None
    zone = ZoneInfo(company_zone())
    local = at.astimezone(zone)
    due = notices.send_after(local, notices.quiet_hours(settings["NOTICE_QUIET_HOURS"]),
                             bool(message.urgent))
    if due > local:
        return "pending", due
    return None


def deliver_one(session: Session, message_id: int, token: str, settings: dict,
                now: datetime) -> str:
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    held = _still_to_send(session, message, now, settings)
    if held is not None:
        status, until = held
        if until is not None:  # quiet hours: not a try
            _settle(session, message_id, token, status="pending", next_attempt_at=until,
                    attempts=OutboxMessage.attempts - 1)
            return "held"
        _settle(session, message_id, token, status=status, last_error=None)
        return status
    channel, address, status = route(message, settings)
    if status != "sending":
        _settle(session, message_id, token, status=status, channel=channel,
                last_error=None)
        return status
    subject, body, provider_template = template_for(session, message.event, channel)
    variables = notices.offered_only(message.event, json.loads(message.variables or "{}"))
    message.channel = channel
    message.subject = notices.render(subject, variables)
    message.body = notices.render(body, variables)
    message.provider_template = provider_template
    rendered = {"channel": channel, "subject": message.subject, "body": message.body}
    session.expunge(message)  # the outcome is written below, under the claim
    message.variables = json.dumps(variables, ensure_ascii=False)  # what the adapter sends
    if not _renew(session, message_id, token, now, int(settings["NOTICE_LEASE_SECONDS"])):
        log.warning("message %s: claim lost before sending; left to its new holder",
                    message_id)
        return "claim_lost"
    adapter = Capture if settings.get("NOTICE_CAPTURE") else CHANNELS[channel]
    try:
        provider_id = adapter.send(message, address, settings)
    except Exception as error:  # noqa: BLE001 - a provider's failure is the message's status
        if isinstance(error, DeliveryError):
            detail = PROVIDER + error.detail
        else:
            detail = UNEXPECTED + repr(error)
            log.exception("delivering message %s", message_id)
        final = message.attempts >= int(settings["NOTICE_MAX_ATTEMPTS"])
        delay = notices.retry_delay(message.attempts, int(settings["NOTICE_RETRY_SECONDS"]))
        _settle(session, message_id, token, **rendered, last_error=detail[:2000],
                status="failed" if final else "pending", next_attempt_at=now + delay)
        return "failed" if final else "retry"
    if not _settle(session, message_id, token, **rendered, status="sent", sent_at=utcnow(),
                   provider_id=(provider_id or "")[:100], last_error=None):
        log.warning("message %s was sent after its claim expired", message_id)
    return "sent"


def batch_size(settings: dict, limit: int) -> int:
    """How many messages one claim may hold: all of them must be sent before the lease
    runs out, even if every provider call takes its whole timeout."""
    worst = CALLS_PER_DELIVERY * int(settings["NOTICE_TIMEOUT_SECONDS"])
    return max(1, min(limit, int(settings["NOTICE_LEASE_SECONDS"]) // max(worst, 1)))


def deliver_due(session: Session, now: datetime | None = None, limit: int = 100) -> dict:
    """Deliver up to `limit` messages that are due (and those whose claim expired), claimed
    a few at a time (batch_size); a summary."""
    settings = config()
    notices.quiet_hours(settings["NOTICE_QUIET_HOURS"])  # a bad setting fails the run here
    start, started = now or utcnow(), time.monotonic()
    size = batch_size(settings, limit)
    found: dict[str, int] = {}
    done = 0
    while done < limit:
        token = uuid.uuid4().hex
        claimed = _claim(session, start + timedelta(seconds=time.monotonic() - started),
                         min(size, limit - done), token, settings)
        for message_id in claimed:
            at = start + timedelta(seconds=time.monotonic() - started)
            outcome = deliver_one(session, message_id, token, settings, at)
            found[outcome] = found.get(outcome, 0) + 1
        done += len(claimed)
        if len(claimed) < size:
            break
    return found


def explain(message: OutboxMessage) -> str | None:
    """What went wrong with `message`, as an English message id the page translates; the
    raw text stays in last_error (the tooltip and the log)."""
    error = message.last_error
    if not error or message.status == "sent":
        return None
    if error == WORKER_STOPPED:
        return N_("Sending was interrupted at every try (the sending process stopped).")
    if error.startswith(UNEXPECTED):
        return N_("Sending failed with an unexpected error; the details are in the log.")
    return N_("The provider did not accept the message.")


def is_final(status: str) -> bool:
    return status in FINAL_STATUSES
