"""Policy settings (data, with an effective date) and the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from rules.procedures import checklist_text

from .base import Base, Choices, Entity, choice, prefix, trigram, utcnow

D = Decimal
SATISFACTION_SCALE = Choices(
    "satisfaction_scale",
    share_of_best=_l("Share of the best rating (1 → 20, 5 → 100)"),
    linear=_l("Linear (1 → 0, 3 → 50, 5 → 100)"),
)


def _num(default: str, precision: int = 5, scale: int = 2, **info):
    return mapped_column(sa.Numeric(precision, scale), default=D(default), info=info)


def _checklist(kind: str):
    return mapped_column(sa.Text, default=checklist_text(kind),
                         server_default=checklist_text(kind))


class PolicySetting(Entity):
    """The company's numbers for its policy, in force from `effective_from` (POLICY.md defaults).

    A score records the setting row it was computed under, so an old score stays explainable.
    """

    __tablename__ = "policy_setting"
    __table_args__ = (
        sa.CheckConstraint(
            "weight_satisfaction + weight_collection + weight_on_time + weight_task = 100",
            name="kpi_weights_sum_100",
        ),
        sa.CheckConstraint(
            "annual_weight_monthly + annual_weight_owner + annual_weight_performance = 100",
            name="annual_weights_sum_100",
        ),
        sa.CheckConstraint(
            "grade_excellent > grade_good AND grade_good > grade_pass", name="grades_ordered"
        ),
        sa.CheckConstraint("age_min <= age_max", name="age_range_ordered"),
    )

    effective_from: Mapped[date] = mapped_column(unique=True)
    note: Mapped[str | None] = mapped_column(sa.String(200))
    # P-KPI weights (percent)
    weight_satisfaction: Mapped[Decimal] = _num("35", min=0, max=100)
    weight_collection: Mapped[Decimal] = _num("30", min=0, max=100)
    weight_on_time: Mapped[Decimal] = _num("20", min=0, max=100)
    weight_task: Mapped[Decimal] = _num("15", min=0, max=100)
    # grades: lower bounds
    grade_excellent: Mapped[Decimal] = _num("90", min=0, max=100)
    grade_good: Mapped[Decimal] = _num("75", min=0, max=100)
    grade_pass: Mapped[Decimal] = _num("60", min=0, max=100)
    # P-ASM-1 bonus factors
    bonus_excellent: Mapped[Decimal] = _num("1.2", 4, 2, min=0)
    bonus_good: Mapped[Decimal] = _num("1.0", 4, 2, min=0)
    bonus_pass: Mapped[Decimal] = _num("0.8", 4, 2, min=0)
    bonus_fail: Mapped[Decimal] = _num("0", 4, 2, min=0)
    # P-ASM-2 annual weights (percent)
    annual_weight_monthly: Mapped[Decimal] = _num("60", min=0, max=100)
    annual_weight_owner: Mapped[Decimal] = _num("25", min=0, max=100)
    annual_weight_performance: Mapped[Decimal] = _num("15", min=0, max=100)
    # P-TKT-7 resolution deadlines (hours from intake)
    deadline_p1_hours: Mapped[int] = mapped_column(default=4, info={"min": 1})
    deadline_p2_hours: Mapped[int] = mapped_column(default=24, info={"min": 1})
    deadline_p3_hours: Mapped[int] = mapped_column(default=48, info={"min": 1})
    deadline_p4_hours: Mapped[int] = mapped_column(default=72, info={"min": 1})
    due_soon_hours: Mapped[int] = mapped_column(default=2, info={"min": 0})
    # P-TKT-6: a rating at or below this reopens the ticket
    dissatisfied_at_or_below: Mapped[int] = mapped_column(default=2, info={"min": 1, "max": 5})
    # P-TRN-2 exam pass mark
    exam_pass_mark: Mapped[Decimal] = _num("60", min=0, max=100)
    # P-REQ-2 and P-REQ-4
    age_min: Mapped[int] = mapped_column(default=22, info={"min": 16, "max": 70})
    age_max: Mapped[int] = mapped_column(default=45, info={"min": 16, "max": 70})
    min_property_years: Mapped[Decimal] = _num("2", 4, 1, min=0)
    min_steward_years: Mapped[Decimal] = _num("1", 4, 1, min=0)
    # Readings of the policy the company may choose otherwise (docs/workflow.md)
    satisfaction_scale: Mapped[str] = choice(SATISFACTION_SCALE, default="share_of_best")
    owner_evaluation_prefill: Mapped[bool] = mapped_column(default=False)
    # P-ASM-1 monthly performance bonus base per position (yuan; factor × base)
    bonus_base_steward: Mapped[Decimal] = _num("0", 10, 2, min=0)
    bonus_base_supervisor: Mapped[Decimal] = _num("0", 10, 2, min=0)
    bonus_base_manager: Mapped[Decimal] = _num("0", 10, 2, min=0)
    bonus_base_other: Mapped[Decimal] = _num("0", 10, 2, min=0)
    # P-OWN-3 return visits: a follow-up this many days after a ticket closes, and a regular
    # visit to every owner at this interval (days)
    visit_after_close_days: Mapped[int] = mapped_column(default=3, server_default="3",
                                                        info={"min": 0, "max": 60})
    visit_interval_days: Mapped[int] = mapped_column(default=90, server_default="90",
                                                     info={"min": 7, "max": 730})
    # P-COORD-3 checklists, one step per line: a procedure copies its kind's on its start date
    checklist_move_in: Mapped[str] = _checklist("move_in")
    checklist_renovation: Mapped[str] = _checklist("renovation")
    checklist_move_out: Mapped[str] = _checklist("move_out")

    def __str__(self) -> str:
        return f"{self.effective_from}"


class ImportBatch(Entity):
    """One spreadsheet import: its change set in the audit trail, and whether it was undone."""

    __tablename__ = "import_batch"

    change_set: Mapped[str] = mapped_column(sa.String(36), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str | None] = mapped_column(sa.String(80))

    def __str__(self) -> str:
        return self.filename


class AuditEntry(Base):
    """Who changed what, when: one row per record touched, grouped by change set."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_set: Mapped[str] = mapped_column(sa.String(36), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    username: Mapped[str | None] = mapped_column(sa.String(80), index=True)
    action: Mapped[str] = mapped_column(sa.String(10))
    entity: Mapped[str] = mapped_column(sa.String(50))
    entity_id: Mapped[int | None]
    entity_version: Mapped[int | None]  # the record's version after this change
    changes: Mapped[str | None] = mapped_column(sa.Text)  # {"field": [old, new]} as JSON
    source: Mapped[str | None] = mapped_column(sa.String(20))
    # Names as they were when the entry was written, so the trail reads (and is searched)
    # without a query per row: the record's, the person acting's (their staff record), and
    # those of the records a changed reference pointed to ({"owner_id": [old, new]}, JSON).
    record_label: Mapped[str | None] = mapped_column(sa.String(200))
    actor_name: Mapped[str | None] = mapped_column(sa.String(100))
    names: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.Index("ix_audit_entry_entity", "entity", "entity_id"),
                      trigram("audit_entry", "record_label"), prefix("audit_entry", "record_label"),
                      trigram("audit_entry", "actor_name"), prefix("audit_entry", "actor_name"),
                      trigram("audit_entry", "username"), prefix("audit_entry", "username"))

    def __str__(self) -> str:
        return self.record_label or f"{self.entity} #{self.entity_id}"
