"""Owners' move-in, renovation and move-out procedures (P-COORD-3): the checklist each kind
follows, when a procedure may complete, and what completing it changes.

A checklist is the company's own words, one step per line, in its policy settings (effective
dated, like every number of the policy). A procedure copies the checklist in force on its
start date as its own steps, so a later change of the policy leaves an open procedure as it
was opened. It completes only when every one of its steps is done; completing it then says
what happens to the unit and to who owns it:

- move-in: the unit is lived in — by the owner named on the procedure (who becomes one of
  the unit's owners if not one yet), or, with no owner named, by a tenant (rented);
- renovation: the unit is "renovating" while the procedure is open and goes back to the
  usage it had before when it completes or is cancelled (unless someone has changed it
  meanwhile);
- move-out: the unit is vacant; the owner named on the procedure gives the unit up (their
  ownership ends). With no owner named (a tenant leaving) nobody's ownership changes.

Where each is held: the steps page and `services/procedures.py` call these rules; the flush
guard in `models/procedures.py` (registered in `models/guards.py`) applies them to every
write whatever its path — copying the checklist, the status moves, steps changing only while
open, completion only with every step done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .refusal import N_, Refused

KINDS = ("move_in", "renovation", "move_out")
OPEN, COMPLETED, CANCELLED = "open", "completed", "cancelled"
# The only moves of a procedure's status: an open one completes or is cancelled; either is
# final (a procedure cancelled by mistake is opened again as a new one).
MOVES = {OPEN: (COMPLETED, CANCELLED), COMPLETED: (), CANCELLED: ()}
RENOVATING = "renovating"
STEP_NAME_LENGTH = 100

# The checklists a company starts with (the examples), in the company's working
# language: a step's name is data copied onto each procedure and typed by the admin, not a
# word of the interface, so it is not translated.
DEFAULT_CHECKLISTS = {
    "move_in": ("资料核验", "费用结清", "钥匙交付", "抄表"),
    "renovation": ("装修申请", "缴纳押金", "过程巡查", "竣工验收", "退还押金"),
    "move_out": ("费用结清", "抄表", "钥匙交回"),
}


def checklist_text(kind: str) -> str:
    """A default checklist as the settings hold it: one step per line."""
    return "\n".join(DEFAULT_CHECKLISTS[kind])


def steps_of(text: str | None) -> tuple[str, ...]:
    """The steps a checklist's text names, in order: one per non-blank line."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def check_checklist(text: str | None) -> None:
    """A checklist names at least one step, each short enough to be a step's name."""
    steps = steps_of(text)
    if not steps:
        raise Refused(N_("A checklist needs at least one step, one per line."))
    for step in steps:
        if len(step) > STEP_NAME_LENGTH:
            raise Refused(N_("A step's name is at most %(n)s characters: %(step)s"),
                          n=STEP_NAME_LENGTH, step=step[:20] + "…")


def check_new(status: str | None) -> None:
    if (status or OPEN) != OPEN:
        raise Refused(N_("A new procedure starts open; it completes when its steps are done."))


def check_status_move(before: str, after: str) -> None:
    """Open → completed or cancelled; nothing after that."""
    if after != before and after not in MOVES.get(before, ()):
        raise Refused(N_("A procedure that is no longer open cannot change."))


def check_steps_may_change(status: str) -> None:
    """A step is marked done, or undone, only while its procedure is open."""
    if status != OPEN:
        raise Refused(N_("The procedure is no longer open; its steps stay as they are."))


def steps_left(steps: Sequence[tuple[str, bool]]) -> list[str]:
    """The names of the steps (name, done) not yet done."""
    return [name for name, done in steps if not done]


def check_may_complete(status: str, steps: Sequence[tuple[str, bool]], started_on: date,
                       today: date) -> None:
    """P-COORD-3: a procedure completes when it is open, has begun and every step is done."""
    if status != OPEN:
        raise Refused(N_("The procedure is no longer open; its steps stay as they are."))
    if today < started_on:
        raise Refused(N_("The procedure starts on %(day)s; it cannot complete before then."),
                      day=started_on.isoformat())
    left = steps_left(steps)
    if left:
        raise Refused(N_("The procedure completes only when all its steps are done; still to "
                         "do: %(steps)s."), steps="、".join(left))


def usage_while_open(kind: str) -> str | None:
    """The unit's usage from the moment the procedure opens (None: unchanged)."""
    return RENOVATING if kind == "renovation" else None


def usage_restored(usage_now: str, usage_before: str | None) -> str | None:
    """After a renovation: the usage the unit had before it, if the unit is still marked as
    renovating (else someone has changed it meanwhile and it stays). A unit that was already
    renovating, or whose earlier usage is unknown, is lived in by its owner."""
    if usage_now != RENOVATING:
        return None
    return usage_before if usage_before not in (None, RENOVATING) else "owner_occupied"


@dataclass(frozen=True)
class Completion:
    """What completing a procedure changes."""

    usage: str | None = None  # the unit's usage afterwards; None: unchanged
    owner_joins: bool = False  # the named owner becomes one of the unit's owners
    owner_leaves: bool = False  # the named owner's ownership of the unit ends


def completion(kind: str, *, owner_named: bool, owner_owns: bool, usage_now: str,
               usage_before: str | None) -> Completion:
    """What completing a procedure of `kind` changes, given whether it names an owner,
    whether that owner owns the unit now, and the unit's usage now and before it opened."""
    if kind == "move_in":
        usage = "owner_occupied" if owner_named else "rented"
        return Completion(usage=None if usage == usage_now else usage,
                          owner_joins=owner_named and not owner_owns)
    if kind == "renovation":
        return Completion(usage=usage_restored(usage_now, usage_before))
    if kind == "move_out":
        return Completion(usage=None if usage_now == "vacant" else "vacant",
                          owner_leaves=owner_named and owner_owns)
    raise ValueError(f"unknown procedure kind {kind!r}")


def on_cancel(kind: str, usage_now: str, usage_before: str | None) -> str | None:
    """The unit's usage after a cancelled procedure (None: unchanged): a cancelled renovation
    gives the unit back its earlier usage; the other kinds changed nothing yet."""
    return usage_restored(usage_now, usage_before) if kind == "renovation" else None
