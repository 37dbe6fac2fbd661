"""The company's departments as records, and the work a ticket dispatches to one (P-TKT-3,
P-COORD-1, P-COM-2).

A department's members are the staff whose `department` is its code; those of them with a
"department" login see its queue (access.py, scope "department"). The steward who dispatched
the work still owns the ticket: the department takes its part, notes progress and marks its
part done (rules/dispatch.py).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import DERIVED, Choices, Entity, choice, ref, utcnow
from .people import DEPARTMENT, Staff
from .tickets import Ticket

DISPATCH_STATUS = Choices(
    "dispatch_status",
    waiting=_l("Waiting to be taken"),
    taken=_l("Taken"),
    done=_l("Done"),
    withdrawn=_l("Withdrawn"),
)


class Department(Entity):
    __tablename__ = "department"

    code: Mapped[str] = choice(DEPARTMENT, unique=True, check_name="department_code")
    head_id: Mapped[int | None] = ref("staff.id", nullable=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20), info={"format": "phone"})
    duties: Mapped[str | None] = mapped_column(sa.Text)

    head: Mapped[Staff | None] = relationship()

    def __str__(self) -> str:
        return str(DEPARTMENT.label(self.code))


class Dispatch(Entity):
    """One department's part of a ticket: dispatched, taken by a member, done."""

    __tablename__ = "dispatch"
    __table_args__ = (
        sa.Index("ix_dispatch_department_status", "department_id", "status"),
    )

    ticket_id: Mapped[int] = ref("ticket.id", ondelete="CASCADE")
    department_id: Mapped[int] = ref("department.id")
    status: Mapped[str] = choice(DISPATCH_STATUS, default="waiting", index=True, info=DERIVED)
    dispatched_at: Mapped[datetime] = mapped_column(default=utcnow, index=True, info=DERIVED)
    dispatched_by: Mapped[str | None] = mapped_column(sa.String(80), info=DERIVED)
    # the ticket's deadline when dispatched: the department works to the owner's deadline
    due_at: Mapped[datetime | None] = mapped_column(index=True, info=DERIVED)
    taken_by_id: Mapped[int | None] = ref("staff.id", nullable=True, info=DERIVED)
    taken_at: Mapped[datetime | None] = mapped_column(info=DERIVED)
    done_at: Mapped[datetime | None] = mapped_column(info=DERIVED)
    done_note: Mapped[str | None] = mapped_column(sa.Text, info=DERIVED)

    # loaded with it: its name is the ticket's code and the department's (in exports too,
    # which read rows after the request's session is gone)
    ticket: Mapped[Ticket] = relationship(back_populates="dispatches", lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined")
    taken_by: Mapped[Staff | None] = relationship()

    def __str__(self) -> str:
        return f"{self.ticket} → {self.department}"
