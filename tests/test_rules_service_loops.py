"""The rules of dispatched work and of return visits, without an app (rules/dispatch.py,
rules/visits.py, rules/owner_feedback.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from rules import dispatch, visits
from rules.owner_feedback import survey_rating
from rules.policy import Policy
from rules.refusal import Refused

ENGINEER = dispatch.Actor("department", "engineering")
HEAD = dispatch.Actor("department", "engineering", is_head=True)
GUARD = dispatch.Actor("department", "security")
NOW = datetime(2026, 11, 20, 8, tzinfo=UTC)


def test_only_the_departments_own_staff_take_its_work_P_TKT_3():
    assert dispatch.take("waiting", ENGINEER, "engineering") == "taken"
    for outsider in (GUARD, dispatch.Actor("steward", "customer_service"),
                     dispatch.Actor("supervisor", "customer_service"),
                     dispatch.Actor("admin", "engineering")):
        with pytest.raises(Refused, match="Only the staff"):
            dispatch.take("waiting", outsider, "engineering")


def test_taken_work_is_not_taken_again_except_by_the_head():
    with pytest.raises(Refused, match="no longer waiting"):
        dispatch.take("taken", ENGINEER, "engineering")
    assert dispatch.take("taken", HEAD, "engineering") == "taken"
    with pytest.raises(Refused):
        dispatch.take("done", HEAD, "engineering")


def test_done_needs_what_was_done_by_the_taker_or_the_head():
    assert dispatch.finish("taken", ENGINEER, "engineering", True, " 换了阀门 ") == "换了阀门"
    with pytest.raises(Refused, match="Write what was done"):
        dispatch.finish("taken", ENGINEER, "engineering", True, "  ")
    with pytest.raises(Refused, match="Another colleague"):
        dispatch.finish("taken", ENGINEER, "engineering", False, "好了")
    assert dispatch.finish("taken", HEAD, "engineering", False, "好了") == "好了"
    with pytest.raises(Refused, match="Take the work"):
        dispatch.finish("waiting", ENGINEER, "engineering", False, "好了")


def test_notes_while_open_and_withdrawal_with_a_reason():
    assert dispatch.note("taken", ENGINEER, "engineering", "明早上门") == "明早上门"
    with pytest.raises(Refused, match="finished"):
        dispatch.note("done", ENGINEER, "engineering", "再看看")
    with pytest.raises(Refused, match="why the work is withdrawn"):
        dispatch.withdraw("taken", "")
    assert dispatch.withdraw("waiting", "业主自行修好") == "业主自行修好"
    with pytest.raises(Refused, match="already finished"):
        dispatch.withdraw("done", "不需要了")


def test_open_work_past_the_tickets_deadline_is_overdue_P_TKT_7():
    assert dispatch.overdue("taken", NOW - timedelta(minutes=1), NOW)
    assert not dispatch.overdue("done", NOW - timedelta(days=1), NOW)
    assert not dispatch.overdue("waiting", NOW + timedelta(hours=1), NOW)


def test_more_work_is_dispatched_while_handling_once_per_department_P_TKT_3():
    handling = ("engineering", "cleaning")
    dispatch.check_dispatch("in_progress", ["cleaning"], "engineering", handling)
    with pytest.raises(Refused, match="being handled"):
        dispatch.check_dispatch("resolved", [], "engineering", handling)
    with pytest.raises(Refused, match="already has"):
        dispatch.check_dispatch("in_progress", ["engineering"], "engineering", handling)
    with pytest.raises(Refused, match="Choose"):
        dispatch.check_dispatch("in_progress", [], "marketing", handling)


def test_a_ticket_waits_for_its_departments_before_it_is_resolved_P_TKT_3():
    dispatch.check_resolvable([])
    with pytest.raises(Refused) as refused:
        dispatch.check_resolvable(["security", "engineering"])
    assert refused.value.params == {"department": "engineering"}


def test_a_follow_up_comes_days_after_closing_P_OWN_3():
    assert visits.follow_up_day(date(2026, 11, 20)) == date(2026, 11, 23)
    assert visits.follow_up_day(date(2026, 11, 20), Policy(visit_after_close_days=7)) == \
        date(2026, 11, 27)


def test_the_regular_visit_is_an_interval_after_the_last_P_OWN_3():
    today = date(2026, 11, 20)
    assert visits.next_regular_day(date(2026, 10, 1), today, 5) == date(2026, 12, 30)
    # long due: caught up within the coming week, spread by the unit
    assert visits.next_regular_day(date(2026, 1, 1), today, 5) == today + timedelta(days=5)
    assert visits.next_regular_day(date(2026, 1, 1), today, 14) == today
    # never visited: spread over the coming interval by the unit
    assert visits.next_regular_day(None, today, 95) == today + timedelta(days=5)
    assert visits.next_regular_day(None, today, 95, Policy(visit_interval_days=30)) == \
        today + timedelta(days=5)


def test_due_today_and_overdue():
    today = date(2026, 11, 20)
    assert visits.visit_state(today, False, today) == "due"
    assert visits.visit_state(today - timedelta(days=1), False, today) == "overdue"
    assert visits.visit_state(today - timedelta(days=1), True, today) is None
    assert visits.visit_state(today + timedelta(days=1), False, today) is None


def test_the_survey_is_all_three_dimensions_and_its_lowest_P_KPI_1():
    assert survey_rating({}) is None
    assert survey_rating({"attitude": 5, "efficiency": 4, "solving": 3}) == 3
    with pytest.raises(Refused):
        survey_rating({"attitude": 5})
    with pytest.raises(Refused):
        survey_rating({"attitude": 6, "efficiency": 4, "solving": 3})


def test_a_visit_is_recorded_once_made():
    visits.check_visited_at(NOW, NOW)
    with pytest.raises(Refused):
        visits.check_visited_at(NOW + timedelta(hours=1), NOW)
    with pytest.raises(Refused, match="already made"):
        visits.check_needs_ticket("灯坏了", True)
    with pytest.raises(Refused, match="needs"):
        visits.check_needs_ticket(" ", False)


def test_an_action_items_done_note_is_refused_when_too_long_not_cut_P_COM_2():
    from rules.meetings import DONE_NOTE_MAX, done_note

    assert done_note("  已整理  ") == "已整理" and done_note(" ") is None
    with pytest.raises(Refused):
        done_note("长" * (DONE_NOTE_MAX + 1))
