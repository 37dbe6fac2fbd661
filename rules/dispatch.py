"""A department's part of a ticket (P-TKT-3, P-COORD-1, P-COM-2): who may take it, how it
moves, when it is late, and what it means for the ticket the steward still owns.

waiting --take--> taken --done--> done;   waiting|taken --withdraw--> withdrawn
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .refusal import N_, Refused

OPEN = ("waiting", "taken")
NOTE_MAX = 2000


@dataclass(frozen=True)
class Actor:
    """Who acts on a dispatch: their role, their department, and whether they head it."""

    role: str | None
    department: str | None
    is_head: bool = False


def is_member(actor: Actor, department: str) -> bool:
    """Only the department's own staff work its queue: a steward, a supervisor or a member
    of another department may read the progress, never take or finish the work."""
    return actor.role == "department" and actor.department == department


def take(status: str, actor: Actor, department: str) -> str:
    """A member takes waiting work; the head may take it over from a colleague."""
    if not is_member(actor, department):
        raise Refused(N_("Only the staff of %(department)s work its queue."),
                      department=department)
    if status == "taken" and actor.is_head:
        return "taken"
    if status != "waiting":
        raise Refused(N_("This work is no longer waiting to be taken."))
    return "taken"


def note(status: str, actor: Actor, department: str, text: str | None) -> str:
    """A progress note on the department's part, by one of its members, while it is open."""
    if not is_member(actor, department):
        raise Refused(N_("Only the staff of %(department)s work its queue."),
                      department=department)
    if status not in OPEN:
        raise Refused(N_("This work is finished; the steward follows up on the ticket."))
    return clean(text)


def finish(status: str, actor: Actor, department: str, taken_by_me: bool,
           text: str | None) -> str:
    """Done, with what was done: by whoever took it, or the head."""
    if not is_member(actor, department):
        raise Refused(N_("Only the staff of %(department)s work its queue."),
                      department=department)
    if status != "taken":
        raise Refused(N_("Take the work before marking it done."))
    if not (taken_by_me or actor.is_head):
        raise Refused(N_("Another colleague took this work; they or the head mark it done."))
    return clean(text)


def withdraw(status: str, reason: str | None) -> str:
    """The steward who owns the ticket calls the work back (solved another way, sent to the
    wrong department), with the reason."""
    if status not in OPEN:
        raise Refused(N_("This work is already finished."))
    if not (reason or "").strip():
        raise Refused(N_("Say why the work is withdrawn."))
    return clean(reason)


def clean(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise Refused(N_("Write what was done."))
    if len(text) > NOTE_MAX:
        raise Refused(N_("The note is longer than %(n)s characters."), n=NOTE_MAX)
    return text


def overdue(status: str, due_at: datetime | None, now: datetime) -> bool:
    """Open work past the ticket's deadline: the department head and the steward's
    supervisor see it (P-TKT-7 applies to the department's part as to the whole)."""
    return status in OPEN and due_at is not None and due_at < now


def check_dispatch(ticket_status: str, open_departments: Iterable[str], department: str,
                   handling: Iterable[str]) -> None:
    """More work goes to a department while the ticket is being handled, to one of the
    departments that take tickets (P-TKT-3), and once at a time to each."""
    if department not in handling:
        raise Refused(N_("Choose the department."))
    if ticket_status != "in_progress":
        raise Refused(N_("Dispatch a ticket while it is being handled."))
    if department in set(open_departments):
        raise Refused(N_("%(department)s already has this ticket's work."),
                      department=department)


def check_resolvable(open_departments: Iterable[str]) -> None:
    """A ticket is resolved only when no department's part is still open: the steward waits
    for the work, or withdraws it with the reason (P-TKT-3 "track it")."""
    pending = sorted(set(open_departments))
    if pending:
        raise Refused(N_("Waiting for %(department)s to finish its part; or withdraw it."),
                      department=pending[0])
