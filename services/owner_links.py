"""The owner's link to their request: a signed, expiring token naming the ticket (no
account needed), `PUBLIC_URL/o/<token>`. Each ticket has one link at a time: giving the
ticket a new nonce revokes every link sent before (P-TKT-4, P-TKT-5)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from models import Ticket

SALT = "owner-ticket-link"
PATH = "/o/"


@dataclass(frozen=True)
class LinkRefused(Exception):
    """Why a link opens nothing: "expired", "tampered" (or unknown), "revoked", or "used"
    (the owner rated with it)."""

    reason: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(ticket: Ticket) -> str:
    """The ticket's current token. The first one gives the ticket its nonce, written beside
    the record rather than as a change of it (no new version, nothing to audit: handing out
    a link changes nothing about the request)."""
    if not ticket.owner_link_nonce:
        nonce = secrets.token_hex(8)
        session = object_session(ticket)
        if session is None or ticket.id is None:
            ticket.owner_link_nonce = nonce  # a ticket not yet saved: saved with it
        else:
            table = Ticket.__table__
            session.execute(sa.update(table).where(table.c.id == ticket.id)
                            .values(owner_link_nonce=nonce))
            set_committed_value(ticket, "owner_link_nonce", nonce)
    return _serializer().dumps({"t": ticket.id, "n": ticket.owner_link_nonce})


def link_for(ticket: Ticket) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + PATH + token_for(ticket)


def revoke(ticket: Ticket) -> None:
    """Every link sent so far stops working; the next message carries a new one."""
    ticket.owner_link_nonce = secrets.token_hex(8)


def used_for_rating(ticket: Ticket) -> None:
    """The link the owner rated with says so from now on; the next message carries a new
    one (to rate again after a rework)."""
    ticket.owner_link_used_nonce = ticket.owner_link_nonce
    revoke(ticket)


def ticket_for(session: Session, token: str) -> Ticket:
    """The ticket a token names, or LinkRefused saying why not."""
    max_age = current_app.config["OWNER_LINK_DAYS"] * 24 * 3600
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as expired:
        raise LinkRefused("expired") from expired
    except BadSignature as bad:
        raise LinkRefused("tampered") from bad
    if not isinstance(data, dict) or not isinstance(data.get("t"), int):
        raise LinkRefused("tampered")
    ticket = session.get(Ticket, data["t"])
    if ticket is None:
        raise LinkRefused("tampered")
    if not ticket.owner_link_nonce or data.get("n") != ticket.owner_link_nonce:
        if data.get("n") and data.get("n") == ticket.owner_link_used_nonce:
            raise LinkRefused("used")
        raise LinkRefused("revoked")
    return ticket
