"""Who goes on duty (P-TRN-2) and who meets the hiring requirements (P-REQ-1, -2, -4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rules.policy import Policy
from rules.refusal import Refused
from rules.staffing import (
    Applicant,
    check_may_be_assigned,
    check_may_go_on_duty,
    exam_passed,
    hiring_check,
    next_attempt,
)

D = Decimal
DAY = date(2026, 11, 20)


def person(**changes) -> Applicant:
    values = dict(birth_date=date(1995, 5, 1), education="associate", major="工商管理",
                  property_years=D("3"), steward_years=D("1.5"))
    return Applicant(**(values | changes))


@pytest.mark.parametrize(("score", "passed"), [
    (D("60"), True), (D("59.9"), False), (D("100"), True), (None, False)])
def test_the_onboarding_exam_passes_at_the_pass_mark_P_TRN_2(score, passed):
    assert exam_passed(score) is passed


def test_the_pass_mark_follows_the_policy_P_TRN_2():
    assert not exam_passed(D("65"), Policy(exam_pass_mark=D("70")))


def test_a_steward_goes_on_duty_only_after_passing_P_TRN_2():
    with pytest.raises(Refused, match="onboarding exam"):
        check_may_go_on_duty([D("55"), None])
    with pytest.raises(Refused):
        check_may_go_on_duty([])
    check_may_go_on_duty([D("55"), D("78")])  # passed on the retake


def test_retakes_are_numbered_P_TRN_2():
    assert next_attempt([]) == 1
    assert next_attempt([1, 2]) == 3


@pytest.mark.parametrize("status", ["candidate", "onboarding", "suspended", "left"])
def test_only_a_steward_on_duty_takes_units_or_tickets_P_TRN_2(status):
    with pytest.raises(Refused, match="on duty"):
        check_may_be_assigned(status)
    check_may_be_assigned("on_duty")


def test_a_person_meeting_every_requirement_P_REQ():
    check = hiring_check(person(), DAY)
    assert check.meets and check.reasons == ()
    assert not check.preferred_major


def test_every_failing_reason_is_given_P_REQ_1_2_4():
    check = hiring_check(person(education="secondary", birth_date=date(1960, 1, 1),
                                property_years=D("1.5"), steward_years=D("0.5")), DAY)
    assert not check.meets
    assert [message for message, _ in check.reasons] == [
        "Education below associate degree.",
        "Age %(age)s is outside %(low)s–%(high)s.",
        "%(years)s years of property management, %(needed)s needed.",
        "%(years)s years as a steward, %(needed)s needed.",
    ]
    assert check.reasons[1][1] == {"age": 66, "low": 22, "high": 45}


@pytest.mark.parametrize(("born", "meets"), [
    (date(2004, 11, 20), True),   # 22 today
    (date(2004, 11, 21), False),  # 22 tomorrow
    (date(1980, 11, 21), True),   # 45, 46 tomorrow
    (date(1980, 11, 20), False),  # 46 today
])
def test_age_22_to_45_inclusive_on_the_check_date_P_REQ_2(born, meets):
    assert hiring_check(person(birth_date=born), DAY).meets is meets


def test_unrecorded_facts_are_reasons_not_passes():
    check = hiring_check(person(birth_date=None, education=None), DAY)
    assert [m for m, _ in check.reasons] == ["Education not recorded.",
                                             "Birth date not recorded."]


@pytest.mark.parametrize("major", ["物业管理", "房地产经营管理", "市场营销", "Real Estate"])
def test_a_preferred_major_is_a_plus_not_a_requirement_P_REQ_1(major):
    check = hiring_check(person(major=major), DAY)
    assert check.preferred_major and check.meets


def test_experience_thresholds_follow_the_policy_P_REQ_4():
    assert hiring_check(person(property_years=D("2"), steward_years=D("1")), DAY).meets
    assert not hiring_check(person(), DAY, Policy(min_property_years=D("5"))).meets


# ---- career moves (P-CAR-1, P-CAR-2, P-RP-3) -------------------------------------------------
def test_promotion_goes_one_step_up_the_path_P_CAR_1():
    from rules.staffing import check_career_move

    check_career_move("promotion", "steward", "supervisor", None, None, False)
    check_career_move("promotion", "supervisor", "manager", None, None, False)
    for before, after in (("steward", "manager"), ("manager", "manager"),
                          ("supervisor", "steward"), ("other", "supervisor")):
        with pytest.raises(Refused):
            check_career_move("promotion", before, after, None, None, False)


def test_demotion_goes_down_the_path_P_CAR_1():
    from rules.staffing import check_career_move

    check_career_move("demotion", "manager", "steward", None, None, False)
    with pytest.raises(Refused):
        check_career_move("demotion", "steward", "supervisor", None, None, False)


def test_a_transfer_to_marketing_leaves_the_steward_post_P_CAR_2():
    from rules.staffing import check_career_move, leaves_steward_post, position_after

    check_career_move("transfer", "steward", None, "customer_service", "marketing", False)
    assert position_after("transfer", "steward", None, "marketing") == "other"
    assert leaves_steward_post("transfer", "steward", None, "client_relations")
    # another team within the post keeps the units; a transfer must move something
    check_career_move("transfer", "steward", None, "customer_service", None, True)
    assert not leaves_steward_post("transfer", "steward", None, None)
    with pytest.raises(Refused):
        check_career_move("transfer", "steward", None, "customer_service",
                          "customer_service", False)


def test_a_confirmed_dismissal_takes_effect_after_30_days_notice_P_RP_3():
    from rules.staffing import check_career_move, dismissal_date, leaves_steward_post

    assert dismissal_date(date(2026, 11, 20)) == date(2026, 12, 20)
    assert leaves_steward_post("dismissal", "steward", None, None)
    with pytest.raises(Refused):
        check_career_move("dismissal", "steward", "manager", None, None, False)


def test_a_move_takes_effect_on_its_date_and_is_then_history():
    from rules.staffing import check_move_editable, may_take_effect

    assert not may_take_effect("planned", date(2026, 12, 1), date(2026, 11, 30))
    assert may_take_effect("planned", date(2026, 12, 1), date(2026, 12, 1))
    assert may_take_effect("waiting", date(2026, 12, 1), date(2026, 12, 5))
    assert not may_take_effect("done", date(2026, 12, 1), date(2026, 12, 5))
    with pytest.raises(Refused):
        check_move_editable("done")


def test_the_receiver_proposed_is_on_the_same_team_with_the_fewest_units():
    from rules.staffing import Candidate, propose_receiver

    found = [Candidate(1, 9, 10), Candidate(2, 3, 50), Candidate(3, 3, 40)]
    assert propose_receiver(found, 3) == 3
    assert propose_receiver(found, 7) == 1
    assert propose_receiver([], 3) is None
