"""Career moves taking effect: a confirmed dismissal planned as a move (P-RP-3), a leaving
steward's work handed over in one change, and moves applied to the staff record on their
date (P-CAR-1, P-CAR-2)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from models import CareerMove, RewardPenalty, Staff, User
from models.base import utcnow
from models.careers import OUTSTANDING, leaves_post, outstanding_counts, outstanding_rows
from models.people import new_session_token
from models.queries import company_today, local_date
from rules import staffing
from rules.refusal import N_, Refused


def plan_dismissal(suggestion: RewardPenalty) -> CareerMove:
    """P-RP-3: a dismissal HR confirmed becomes a planned move, effective after the notice
    period (rules/staffing.py); HR may change the date until it takes effect."""
    move = CareerMove(staff=suggestion.staff, kind="dismissal", reason=suggestion.reason,
                      effective_on=staffing.dismissal_date(suggestion.decided_on),
                      reward_penalty=suggestion)
    object_session(suggestion).add(move)
    return move


def hand_over(session: Session, leaving: Staff, receiver: Staff,
              now: datetime | None = None) -> dict[str, int]:
    """Everything outstanding of `leaving` becomes `receiver`'s, kind by kind. Each row is
    moved through the ORM so the flush guards judge it (a receiver not on duty, a ticket
    counted in a confirmed month); the caller commits all or rolls back all."""
    now = now or utcnow()
    if receiver.id == leaving.id:
        raise Refused(N_("Choose another steward to take over."))
    moved = {}
    for kind in OUTSTANDING:
        rows = outstanding_rows(session, kind, leaving.id, now)
        for row in rows:
            row.steward = receiver
        session.flush()  # refused here, the whole change is rolled back by the caller
        moved[kind.key] = len(rows)
    return moved


def apply(session: Session, move: CareerMove, now: datetime | None = None) -> bool:
    """Apply a move whose date has come to the staff record. A steward leaving the post
    with work still theirs waits for the handover. True when applied."""
    now = now or utcnow()
    if not staffing.may_take_effect(move.status, move.effective_on, local_date(now)):
        return False
    person = move.staff
    if leaves_post(move) and any(outstanding_counts(session, person.id, now).values()):
        move.status = "waiting"
        return False
    if move.kind == "dismissal":
        person.status = "left"
        for account in session.scalars(sa.select(User).where(User.staff_id == person.id)):
            account.active = False
            account.session_token = new_session_token()  # every open session ends
    else:
        person.position = staffing.position_after(move.kind, move.from_position,
                                                  move.to_position, move.to_department)
        if move.to_department:
            person.department = move.to_department
        if move.to_supervisor_id or move.to_supervisor:
            person.supervisor = move.to_supervisor or session.get(Staff, move.to_supervisor_id)
    move.status, move.applied_at = "done", now
    return True


def settle(session: Session, move: CareerMove, now: datetime | None = None) -> bool:
    """After HR records or changes a move: applied at once when its date has come (or left
    waiting for the handover); a waiting move whose date moved later is planned again."""
    now = now or utcnow()
    if move.status == "waiting" and move.effective_on > local_date(now):
        move.status = "planned"
    return apply(session, move, now)


def apply_due(session: Session, now: datetime | None = None) -> dict:
    """Every planned or waiting move whose date has come: applied, or left waiting for its
    handover."""
    now = now or utcnow()
    found = {"applied": 0, "waiting": 0}
    for move in session.scalars(sa.select(CareerMove).where(
            CareerMove.status.in_(("planned", "waiting")),
            CareerMove.effective_on <= local_date(now))
            .order_by(CareerMove.effective_on, CareerMove.id)).all():
        found["applied" if apply(session, move, now) else "waiting"] += 1
        session.flush()
    return found


def cancel(move: CareerMove) -> None:
    """HR withdraws a move that has not taken effect."""
    staffing.check_move_editable(move.status)
    move.status = "cancelled"


def moves_waiting_on(session: Session, staff_id: int) -> list[CareerMove]:
    """The moves of a steward that are due or waiting and so apply once the handover is
    done."""
    return session.scalars(sa.select(CareerMove).where(
        CareerMove.staff_id == staff_id, CareerMove.status.in_(("planned", "waiting")),
        CareerMove.effective_on <= company_today()).order_by(CareerMove.id)).all()
