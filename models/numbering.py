"""The counters behind generated numbers (rules/numbering.py): one row per series and month,
moved on by one atomic statement, so numbers stay unique when many records are made at once.

`INSERT … ON CONFLICT DO UPDATE … RETURNING` (PostgreSQL and SQLite alike) both creates a
month's counter and moves it on; on PostgreSQL the row it writes stays locked until the
transaction ends, so a second writer waits, then counts on from the first one's number.
A transaction rolled back takes its step back with it: committed numbers run without gaps,
except where a number typed in by hand is passed over.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from rules.numbering import SERIES, highest_count

from .base import Base, utcnow
from .fees import Payment
from .queries import local_date
from .tickets import Ticket


class NumberCounter(Base):
    """The last count given in a series' month."""

    __tablename__ = "number_counter"

    series: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    period: Mapped[str] = mapped_column(sa.String(7), primary_key=True)  # 2026-11
    last_value: Mapped[int]


# model -> (series, the column holding its number, the moment whose month it is numbered in)
NUMBERED = {
    Ticket: ("ticket", "code", "intake_at"),
    Payment: ("receipt", "receipt_no", "paid_at"),
}


def numbered_column(model) -> str | None:
    """The column of `model` a blank of which is filled with the series' next number."""
    found = NUMBERED.get(model)
    return found[1] if found else None


def _step(session: Session, series: str, period: str, first: int) -> int:
    """Move the month's counter on by one and return its new value; a month's first count
    is `first`."""
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    table = NumberCounter.__table__
    statement = insert(table).values(series=series, period=period, last_value=first)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.series, table.c.period],
        set_={"last_value": table.c.last_value + 1},
    ).returning(table.c.last_value)
    return session.execute(statement).scalar_one()


def next_number(session: Session, model, moment: datetime) -> str:
    """The next free number of `model`'s series in the company month of `moment`."""
    series_name, column_name, _ = NUMBERED[model]
    series, day = SERIES[series_name], local_date(moment)
    column = getattr(model, column_name)
    period = f"{day:%Y-%m}"
    started = session.scalar(sa.select(NumberCounter.last_value).where(
        NumberCounter.series == series_name, NumberCounter.period == period)) is not None
    # a month's counter starts past the numbers already given in it (the demo's, an older
    # database's); read once, when the month's first number is made
    first = 1 if started else highest_count(series, day, session.scalars(
        sa.select(column).where(column.like(f"{series.head(day)}%")))) + 1
    while True:
        code = series.number(day, _step(session, series_name, period, first))
        if not session.scalar(sa.select(sa.exists().where(column == code))):
            return code


def guard_numbered(session: Session, record, is_new: bool) -> None:
    """A new record left without its number gets the series' next one."""
    if not is_new:
        return
    _, column_name, moment_name = NUMBERED[type(record)]
    typed = (getattr(record, column_name) or "").strip()
    if typed:
        setattr(record, column_name, typed)
        return
    moment = getattr(record, moment_name) or utcnow()
    setattr(record, column_name, next_number(session, type(record), moment))
