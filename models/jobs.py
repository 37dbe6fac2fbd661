"""What users see of background work: a job record per run, the scheduled jobs' last runs,
and in-app notices. The queue itself (Huey) keeps its own storage; these tables never
queue anything."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Choices, choice, utcnow

JOB_STATUS = Choices(
    "job_status", queued="queued", running="running", done="done", failed="failed")


class Job(Base):
    """One piece of background work a user started (or a schedule ran): its kind, who, where
    it stands, and what came of it. Parameters and result are JSON."""

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), index=True)
    started_by: Mapped[str | None] = mapped_column(sa.String(80))
    role: Mapped[str | None] = mapped_column(sa.String(20))  # who may look at it
    status: Mapped[str] = choice(JOB_STATUS, default="queued", index=True)
    params: Mapped[str] = mapped_column(sa.Text, default="{}")
    progress: Mapped[int] = mapped_column(default=0)  # done, out of total
    total: Mapped[int] = mapped_column(default=0)
    result: Mapped[str | None] = mapped_column(sa.Text)
    error: Mapped[str | None] = mapped_column(sa.Text)  # {"message": msgid, "params": {}}
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]

    def __str__(self) -> str:
        return f"{self.kind} #{self.id}"


class ScheduleRun(Base):
    """A scheduled job's last run. Claiming a slot is one conditional UPDATE in the run's own
    transaction, so two consumers never both run the same slot."""

    __tablename__ = "schedule_run"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    last_slot: Mapped[str | None] = mapped_column(sa.String(20))
    last_run_at: Mapped[datetime | None]
    last_result: Mapped[str | None] = mapped_column(sa.Text)
    runs: Mapped[int] = mapped_column(default=0)


class Notice(Base):
    """An in-app notice to a staff member about a record (a ticket overdue, a visit due,
    a missing work log). One per (kind, record, recipient, day): running the check again
    adds nothing."""

    __tablename__ = "notice"
    __table_args__ = (sa.UniqueConstraint("kind", "subject", "subject_id", "staff_id", "key",
                                          name="uq_notice_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30), index=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"),
                                          index=True)
    subject: Mapped[str] = mapped_column(sa.String(30))  # the table of the record
    subject_id: Mapped[int]
    key: Mapped[str] = mapped_column(sa.String(20), default="")  # e.g. the day it is about
    message: Mapped[str] = mapped_column(sa.String(200))  # an English message id
    params: Mapped[str] = mapped_column(sa.Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]
