"""The policy's numbers, with the defaults of POLICY.md."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

from .procedures import checklist_text, steps_of

D = Decimal


@dataclass(frozen=True)
class Policy:
    """One version of the company's policy numbers. Weights are percentages."""

    weight_satisfaction: Decimal = D("35")  # P-KPI-1
    weight_collection: Decimal = D("30")  # P-KPI-2
    weight_on_time: Decimal = D("20")  # P-KPI-3
    weight_task: Decimal = D("15")  # P-KPI-4
    grade_excellent: Decimal = D("90")
    grade_good: Decimal = D("75")
    grade_pass: Decimal = D("60")
    bonus_excellent: Decimal = D("1.2")  # P-ASM-1
    bonus_good: Decimal = D("1.0")
    bonus_pass: Decimal = D("0.8")
    bonus_fail: Decimal = D("0")
    annual_weight_monthly: Decimal = D("60")  # P-ASM-2
    annual_weight_owner: Decimal = D("25")
    annual_weight_performance: Decimal = D("15")
    deadline_p1_hours: int = 4  # P-TKT-7
    deadline_p2_hours: int = 24
    deadline_p3_hours: int = 48
    deadline_p4_hours: int = 72
    due_soon_hours: int = 2
    dissatisfied_at_or_below: int = 2  # P-TKT-6
    exam_pass_mark: Decimal = D("60")  # P-TRN-2
    age_min: int = 22  # P-REQ-2
    age_max: int = 45
    min_property_years: Decimal = D("2")  # P-REQ-4
    min_steward_years: Decimal = D("1")
    # Readings of the policy a company may choose otherwise (docs/workflow.md).
    satisfaction_scale: str = "share_of_best"  # P-KPI-1: or "linear" (1 → 0, 5 → 100)
    owner_evaluation_prefill: bool = False  # P-ASM-2: start from the year's satisfaction
    # P-ASM-1: the monthly performance bonus is factor × the position's base (yuan); the
    # policy names no amounts, so none until the company sets them.
    bonus_base_steward: Decimal = D("0")
    bonus_base_supervisor: Decimal = D("0")
    bonus_base_manager: Decimal = D("0")
    bonus_base_other: Decimal = D("0")
    # P-OWN-3: a follow-up visit N days after a ticket closes; every owner visited each M days
    # (the policy says "regularly"; a quarter is the default)
    visit_after_close_days: int = 3
    visit_interval_days: int = 90
    # P-COORD-3: each procedure's checklist, one step per line (rules/procedures.py)
    checklist_move_in: str = checklist_text("move_in")
    checklist_renovation: str = checklist_text("renovation")
    checklist_move_out: str = checklist_text("move_out")

    def checklist(self, kind: str) -> tuple[str, ...]:
        """The steps a procedure of `kind` opened under this policy follows."""
        return steps_of(getattr(self, f"checklist_{kind}"))

    def bonus_base(self, position: str) -> Decimal:
        return getattr(self, f"bonus_base_{position}")

    @classmethod
    def from_record(cls, record: object) -> Policy:
        """Read the numbers off any object with the same attribute names (a settings row)."""
        return cls(**{f.name: getattr(record, f.name) for f in fields(cls)})

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEFAULT = Policy()
