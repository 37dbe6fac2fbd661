"""A demo ticket brought to "resolved" with one progress note shared with the owner and one
internal note, and the owner's link to it (built with services/owner_links.link_for)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from extensions import db as database
from models import Dispatch, Ticket, TicketEvent
from models.base import utcnow
from rules.dispatch import OPEN
from services import owner_links
from services.tickets import take_step

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
SHARED = "师傅已上门查看，明早更换水管"
INTERNAL = "内部备注：业主情绪激动，注意沟通"


@dataclass
class Prepared:
    ticket_id: int
    owner_id: int
    path: str
    token: str


def resolved_ticket(app, *, resolve: bool = True) -> Prepared:
    """An open demo ticket of an owner, resolved now (unless `resolve` is False)."""
    with app.test_request_context():
        ticket = database.session.scalars(
            sa.select(Ticket).where(Ticket.status.in_(("new", "accepted", "in_progress")),
                                    Ticket.owner_id.is_not(None), Ticket.unit_id.is_not(None),
                                    # no department still at work: the steward can resolve it
                                    ~Ticket.dispatches.any(Dispatch.status.in_(OPEN)))
            .order_by(Ticket.id)).first()
        assert ticket is not None, "the demo has open tickets of owners"
        if ticket.status == "new":
            take_step(database.session, ticket, "accept", actor="steward1")
        if ticket.status == "accepted":
            take_step(database.session, ticket, "start", actor="steward1")
        for note, shared in ((SHARED, True), (INTERNAL, False)):
            database.session.add(TicketEvent(
                ticket=ticket, at=utcnow(), actor="steward1", from_status=ticket.status,
                to_status=ticket.status, note=note, shared_with_owner=shared))
        database.session.flush()
        if resolve:
            take_step(database.session, ticket, "resolve", actor="steward1",
                      resolution="更换了漏水的水管")
        link = owner_links.link_for(ticket)
        database.session.commit()
        token = link.rsplit("/", 1)[1]
        return Prepared(ticket.id, ticket.owner_id, "/o/" + token, token)


def resolve_again(app, ticket_id: int) -> str:
    """The reworked ticket resolved once more; the path of the new link its message brings."""
    with app.test_request_context():
        ticket = database.session.get(Ticket, ticket_id)
        take_step(database.session, ticket, "resolve", actor="steward1",
                  resolution="重新更换了水管并试水")
        link = owner_links.link_for(ticket)
        database.session.commit()
        return "/o/" + link.rsplit("/", 1)[1]


def rating_form(attitude: int, efficiency: int, solving: int, comment: str = "") -> dict:
    return {"rating_attitude": str(attitude), "rating_efficiency": str(efficiency),
            "rating_solving": str(solving), "comment": comment}


def link_to_a(app, status: str) -> Prepared:
    """The owner's link to some demo ticket in `status`."""
    with app.test_request_context():
        ticket = database.session.scalars(sa.select(Ticket).where(
            Ticket.status == status, Ticket.owner_id.is_not(None)).order_by(Ticket.id)).first()
        link = owner_links.link_for(ticket)
        database.session.commit()
        token = link.rsplit("/", 1)[1]
        return Prepared(ticket.id, ticket.owner_id, "/o/" + token, token)
