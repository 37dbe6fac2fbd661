"""Staff records and the login accounts that act for them."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .base import Choices, Entity, choice, non_negative, ref

POSITION = Choices(
    "position",
    steward=_l("Steward"),
    supervisor=_l("Supervisor"),
    manager=_l("Manager"),
    other=_l("Other"),
)
DEPARTMENT = Choices(
    "department",
    customer_service=_l("Customer service"),
    engineering=_l("Engineering"),
    security=_l("Security"),
    cleaning=_l("Cleaning"),
    human_resources=_l("Human resources"),
    office=_l("Office"),
    # transfers by aptitude and wish (P-CAR-2)
    marketing=_l("Marketing"),
    client_relations=_l("Customer relations"),
)
STAFF_STATUS = Choices(
    "staff_status",
    candidate=_l("Candidate"),
    onboarding=_l("Onboarding"),
    on_duty=_l("On duty"),
    suspended=_l("Suspended"),
    left=_l("Left"),
)
EDUCATION = Choices(
    "education",
    secondary=_l("Secondary school or below"),
    associate=_l("Associate degree"),
    bachelor=_l("Bachelor"),
    master=_l("Master"),
    doctorate=_l("Doctorate"),
)
ROLE = Choices(
    "role",
    admin=_l("Office administrator"),
    hr=_l("HR"),
    supervisor=_l("Supervisor"),
    steward=_l("Steward"),
    # engineering, security, cleaning … staff who work the tickets dispatched to them
    department=_l("Department staff"),
)


class Staff(Entity):
    __tablename__ = "staff"
    __table_args__ = (
        non_negative("property_years"),
        non_negative("steward_years"),
        sa.CheckConstraint("steward_years <= property_years", name="steward_within_property"),
    )

    employee_no: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(50), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20), info={"format": "phone"})
    position: Mapped[str] = choice(POSITION, default="steward", index=True)
    department: Mapped[str] = choice(DEPARTMENT, default="customer_service")
    status: Mapped[str] = choice(STAFF_STATUS, default="candidate", index=True)
    supervisor_id: Mapped[int | None] = ref("staff.id", nullable=True)
    birth_date: Mapped[date | None]
    education: Mapped[str | None] = choice(EDUCATION, nullable=True)
    major: Mapped[str | None] = mapped_column(sa.String(50))
    hire_date: Mapped[date | None]
    property_years: Mapped[Decimal] = mapped_column(
        sa.Numeric(4, 1), default=Decimal("0"), info={"min": 0}
    )
    steward_years: Mapped[Decimal] = mapped_column(
        sa.Numeric(4, 1), default=Decimal("0"), info={"min": 0}
    )

    supervisor: Mapped[Staff | None] = relationship(remote_side="Staff.id")

    def __str__(self) -> str:
        return self.name


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, Entity):
    """A login account. Its role decides what the back office lets it do."""

    __tablename__ = "user_account"

    username: Mapped[str] = mapped_column(sa.String(50), unique=True)
    # audited as "password changed", never the hash (models/audit.py)
    password_hash: Mapped[str] = mapped_column(sa.String(255),
                                               info={"system": True, "audit_as": "password"})
    role: Mapped[str] = choice(ROLE, index=True)
    staff_id: Mapped[int | None] = ref("staff.id", nullable=True, unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    last_login_at: Mapped[datetime | None] = mapped_column(info={"system": True})
    # Part of every session's and remember-me cookie's id: a new one ends them all
    # (sign-out, a password change).
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token,
                                               info={"system": True})

    staff: Mapped[Staff | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session and the remember-me cookie."""
        return f"{self.id}.{self.session_token}"

    def set_password(self, password: str) -> None:
        """A new password ends every session of the account."""
        self.password_hash = generate_password_hash(password)
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __str__(self) -> str:
        return self.username
