"""The procedure rules on their own (rules/procedures.py, P-COORD-3): checklists, when a
procedure may complete, and what completing or cancelling it changes."""

from __future__ import annotations

from datetime import date

import pytest

from rules import procedures
from rules.policy import DEFAULT, Policy
from rules.refusal import Refused

DAY = date(2026, 11, 20)


def test_a_checklist_is_one_step_per_non_blank_line_P_COORD_3():
    assert procedures.steps_of(" 资料核验 \r\n\r\n费用结清\n  \n") == ("资料核验", "费用结清")
    assert DEFAULT.checklist("move_out") == ("费用结清", "抄表", "钥匙交回")
    assert Policy(checklist_move_in="甲\n乙").checklist("move_in") == ("甲", "乙")
    with pytest.raises(Refused):
        procedures.check_checklist(" \n \n")
    with pytest.raises(Refused):
        procedures.check_checklist("x" * 101)
    procedures.check_checklist("x" * 100)


def test_a_procedure_completes_only_when_every_step_is_done_P_COORD_3():
    done, left = [("资料核验", True), ("钥匙交付", True)], [("资料核验", True), ("抄表", False)]
    procedures.check_may_complete("open", done, DAY, DAY)
    with pytest.raises(Refused) as refused:
        procedures.check_may_complete("open", left, DAY, DAY)
    assert refused.value.params == {"steps": "抄表"}
    with pytest.raises(Refused):  # not before it starts
        procedures.check_may_complete("open", done, date(2026, 11, 21), DAY)
    for status in ("completed", "cancelled"):
        with pytest.raises(Refused):
            procedures.check_may_complete(status, done, DAY, DAY)


def test_a_procedure_moves_only_from_open_and_its_steps_only_while_open_P_COORD_3():
    procedures.check_status_move("open", "completed")
    procedures.check_status_move("open", "cancelled")
    for before, after in (("completed", "open"), ("cancelled", "open"),
                          ("completed", "cancelled")):
        with pytest.raises(Refused):
            procedures.check_status_move(before, after)
    procedures.check_steps_may_change("open")
    with pytest.raises(Refused):
        procedures.check_steps_may_change("completed")


def test_what_completion_changes_by_kind_P_COORD_3():
    completion = procedures.completion
    # a move-in: the named owner lives there, and owns it if not yet; a tenant rents it
    assert completion("move_in", owner_named=True, owner_owns=False, usage_now="vacant",
                      usage_before=None) == procedures.Completion("owner_occupied", True, False)
    assert completion("move_in", owner_named=True, owner_owns=True, usage_now="vacant",
                      usage_before=None) == procedures.Completion("owner_occupied")
    assert completion("move_in", owner_named=False, owner_owns=False, usage_now="vacant",
                      usage_before=None) == procedures.Completion("rented")
    # a move-out: vacant; the named owner's ownership ends, a tenant's leaving ends none
    assert completion("move_out", owner_named=True, owner_owns=True, usage_now="rented",
                      usage_before=None) == procedures.Completion("vacant", False, True)
    assert completion("move_out", owner_named=False, owner_owns=False, usage_now="rented",
                      usage_before=None) == procedures.Completion("vacant")
    # a renovation: back to what it was, unless someone changed the unit meanwhile
    assert completion("renovation", owner_named=True, owner_owns=True,
                      usage_now="renovating", usage_before="rented").usage == "rented"
    assert completion("renovation", owner_named=True, owner_owns=True,
                      usage_now="vacant", usage_before="rented").usage is None
    assert completion("renovation", owner_named=True, owner_owns=True,
                      usage_now="renovating", usage_before=None).usage == "owner_occupied"


def test_a_renovation_marks_its_unit_and_a_cancelled_one_gives_it_back_P_COORD_3():
    assert procedures.usage_while_open("renovation") == "renovating"
    assert procedures.usage_while_open("move_in") is None
    assert procedures.on_cancel("renovation", "renovating", "vacant") == "vacant"
    assert procedures.on_cancel("move_in", "vacant", None) is None
