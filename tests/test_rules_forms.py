"""The rules behind the forms that help: numbering series, one primary owner at a time
(P-OWN-1), and the onboarding session an exam belongs to (P-TRN-2)."""

from __future__ import annotations

from datetime import date

import pytest

from rules.numbering import SERIES, highest_count
from rules.ownership import check_one_primary, overlap
from rules.refusal import Refused
from rules.staffing import ONBOARDING_RUNS_DAYS, current_onboarding_session

NOV = date(2026, 11, 20)


def test_a_ticket_number_is_the_month_and_a_count_of_four_digits_or_more():
    tickets = SERIES["ticket"]
    assert tickets.number(NOV, 1) == "T202611-0001"
    assert tickets.number(NOV, 10000) == "T202611-10000"
    assert SERIES["receipt"].number(NOV, 42) == "R202611-000042"


def test_only_numbers_of_the_same_month_and_form_count_where_a_series_starts():
    tickets = SERIES["ticket"]
    assert tickets.count_of("T202611-0042", NOV) == 42
    assert tickets.count_of("T202610-0042", NOV) is None  # another month
    assert tickets.count_of("T202611-V555", NOV) is None  # a number of another form
    assert tickets.count_of("TW-0001", NOV) is None
    codes = ["T202611-0042", "T202611-0607", "T202611-V9999", "T202612-9999", None]
    assert highest_count(tickets, NOV, codes) == 607
    assert highest_count(tickets, NOV, []) == 0


def test_stretches_of_ownership_overlap_when_they_share_a_day():
    jan, feb, mar = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
    assert overlap(jan, None, feb, None)
    assert overlap(jan, mar, feb, None)
    assert not overlap(jan, feb, feb, None)  # `until` is the first day no longer owned
    assert not overlap(feb, None, jan, feb)
    assert not overlap(feb, feb, jan, None)  # ended the day it began: no day at all


def test_a_second_primary_owner_at_the_same_time_is_refused_P_OWN_1():
    with pytest.raises(Refused) as refused:
        check_one_primary(date(2026, 11, 1), None, [("张伟", date(2020, 5, 1), None)])
    assert refused.value.params == {"owner": "张伟", "since": date(2020, 5, 1)}
    # after the first ownership ended, the unit takes its next primary owner
    check_one_primary(date(2026, 11, 1), None, [("张伟", date(2020, 5, 1), date(2026, 11, 1))])


def test_the_exam_form_offers_the_session_in_progress_else_the_next_one_P_TRN_2():
    old, running, later = (1, date(2026, 3, 1)), (2, date(2026, 11, 3)), (3, date(2026, 12, 7))
    assert current_onboarding_session([old, running, later], NOV) == 2
    assert current_onboarding_session([old, later], NOV) == 3
    assert current_onboarding_session([old], NOV) is None
    long_ago = date.fromordinal(NOV.toordinal() - ONBOARDING_RUNS_DAYS)
    assert current_onboarding_session([(4, long_ago)], NOV) is None
    assert current_onboarding_session([(5, NOV)], NOV) == 5  # starting today
