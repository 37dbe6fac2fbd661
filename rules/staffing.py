"""Who may be hired and who may go on duty (P-REQ-1…4, P-TRN-1, P-TRN-2)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .policy import DEFAULT, Policy
from .refusal import N_, Refused

# Education levels in order; associate degree (大专) is the floor (P-REQ-1).
EDUCATION_ORDER = ("secondary", "associate", "bachelor", "master", "doctorate")
MINIMUM_EDUCATION = "associate"
# Majors the policy prefers, as people write them in Chinese or English.
PREFERRED_MAJORS = ("物业", "房地产", "营销", "市场", "property", "real estate", "marketing")


# ---- training gate --------------------------------------------------------------------------
def exam_passed(score: Decimal | None, policy: Policy = DEFAULT) -> bool:
    """P-TRN-2: an onboarding exam passes at the policy's pass mark or above."""
    return score is not None and Decimal(score) >= policy.exam_pass_mark


def next_attempt(previous_attempts: Iterable[int]) -> int:
    """Retakes are numbered: the first exam is attempt 1, each retake one more."""
    return max(previous_attempts, default=0) + 1


def check_may_go_on_duty(onboarding_scores: Iterable[Decimal | None],
                         policy: Policy = DEFAULT) -> None:
    """P-TRN-2: only a steward who passed the onboarding exam goes on duty."""
    if not any(exam_passed(score, policy) for score in onboarding_scores):
        raise Refused(
            N_("Not on duty until the onboarding exam is passed (pass mark %(mark)s)."),
            mark=policy.exam_pass_mark,
        )


def check_exam_change_keeps_duty(name: str, onboarding_scores: Iterable[Decimal | None],
                                 policy: Policy = DEFAULT) -> None:
    """P-TRN-2 after the fact: an on-duty steward's only passed onboarding exam cannot be
    lowered below the pass mark, moved or deleted while they are on duty; HR takes them off
    duty first (a correction then sends them back to the exam)."""
    if not any(exam_passed(score, policy) for score in onboarding_scores):
        raise Refused(
            N_("%(name)s is on duty on the strength of this onboarding exam (pass mark "
               "%(mark)s); take them off duty before changing or deleting it."),
            name=name, mark=policy.exam_pass_mark,
        )


def check_may_be_assigned(staff_status: str) -> None:
    """A steward takes units and tickets only when on duty."""
    if staff_status != "on_duty":
        raise Refused(N_("Only a steward on duty can be assigned units or tickets."))


# ---- hiring check ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Applicant:
    """What the hiring check reads off a staff record or a candidate."""

    birth_date: date | None
    education: str | None
    major: str | None
    property_years: Decimal
    steward_years: Decimal


@dataclass(frozen=True)
class HiringCheck:
    meets: bool
    reasons: tuple[tuple[str, dict], ...] = field(default=())  # (message id, params)
    preferred_major: bool = False


def age_on(birth_date: date, day: date) -> int:
    """Completed years on `day`."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def hiring_check(person: Applicant, on: date, policy: Policy = DEFAULT) -> HiringCheck:
    """P-REQ-1, P-REQ-2, P-REQ-4: every requirement the person fails, and the major plus.

    A requirement that cannot be checked (no birth date, no education) is a failing reason:
    HR must record it before the person can be said to meet the requirements."""
    reasons: list[tuple[str, dict]] = []
    if person.education is None:
        reasons.append((N_("Education not recorded."), {}))
    elif EDUCATION_ORDER.index(person.education) < EDUCATION_ORDER.index(MINIMUM_EDUCATION):
        reasons.append((N_("Education below associate degree."), {}))
    if person.birth_date is None:
        reasons.append((N_("Birth date not recorded."), {}))
    else:
        age = age_on(person.birth_date, on)
        if not policy.age_min <= age <= policy.age_max:
            reasons.append((
                N_("Age %(age)s is outside %(low)s–%(high)s."),
                {"age": age, "low": policy.age_min, "high": policy.age_max},
            ))
    if Decimal(person.property_years) < policy.min_property_years:
        reasons.append((
            N_("%(years)s years of property management, %(needed)s needed."),
            {"years": person.property_years, "needed": policy.min_property_years},
        ))
    if Decimal(person.steward_years) < policy.min_steward_years:
        reasons.append((
            N_("%(years)s years as a steward, %(needed)s needed."),
            {"years": person.steward_years, "needed": policy.min_steward_years},
        ))
    major = (person.major or "").lower()
    preferred = any(word in major for word in PREFERRED_MAJORS)
    return HiringCheck(not reasons, tuple(reasons), preferred)
