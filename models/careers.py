"""Career moves next to the records they touch: what a steward still has outstanding (to be
handed over before leaving the post), who could take it, whether a dismissal has taken
effect, and the flush guard that keeps a move within the policy (P-CAR-1, P-CAR-2, P-RP-3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from rules import staffing

from .assessment import CareerMove
from .base import changed
from .people import Staff
from .property import Unit
from .safety import Hazard, Incident
from .service import CommunityEvent, Procedure
from .tickets import ReturnVisit, Ticket


@dataclass(frozen=True)
class Outstanding:
    """One kind of a steward's work that is theirs until someone else takes it."""

    key: str
    label: object
    model: type
    pending: Callable[[datetime], sa.ColumnElement[bool]]  # the rows still to be done


# What a steward hands over. History — closed tickets, visits made, reminders sent, patrols,
# work logs and summaries — stays with whoever did it.
OUTSTANDING = (
    Outstanding("units", _l("Units"), Unit, lambda now: sa.true()),
    Outstanding("tickets", _l("Open tickets"), Ticket, lambda now: Ticket.status != "closed"),
    Outstanding("return_visits", _l("Planned return visits not yet made"), ReturnVisit,
                lambda now: ReturnVisit.visited_at.is_(None)),
    Outstanding("procedures", _l("Open procedures"), Procedure,
                lambda now: Procedure.status == "open"),
    Outstanding("hazards", _l("Hazards not yet resolved"), Hazard,
                lambda now: Hazard.status != "resolved"),
    Outstanding("incidents", _l("Incidents not yet resolved"), Incident,
                lambda now: Incident.status != "resolved"),
    Outstanding("community_events", _l("Community events still to come"), CommunityEvent,
                lambda now: CommunityEvent.starts_at > now),
)


def outstanding_rows(session: Session, kind: Outstanding, staff_id: int, now: datetime):
    """The rows of `kind` still the steward's, loaded (moved through the ORM, one by one, so
    the flush guards and the audit trail see each)."""
    return session.scalars(sa.select(kind.model).where(
        kind.model.steward_id == staff_id, kind.pending(now)).order_by(kind.model.id)).all()


def outstanding_counts(session: Session, staff_id: int, now: datetime) -> dict[str, int]:
    """How much of each kind of work is still the steward's."""
    return {kind.key: session.scalar(sa.select(sa.func.count()).select_from(kind.model).where(
        kind.model.steward_id == staff_id, kind.pending(now))) for kind in OUTSTANDING}


def candidates(session: Session, leaving_id: int) -> list[staffing.Candidate]:
    """The stewards on duty who could take over, with how many units each has."""
    units = (sa.select(sa.func.count(Unit.id)).where(Unit.steward_id == Staff.id)
             .correlate(Staff).scalar_subquery())
    rows = session.execute(sa.select(Staff.id, Staff.supervisor_id, units).where(
        Staff.position == "steward", Staff.status == "on_duty", Staff.id != leaving_id))
    return [staffing.Candidate(*row) for row in rows]


def dismissed_by(session: Session, staff_id: int | None, today: date) -> bool:
    """Whether a dismissal of the person has taken effect by `today`, applied or not."""
    if staff_id is None:
        return False
    return bool(session.scalar(sa.select(sa.exists().where(
        CareerMove.staff_id == staff_id, CareerMove.kind == "dismissal",
        CareerMove.status != "cancelled", CareerMove.effective_on <= today))))


def leaves_post(move: CareerMove) -> bool:
    return staffing.leaves_steward_post(move.kind, move.from_position, move.to_position,
                                        move.to_department)


# ---- the flush guard --------------------------------------------------------------------
def guard_career_move(session: Session, move: CareerMove, is_new: bool) -> None:
    """A move is recorded from where the person stands; it follows the path (P-CAR-1) and
    the transfer rule (P-CAR-2); once done or cancelled it stays as it was."""
    if is_new:
        move.status = move.status or "planned"  # the column default comes only at insert
    else:
        was = sa.inspect(move).attrs["status"].history.deleted
        staffing.check_move_editable(was[0] if was else move.status)
    if move.status not in ("planned", "waiting"):
        return  # history recorded as such (the demo's past moves), or being settled
    person = move.staff or session.get(Staff, move.staff_id)
    if is_new or changed(move, "staff_id") or changed(move, "staff"):
        move.from_position, move.from_department = person.position, person.department
    supervisor_id = move.to_supervisor.id if move.to_supervisor else move.to_supervisor_id
    staffing.check_career_move(move.kind, move.from_position, move.to_position,
                               move.from_department, move.to_department,
                               supervisor_id is not None and supervisor_id != person.supervisor_id)
