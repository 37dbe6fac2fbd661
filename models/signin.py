"""Failed sign-ins, kept for the throttle's window (rules/accounts.py): by the username typed
(known or not) and by the client's address."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class SignInFailure(Base):
    """One wrong password or unknown username. Not a business record: no version, no audit."""

    __tablename__ = "sign_in_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    username: Mapped[str] = mapped_column(sa.String(50), index=True)
    address: Mapped[str] = mapped_column(sa.String(45), index=True)


class OwnerPageHit(Base):
    """One request to the owner's page, kept for its throttle's window (by client address
    and by link). Not a business record: no version, no audit."""

    __tablename__ = "owner_page_hit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    address: Mapped[str] = mapped_column(sa.String(45), index=True)
    link: Mapped[str] = mapped_column(sa.String(64), index=True)  # a digest of the token
