"""Putting a steward on duty and HR's decisions on suggested rewards and penalties."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import RewardPenalty, Staff
from models.queries import company_today, onboarding_scores, policy_at
from rules import staffing
from rules.refusal import N_, Refused


def put_on_duty(session: Session, person: Staff) -> None:
    """P-TRN-2: on duty only after passing the onboarding exam."""
    if person.status == "on_duty":
        return
    if person.position == "steward":
        staffing.check_may_go_on_duty(onboarding_scores(session, person.id),
                                      policy_at(session, company_today()))
    person.status = "on_duty"


def decide(suggestion: RewardPenalty, accepted: bool) -> None:
    """HR confirms or rejects a pending reward or penalty; a confirmed dismissal (P-RP-3)
    becomes a planned career move."""
    if suggestion.status != "pending":
        raise Refused(N_("Only a pending suggestion can be decided."))
    suggestion.status = "confirmed" if accepted else "rejected"
    suggestion.decided_on = company_today()
    if accepted and suggestion.kind == "dismissal":
        from .careers import plan_dismissal

        plan_dismissal(suggestion)
