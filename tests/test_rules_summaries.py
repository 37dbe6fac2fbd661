"""The pure rules of summaries, work-log days and action items (P-LOG-1, P-LOG-2, P-COM-2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rules import meetings, summaries
from rules.refusal import Refused
from rules.reminders import last_working_day_before, work_log_expected


def test_a_week_runs_monday_to_sunday_and_a_month_is_the_calendar_month_P_LOG_2():
    assert summaries.period_bounds("weekly", date(2026, 11, 9)) == (date(2026, 11, 9),
                                                                    date(2026, 11, 15))
    assert summaries.period_bounds("monthly", date(2026, 12, 1)) == (date(2026, 12, 1),
                                                                     date(2026, 12, 31))
    assert summaries.period_bounds("monthly", date(2026, 2, 1))[1] == date(2026, 2, 28)
    # typed in from another day: the month from that day
    assert summaries.period_bounds("monthly", date(2026, 1, 31))[1] == date(2026, 2, 27)
    assert summaries.period_containing("weekly", date(2026, 11, 20)) == date(2026, 11, 16)


def test_yesterdays_log_is_the_last_working_days_P_LOG_1():
    assert last_working_day_before(date(2026, 11, 20)) == date(2026, 11, 19)  # Friday
    for today in (date(2026, 11, 21), date(2026, 11, 22), date(2026, 11, 23)):
        assert last_working_day_before(today) == date(2026, 11, 20)
    assert not work_log_expected("steward", "on_duty", None, date(2026, 11, 21))
    assert work_log_expected("steward", "on_duty", date(2026, 11, 2), date(2026, 11, 20))
    assert not work_log_expected("steward", "onboarding", None, date(2026, 11, 20))
    assert summaries.working_days(date(2026, 10, 1), date(2026, 10, 31)) == 22


def test_the_opening_text_says_what_the_records_say_P_LOG_2():
    figures = summaries.Figures(date(2026, 10, 1), date(2026, 10, 31), logs_written=20,
                                logs_expected=22, received=7, resolved=6, overdue=2,
                                counted=7, reworked=1, visits=3, visit_ratings=(5, 4),
                                reminders=4, receivable=Decimal("200.00"),
                                collected=Decimal("150.00"),
                                log_lines=((date(2026, 10, 9), "报修 2 件", "", "回访 1 户"),))
    text = summaries.compose(figures)
    assert text[2][1] == {"visits": 3, "rated": 2, "mean": "4.5"}
    assert text[4][1]["rate"] == "75.00"
    assert text[-1][1] == {"day": "2026-10-09", "needs": "报修 2 件", "handled": "—",
                           "feedback": "回访 1 户"}
    again = summaries.Figures.from_stored(figures.stored())
    assert again == figures and summaries.compose(again, with_logs=False) == text[:-1]
    empty = summaries.Figures(date(2026, 10, 1), date(2026, 10, 31))
    assert [m for m, _ in summaries.compose(empty)][-1].startswith("Collection: no bills")


def test_a_summary_is_submitted_once_and_not_empty_P_LOG_2():
    summaries.check_submit("draft", [None, "漏水集中"])
    with pytest.raises(Refused):
        summaries.check_submit("draft", [None, " "])
    with pytest.raises(Refused):
        summaries.check_submit("submitted", ["写好了"])


def test_an_item_is_overdue_from_the_day_after_its_date_and_only_holders_cancel_P_COM_2():
    assert not meetings.is_overdue("open", date(2026, 11, 20), date(2026, 11, 20))
    assert meetings.is_overdue("open", date(2026, 11, 19), date(2026, 11, 20))
    assert not meetings.is_overdue("done", date(2026, 11, 1), date(2026, 11, 20))
    meetings.check_status_change("open", "done", holds_meetings=False)
    meetings.check_status_change("done", "open", holds_meetings=False)
    meetings.check_status_change("open", "cancelled", holds_meetings=True)
    with pytest.raises(Refused):
        meetings.check_status_change("open", "cancelled", holds_meetings=False)
    with pytest.raises(Refused):
        meetings.check_status_change("cancelled", "open", holds_meetings=False)
