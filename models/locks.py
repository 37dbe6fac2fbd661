"""Serialising writes that read before they write: a bill's payments are summed, then the
bill's paid amount is written; two payments at once must not both sum the old payments."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session


def hold(session: Session, record) -> None:
    """Re-read `record` and hold its row until the transaction ends: SELECT … FOR UPDATE on
    PostgreSQL, where a second writer waits here and then reads what the first committed.
    (SQLite lets one writer at a time into the database file anyway.) A record with unsaved
    changes is locked without being re-read, so the changes stay."""
    if record is None or record.id is None or record in session.new:
        return
    model = type(record)
    if session.is_modified(record, include_collections=False):
        session.execute(sa.select(model.id).where(model.id == record.id)
                        .with_for_update(of=model))
    else:
        # OF the record's own table: a joined-loaded relationship is an outer join, which
        # PostgreSQL will not lock
        session.refresh(record, with_for_update={"of": model})


def units(session: Session, ids) -> None:
    """Hold these units' rows until the transaction ends, in id order, on PostgreSQL (FOR NO
    KEY UPDATE: a bill referring to its unit still saves). The running totals lock a flush's
    units with it before reading their bills (models/bill_totals.py), and the bill run its
    chunk's."""
    from .property import Unit

    ids = sorted({unit_id for unit_id in ids if unit_id is not None})
    if ids and session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(Unit.id).where(Unit.id.in_(ids)).order_by(Unit.id)
                        .with_for_update(key_share=True))
