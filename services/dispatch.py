"""Dispatching a ticket's work to a department and the department working it, each move
recorded on the ticket's history (rules/dispatch.py; P-TKT-3, P-COORD-1)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Department, Dispatch, Ticket, TicketEvent, User
from models.base import utcnow
from rules import dispatch as rules
from rules import workflow


def department(session: Session, code: str) -> Department:
    """The department's record; one is made for a code the company has not set up yet."""
    found = session.scalar(sa.select(Department).where(Department.code == code))
    if found is None:
        found = Department(code=code)
        session.add(found)
    return found


def open_work(ticket: Ticket) -> list[Dispatch]:
    return [d for d in ticket.dispatches if d.status in rules.OPEN]


def dispatch(session: Session, ticket: Ticket, code: str, *, actor: str | None,
             at: datetime | None = None) -> Dispatch:
    """The department's part of `ticket`, due when the ticket is due."""
    at = at or utcnow()
    rules.check_dispatch(ticket.status, (d.department.code for d in open_work(ticket)), code,
                         workflow.DEPARTMENTS)
    # the ticket's own record says where it went last: a resolve at the same moment meets a
    # newer version and is refused, rather than leaving work queued on a resolved ticket
    ticket.department = code
    work = Dispatch(ticket=ticket, department=department(session, code), dispatched_at=at,
                    dispatched_by=actor, due_at=ticket.due_at)
    session.add(work)
    return work


def actor_of(session: Session, user: User) -> rules.Actor:
    staff = user.staff
    code = staff.department if staff is not None else None
    head = code is not None and session.scalar(
        sa.select(Department.head_id).where(Department.code == code)) == staff.id
    return rules.Actor(role=user.role, department=code, is_head=bool(head))


def _event(session: Session, work: Dispatch, actor: str | None, text: str | None,
           at: datetime) -> None:
    """A step of the department's part on the ticket's history; the page names the
    department (and shows a step without a note as "took the work")."""
    session.add(TicketEvent(ticket=work.ticket, dispatch=work, at=at, actor=actor, note=text))


def take(session: Session, work: Dispatch, user: User, *, at: datetime | None = None) -> None:
    at = at or utcnow()
    status = rules.take(work.status, actor_of(session, user), work.department.code)
    _event(session, work, user.username, None, at)  # first: the guard looks for it
    work.status, work.taken_by_id, work.taken_at = status, user.staff_id, at
    session.flush()


def add_note(session: Session, work: Dispatch, user: User, text: str | None, *,
             at: datetime | None = None) -> None:
    at = at or utcnow()
    cleaned = rules.note(work.status, actor_of(session, user), work.department.code, text)
    _event(session, work, user.username, cleaned, at)
    session.flush()


def finish(session: Session, work: Dispatch, user: User, text: str | None, *,
           at: datetime | None = None) -> None:
    at = at or utcnow()
    mine = work.taken_by_id is not None and work.taken_by_id == user.staff_id
    cleaned = rules.finish(work.status, actor_of(session, user), work.department.code, mine,
                           text)
    _event(session, work, user.username, cleaned, at)
    work.status, work.done_at, work.done_note = "done", at, cleaned
    session.flush()


def withdraw(session: Session, work: Dispatch, actor: str | None, reason: str | None, *,
             at: datetime | None = None) -> None:
    at = at or utcnow()
    cleaned = rules.withdraw(work.status, reason)
    _event(session, work, actor, cleaned, at)
    work.status = "withdrawn"
    session.flush()


def check_resolvable(ticket: Ticket) -> None:
    rules.check_resolvable(d.department.code for d in open_work(ticket))
