"""Guards of the records that close the loops of P-LOG-2 and P-COM-2: a summary's submitted
text; an action item's completion time. Registered in models/guards.py."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rules import summaries
from rules.refusal import N_, Refused

from .base import changed, old_value, utcnow
from .org import ActionItem
from .worklog import Summary


def guard_summary(session: Session, summary: Summary, is_new: bool) -> None:
    """Once submitted, the steward's text is the report the supervisor read, and stays as it
    is."""
    if not is_new:
        was = old_value(summary, "status") if changed(summary, "status") else summary.status
        if was == "submitted" and any(changed(summary, k) for k in summaries.STEWARD_TEXT):
            raise Refused(N_("This summary has been submitted: its text no longer changes."))
    if summary.status == "submitted" and summary.submitted_at is None:
        summary.submitted_at = utcnow()


def guard_action_item(session: Session, item: ActionItem, is_new: bool) -> None:
    """An item done records when; reopened or cancelled, it is not done any more."""
    if item.status == "done":
        item.done_at = item.done_at or utcnow()
    else:
        item.done_at = None
