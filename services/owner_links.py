"""The owner's link to their request, `PUBLIC_URL/o/<code>` (no account needed; P-TKT-4,
P-TKT-5): a short random code kept on the ticket (`owner_link_nonce`), short enough for an
SMS template variable (35 characters, services/channels.py) with a short PUBLIC_URL.

- One current code per ticket. Each message carries it and moves its expiry to
  OWNER_LINK_DAYS after that message (`owner_link_expires_at`).
- Revoking (staff, or the owner's rating) clears the code; the next message brings a new
  one. A revoked code is no longer known and opens nothing.
- The code the owner rated with is kept (`owner_link_used_nonce`): opening it says so.
- Links of the first version were signed tokens (`<payload>.<signature>`). They keep working
  while the ticket still has the nonce they name (until their own OWNER_LINK_DAYS, or until
  the ticket's next message, which gives it a short code: then they say "revoked").
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from models import Ticket, TicketEvent
from models.base import utcnow

SALT = "owner-ticket-link"  # the first version's signed tokens
PATH = "/o/"
# Lower case without look-alikes (0/o, 1/l/i): 31 symbols, 10 of them ≈ 49 bits; guessing is
# throttled per address (owner_page.py).
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 10


@dataclass(frozen=True)
class LinkRefused(Exception):
    """Why a link opens nothing: "expired", "tampered" (or unknown, or revoked), "revoked"
    (a first-version link whose ticket has a newer one), or "used" (the owner rated with
    it)."""

    reason: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def _is_code(value: str | None) -> bool:
    return bool(value) and len(value) == CODE_LENGTH and set(value) <= set(ALPHABET)


def token_for(ticket: Ticket) -> str:
    """The ticket's current code, valid OWNER_LINK_DAYS from now. Written beside the record
    rather than as a change of it (no new version, nothing to audit: handing out a link
    changes nothing about the request)."""
    code = ticket.owner_link_nonce if _is_code(ticket.owner_link_nonce) else _new_code()
    expires = utcnow() + timedelta(days=current_app.config["OWNER_LINK_DAYS"])
    _write_beside(object_session(ticket), ticket, owner_link_nonce=code,
                  owner_link_expires_at=expires)
    return code


def _write_beside(session: Session | None, ticket: Ticket, **values) -> None:
    """Write the link's fields without making a new version of the ticket."""
    if session is None or ticket.id is None:
        for name, value in values.items():
            setattr(ticket, name, value)  # a ticket not yet saved: saved with them
        return
    table = Ticket.__table__
    session.execute(sa.update(table).where(table.c.id == ticket.id).values(**values))
    for name, value in values.items():
        set_committed_value(ticket, name, value)


def link_for(ticket: Ticket) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + PATH + token_for(ticket)


def revoke(ticket: Ticket) -> None:
    """Every link sent so far stops working; the next message carries a new one."""
    ticket.owner_link_nonce = None
    ticket.owner_link_expires_at = None


def revoked_by_staff(session: Session, ticket: Ticket, actor: str, note: str) -> None:
    """A member of staff revokes the link (sent to the wrong number, a unit sold): the
    ticket's history says who and when (a ticket event not shared with the owner; the
    link's own fields are system fields beside the record, outside its versions and audit
    trail, so they are cleared without a new version of the ticket)."""
    _write_beside(session, ticket, owner_link_nonce=None, owner_link_expires_at=None)
    session.add(TicketEvent(ticket=ticket, at=utcnow(), actor=actor, from_status=ticket.status,
                            to_status=ticket.status, note=note, shared_with_owner=False))


def used_for_rating(ticket: Ticket) -> None:
    """The link the owner rated with says so from now on; the next message carries a new
    one (to rate again after a rework)."""
    ticket.owner_link_used_nonce = ticket.owner_link_nonce
    revoke(ticket)


def ticket_for(session: Session, token: str) -> Ticket:
    """The ticket a link names, or LinkRefused saying why not."""
    if "." in token:
        return _signed_ticket(session, token)
    code = token.strip().lower()
    if not _is_code(code):
        raise LinkRefused("tampered")
    ticket = session.scalars(sa.select(Ticket).where(Ticket.owner_link_nonce == code)).first()
    if ticket is None:
        if session.scalars(sa.select(Ticket.id).where(
                Ticket.owner_link_used_nonce == code)).first() is not None:
            raise LinkRefused("used")
        raise LinkRefused("tampered")
    if ticket.owner_link_expires_at is None or utcnow() > ticket.owner_link_expires_at:
        raise LinkRefused("expired")
    return ticket


def _signed_ticket(session: Session, token: str) -> Ticket:
    """A first-version link: a signed token naming the ticket and its nonce then."""
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
