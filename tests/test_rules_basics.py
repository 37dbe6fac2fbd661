"""The first rules: ticket priority and deadlines, the monthly amount of a bill."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from rules.billing import monthly_amount
from rules.policy import DEFAULT, Policy
from rules.workflow import due_at, on_time, priority


@pytest.mark.parametrize(("urgent", "important", "level"), [
    (True, True, "P1"), (True, False, "P2"), (False, True, "P3"), (False, False, "P4"),
])
def test_priority_from_urgency_and_importance_P_TKT_2(urgent, important, level):
    assert priority(urgent, important) == level


@pytest.mark.parametrize(("level", "hours"), [("P1", 4), ("P2", 24), ("P3", 48), ("P4", 72)])
def test_default_deadlines_count_from_intake_P_TKT_7(level, hours):
    intake = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    assert (due_at(intake, level) - intake).total_seconds() == hours * 3600


def test_a_deadline_follows_the_policy_it_is_given():
    intake = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    assert due_at(intake, "P1", Policy(deadline_p1_hours=2)).hour == 3


def test_resolved_exactly_at_the_deadline_is_on_time_P_TKT_7():
    due = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
    assert on_time(due, due)
    assert not on_time(due.replace(minute=1), due)
    assert not on_time(None, due)


def test_amount_is_area_times_rate_rounded_half_up_to_the_fen_P_FEE_1():
    assert monthly_amount("per_m2", Decimal("2.35"), Decimal("89.37")) == Decimal("210.02")
    assert monthly_amount("per_m2", Decimal("2.50"), Decimal("0.01")) == Decimal("0.03")
    assert monthly_amount("fixed", Decimal("150"), Decimal("89.37")) == Decimal("150.00")
    with pytest.raises(ValueError):
        monthly_amount("per_hour", Decimal("1"), Decimal("1"))


def test_default_policy_is_the_one_in_POLICY_md():
    assert (DEFAULT.weight_satisfaction, DEFAULT.weight_collection, DEFAULT.weight_on_time,
            DEFAULT.weight_task) == (35, 30, 20, 15)
    assert (DEFAULT.grade_excellent, DEFAULT.grade_good, DEFAULT.grade_pass) == (90, 75, 60)
    assert DEFAULT.exam_pass_mark == 60
    assert (DEFAULT.age_min, DEFAULT.age_max) == (22, 45)


def test_policy_setting_defaults_match_the_rules_defaults(app, db):
    """The settings row a new company starts with says the same as rules.policy.DEFAULT."""
    import sqlalchemy as sa

    from extensions import db as database
    from models import PolicySetting

    with app.app_context():
        setting = database.session.scalar(sa.select(PolicySetting))
        # bonus bases are amounts POLICY.md leaves to the company; the demo company sets them
        bases = {f"bonus_base_{p}": getattr(DEFAULT, f"bonus_base_{p}")
                 for p in ("steward", "supervisor", "manager", "other")}
        assert replace(Policy.from_record(setting), **bases) == DEFAULT


def test_rules_import_neither_flask_nor_sqlalchemy():
    import ast
    from pathlib import Path

    for path in Path(__file__).resolve().parents[1].joinpath("rules").glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {
            (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert not any(name.split(".")[0] in {"flask", "sqlalchemy", "flask_sqlalchemy"}
                       for name in imported), path.name

