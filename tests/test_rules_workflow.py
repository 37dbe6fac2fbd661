"""The ticket workflow as pure rules (P-TKT-2…7): steps, refusals, reopening, deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.policy import Policy
from rules.refusal import Refused
from rules.workflow import (
    STATES,
    STEPS,
    deadline_state,
    is_legal_move,
    steps_from,
    take_step,
)

AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def walk(*steps, status="new", rework=0, **inputs):
    """Take `steps` in order from `status`; returns the final status and rework count."""
    for step in steps:
        outcome = take_step(status, step, at=AT, rework_count=rework, **inputs)
        status, rework = outcome.status, outcome.changes.get("rework_count", rework)
    return status, rework


def test_the_happy_path_goes_from_intake_to_closed_P_TKT_1_to_5():
    status, rework = walk("accept", "start", "resolve", "feedback", "close",
                          resolution="换了门锁", rating=5)
    assert (status, rework) == ("closed", 0)


def test_each_state_offers_only_its_next_step():
    assert [s.name for s in steps_from("new")] == ["accept"]
    assert [s.name for s in steps_from("resolved")] == ["feedback"]
    assert steps_from("closed") == []


@pytest.mark.parametrize("status", ["new", "accepted", "in_progress", "resolved", "closed"])
def test_closing_without_feedback_is_refused_P_TKT_5(status):
    with pytest.raises(Refused, match="cannot take the step close"):
        take_step(status, "close", at=AT)


def test_resolving_needs_the_resolution_text():
    with pytest.raises(Refused, match="Write how"):
        take_step("in_progress", "resolve", at=AT, resolution="   ")
    outcome = take_step("in_progress", "resolve", at=AT, resolution=" 已修复 ")
    assert outcome.changes == {"status": "resolved", "resolution": "已修复", "resolved_at": AT}


@pytest.mark.parametrize("rating", [None, 0, 6])
def test_feedback_needs_a_rating_from_1_to_5_P_TKT_5(rating):
    with pytest.raises(Refused, match="1 to 5"):
        take_step("resolved", "feedback", at=AT, rating=rating)


@pytest.mark.parametrize(("rating", "status", "rework"), [
    (1, "in_progress", 3), (2, "in_progress", 3), (3, "feedback_given", 2),
    (5, "feedback_given", 2),
])
def test_a_dissatisfied_rating_reopens_and_counts_a_rework_P_TKT_6(rating, status, rework):
    outcome = take_step("resolved", "feedback", at=AT, rating=rating, rework_count=2)
    assert outcome.status == status
    assert outcome.changes.get("rework_count", 2) == rework
    assert outcome.reopened == (status == "in_progress")
    if outcome.reopened:  # the next resolution decides "on time"
        assert outcome.changes["resolved_at"] is None


def test_the_dissatisfaction_line_follows_the_policy_P_TKT_6():
    strict = Policy(dissatisfied_at_or_below=3)
    assert take_step("resolved", "feedback", at=AT, rating=3, policy=strict).reopened


def test_handling_is_on_the_spot_or_dispatched_to_a_department_P_TKT_3():
    """P-COORD-1: what the steward cannot solve goes to an internal department (engineering
    here), and only to one of the departments the policy names."""
    on_spot = take_step("accepted", "start", at=AT)
    assert on_spot.changes | {} == {"status": "in_progress", "department": None,
                                    "solved_on_spot": True}
    sent = take_step("accepted", "start", at=AT, department="engineering")
    assert sent.changes["solved_on_spot"] is False
    with pytest.raises(Refused, match="Unknown department"):
        take_step("accepted", "start", at=AT, department="kitchen")


def test_an_unknown_step_is_refused():
    with pytest.raises(Refused, match="Unknown step"):
        take_step("new", "teleport", at=AT)


def test_legal_moves_are_the_steps_and_the_reopening():
    assert is_legal_move("resolved", "in_progress")
    assert is_legal_move("new", "accepted")
    assert not is_legal_move("new", "closed")
    assert not is_legal_move("closed", "in_progress")


def test_overdue_and_due_soon_apply_to_open_tickets_only_P_TKT_7():
    due = AT + timedelta(hours=3)
    assert deadline_state("in_progress", due, AT) is None
    assert deadline_state("in_progress", due, due - timedelta(hours=2)) == "due_soon"
    assert deadline_state("accepted", due, due) == "due_soon"
    assert deadline_state("new", due, due + timedelta(seconds=1)) == "overdue"
    assert deadline_state("resolved", due, due + timedelta(days=1)) is None
    assert deadline_state("in_progress", due, AT, Policy(due_soon_hours=4)) == "due_soon"


# ---- properties -----------------------------------------------------------------------------
STEP_TRIES = st.lists(
    st.tuples(st.sampled_from(sorted(STEPS)), st.integers(min_value=0, max_value=6),
              st.sampled_from([None, "", "已处理"])),
    max_size=30,
)


@given(STEP_TRIES)
def test_no_sequence_of_steps_reaches_closed_without_a_satisfied_rating(tries):
    """Whatever is tried in whatever order, closed is reached only through a rating above
    the dissatisfaction line, and a refused step changes nothing (P-TKT-5, P-TKT-6)."""
    status, rework, last_rating = "new", 0, None
    for step, rating, resolution in tries:
        try:
            outcome = take_step(status, step, at=AT, rework_count=rework, rating=rating,
                                resolution=resolution)
        except Refused:
            continue
        assert is_legal_move(status, outcome.status)
        if step == "feedback":
            last_rating = rating
        if outcome.status == "closed":
            assert status == "feedback_given" and last_rating > 2
        status = outcome.status
        rework = outcome.changes.get("rework_count", rework)
        assert status in STATES


@given(st.integers(min_value=0, max_value=1000), st.integers(min_value=1, max_value=5))
def test_a_reopened_ticket_always_counts_one_more_rework(rework, rating):
    outcome = take_step("resolved", "feedback", at=AT, rating=rating, rework_count=rework)
    if outcome.status == "in_progress":
        assert outcome.reopened and outcome.changes["rework_count"] == rework + 1
    else:
        assert "rework_count" not in outcome.changes
