"""Who may be hired and who may go on duty (P-REQ-1…4, P-TRN-1, P-TRN-2)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
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


# An onboarding session runs this many days from its start (sessions record only their first
# day): the weeks of a new hire's training, with a retake a week or two after the first exam.
ONBOARDING_RUNS_DAYS = 30


def current_onboarding_session(starts: Iterable[tuple[int, date]], today: date) -> int | None:
    """P-TRN-2: the onboarding session an exam recorded today belongs to, most likely — the
    latest one in progress (started within ONBOARDING_RUNS_DAYS), else the nearest one to
    come; None when there is neither. `starts` is (session id, first day)."""
    known = list(starts)
    running = [(day, pk) for pk, day in known
               if today - timedelta(days=ONBOARDING_RUNS_DAYS) < day <= today]
    if running:
        return max(running)[1]
    coming = [(day, pk) for pk, day in known if day > today]
    return min(coming)[1] if coming else None


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


# ---- career moves (P-CAR-1, P-CAR-2, P-RP-3) -------------------------------------------------
# P-CAR-1: the promotion path, lowest first.
PROMOTION_PATH = ("steward", "supervisor", "manager")
# A steward's post is in customer service; the department a transfer lands in decides
# whether the person is still a steward.
STEWARD_DEPARTMENT = "customer_service"
# P-RP-3: a confirmed dismissal takes effect this many days after HR's confirmation: the
# 30 days' written notice of the Labour Contract Law (art. 40) for an employee who, after
# training or adjustment, still cannot do the job. HR may change the date while planned.
DISMISSAL_NOTICE_DAYS = 30


def dismissal_date(confirmed_on: date) -> date:
    """P-RP-3: when a dismissal HR confirmed on `confirmed_on` takes effect by default."""
    return confirmed_on + timedelta(days=DISMISSAL_NOTICE_DAYS)


def check_career_move(kind: str, from_position: str | None, to_position: str | None,
                      from_department: str | None, to_department: str | None,
                      supervisor_changes: bool) -> None:
    """A career move as the policy allows it: a promotion one step up the path (P-CAR-1), a
    demotion down it, a transfer to another department or team (P-CAR-2); a dismissal
    (P-RP-3) changes nothing but the staff status."""
    if kind == "promotion":
        if from_position not in PROMOTION_PATH[:-1]:
            raise Refused(N_("Only a steward or a supervisor can be promoted (steward → "
                             "supervisor → manager)."))
        following = PROMOTION_PATH[PROMOTION_PATH.index(from_position) + 1]
        if to_position != following:
            raise Refused(N_("A promotion goes one step up the path steward → supervisor → "
                             "manager: from %(position)s only to %(next)s."),
                          position=from_position, next=following)
    elif kind == "demotion":
        if (from_position not in PROMOTION_PATH or to_position not in PROMOTION_PATH
                or PROMOTION_PATH.index(to_position) >= PROMOTION_PATH.index(from_position)):
            raise Refused(N_("A demotion goes down the path manager → supervisor → steward."))
    elif kind == "transfer":
        moves_department = to_department is not None and to_department != from_department
        moves_position = to_position is not None and to_position != from_position
        if not (moves_department or moves_position or supervisor_changes):
            raise Refused(N_("A transfer names the department, position or supervisor the "
                             "person moves to."))
    elif kind == "dismissal" and (to_position or to_department or supervisor_changes):
        raise Refused(N_("A dismissal moves the person to no position, department or "
                         "supervisor."))


def position_after(kind: str, from_position: str | None, to_position: str | None,
                   to_department: str | None) -> str | None:
    """The position a move leaves the person in: the one named, or for a steward
    transferred out of customer service "other" (P-CAR-2: marketing, customer relations…)."""
    if to_position:
        return to_position
    if (kind == "transfer" and from_position == "steward" and to_department
            and to_department != STEWARD_DEPARTMENT):
        return "other"
    return from_position


def leaves_steward_post(kind: str, from_position: str | None, to_position: str | None,
                        to_department: str | None) -> bool:
    """Whether a steward stops being a steward with this move, so their work is handed over
    first: a dismissal, or a move to another position or out of customer service. A move to
    another team within the post keeps the steward's units."""
    if from_position != "steward":
        return False
    if kind == "dismissal":
        return True
    return position_after(kind, from_position, to_position, to_department) != "steward" or (
        to_department is not None and to_department != STEWARD_DEPARTMENT)


def may_take_effect(status: str, effective_on: date, today: date) -> bool:
    """A planned (or waiting) move takes effect on its date, not before; once done or
    cancelled it is history."""
    return status in ("planned", "waiting") and effective_on <= today


def check_move_editable(status: str) -> None:
    """A move that took effect or was cancelled is a record of what happened."""
    if status in ("done", "cancelled"):
        raise Refused(N_("A career move that is done or cancelled cannot be changed."))


@dataclass(frozen=True)
class Candidate:
    """A steward who could take over another's work."""

    staff_id: int
    supervisor_id: int | None
    units: int


def propose_receiver(candidates: Iterable[Candidate], supervisor_id: int | None) -> int | None:
    """Whom to hand a leaving steward's work to: a steward on the same team with the fewest
    units, else anyone with the fewest units (ties: the earliest record)."""
    ranked = sorted(candidates, key=lambda c: (c.supervisor_id != supervisor_id, c.units,
                                               c.staff_id))
    return ranked[0].staff_id if ranked else None
