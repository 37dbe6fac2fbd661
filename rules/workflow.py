"""Owners' needs from intake to closure: priority, deadlines and the ticket's states
(P-TKT-1…7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .policy import DEFAULT, Policy
from .refusal import N_, Refused

STATES = ("new", "accepted", "in_progress", "resolved", "feedback_given", "closed")
OPEN_STATES = ("new", "accepted", "in_progress")
DEPARTMENTS = ("customer_service", "engineering", "security", "cleaning")


def priority(urgent: bool, important: bool) -> str:
    """P-TKT-2: urgent+important P1, urgent P2, important P3, neither P4."""
    if urgent and important:
        return "P1"
    if urgent:
        return "P2"
    if important:
        return "P3"
    return "P4"


def deadline_hours(level: str, policy: Policy = DEFAULT) -> int:
    return {
        "P1": policy.deadline_p1_hours,
        "P2": policy.deadline_p2_hours,
        "P3": policy.deadline_p3_hours,
        "P4": policy.deadline_p4_hours,
    }[level]


def due_at(intake_at: datetime, level: str, policy: Policy = DEFAULT) -> datetime:
    """P-TKT-7: the resolution deadline, counted from intake."""
    return intake_at + timedelta(hours=deadline_hours(level, policy))


def on_time(resolved_at: datetime | None, due: datetime) -> bool:
    """Resolved at or before the deadline."""
    return resolved_at is not None and resolved_at <= due


def deadline_state(
    status: str, due: datetime | None, now: datetime, policy: Policy = DEFAULT
) -> str | None:
    """"overdue" or "due_soon" for a ticket still being handled; None otherwise."""
    if status not in OPEN_STATES or due is None:
        return None
    if now > due:
        return "overdue"
    if now >= due - timedelta(hours=policy.due_soon_hours):
        return "due_soon"
    return None


# ---- the state machine --------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """A workflow step: the states it starts from and the state it leads to."""

    name: str
    label: str
    sources: tuple[str, ...]
    target: str


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step("accept", N_("Accept"), ("new",), "accepted"),
        Step("start", N_("Handle"), ("accepted",), "in_progress"),
        Step("resolve", N_("Resolve"), ("in_progress",), "resolved"),
        Step("feedback", N_("Record feedback"), ("resolved",), "feedback_given"),
        Step("close", N_("Close"), ("feedback_given",), "closed"),
    )
}
# The one move back: an owner not satisfied sends the ticket back to handling (P-TKT-6).
REOPEN = ("resolved", "in_progress")
EDGES = frozenset({(s, step.target) for step in STEPS.values() for s in step.sources} | {REOPEN})


def steps_from(status: str) -> list[Step]:
    """The steps a ticket in `status` can take next."""
    return [step for step in STEPS.values() if status in step.sources]


def is_legal_move(before: str, after: str) -> bool:
    return before == after or (before, after) in EDGES


def dissatisfied(rating: int, policy: Policy = DEFAULT) -> bool:
    """P-TKT-6: a rating at or below the policy's line means "not satisfied"."""
    return rating <= policy.dissatisfied_at_or_below


@dataclass(frozen=True)
class Outcome:
    """What a step does to a ticket: its new status and the fields to set."""

    status: str
    changes: dict
    reopened: bool = False


def take_step(
    status: str,
    step_name: str,
    *,
    at: datetime,
    rework_count: int = 0,
    resolution: str | None = None,
    rating: int | None = None,
    department: str | None = None,
    policy: Policy = DEFAULT,
) -> Outcome:
    """Apply one workflow step to a ticket in `status`, or refuse with the reason.

    - accept: the need is classified; the deadline already runs from intake.
    - start: handled on the spot (no department) or dispatched to a department (P-TKT-3).
    - resolve: needs the resolution text; the resolution time decides "on time".
    - feedback: needs the owner's rating 1–5 (P-TKT-5); a dissatisfied rating reopens the
      ticket to handling, counts a rework and clears the resolution time (P-TKT-6).
    - close: only after feedback, so no ticket closes without the owner's rating.
    """
    step = STEPS.get(step_name)
    if step is None:
        raise Refused(N_("Unknown step %(step)s."), step=step_name)
    if status not in step.sources:
        raise Refused(
            N_("A ticket that is %(status)s cannot take the step %(step)s."),
            status=status, step=step_name,
        )
    changes: dict = {"status": step.target}
    if step.name == "start":
        if department is not None and department not in DEPARTMENTS:
            raise Refused(N_("Unknown department %(department)s."), department=department)
        changes |= {"department": department, "solved_on_spot": department is None}
    elif step.name == "resolve":
        if not (resolution or "").strip():
            raise Refused(N_("Write how the need was resolved."))
        changes |= {"resolution": resolution.strip(), "resolved_at": at}
    elif step.name == "feedback":
        if rating is None or not 1 <= rating <= 5:
            raise Refused(N_("The owner's rating must be 1 to 5."))
        changes["satisfaction"] = rating
        if dissatisfied(rating, policy):
            changes |= {
                "status": "in_progress",
                "rework_count": rework_count + 1,
                "resolved_at": None,
            }
            return Outcome("in_progress", changes, reopened=True)
    elif step.name == "close":
        changes["closed_at"] = at
    return Outcome(step.target, changes)
