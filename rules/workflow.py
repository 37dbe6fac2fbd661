"""Ticket priority and deadlines (P-TKT-2, P-TKT-7)."""

from __future__ import annotations

from datetime import datetime, timedelta

from .policy import DEFAULT, Policy


def priority(urgent: bool, important: bool) -> str:
    """P-TKT-2: urgent+important P1, urgent P2, important P3, neither P4."""
    if urgent and important:
        return "P1"
    if urgent:
        return "P2"
    if important:
        return "P3"
    return "P4"


def deadline_hours(level: str, policy: Policy = DEFAULT) -> int:
    return {
        "P1": policy.deadline_p1_hours,
        "P2": policy.deadline_p2_hours,
        "P3": policy.deadline_p3_hours,
        "P4": policy.deadline_p4_hours,
    }[level]


def due_at(intake_at: datetime, level: str, policy: Policy = DEFAULT) -> datetime:
    """P-TKT-7: the resolution deadline, counted from intake."""
    return intake_at + timedelta(hours=deadline_hours(level, policy))


def on_time(resolved_at: datetime | None, due: datetime) -> bool:
    """Resolved at or before the deadline."""
    return resolved_at is not None and resolved_at <= due
