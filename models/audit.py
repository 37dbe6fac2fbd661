"""The audit trail: every create, update and delete of a business record, whatever path it
took (form, inline edit, action, page, CLI, import), with old → new for each changed field,
grouped in one change set per request, command or import.

Written at `after_flush` with a Core insert on the flush's own connection, so it commits or
rolls back with the change it describes.
"""

from __future__ import annotations

import json
import uuid
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .base import Entity, utcnow
from .platform import AuditEntry
from .tracking import current_actor

# Set by the CLI and imports; a web request gets one change set of its own.
batch: ContextVar[tuple[str, str] | None] = ContextVar("audit_batch", default=None)

# Flask-Admin endpoint → how the change was made.
SOURCES = {"create_view": "form", "edit_view": "form", "delete_view": "form",
           "ajax_update": "inline", "action_view": "action"}


def change_set() -> tuple[str, str]:
    """(change set id, source) of the change being flushed."""
    from flask import g, has_request_context, request

    if batch.get() is not None:
        return batch.get()
    if has_request_context():
        if "change_set" not in g:
            endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
            g.change_set = (str(uuid.uuid4()), SOURCES.get(endpoint, "page"))
        return g.change_set
    return str(uuid.uuid4()), "script"


def plain(value):
    """A column value as JSON can hold it."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _columns(obj) -> list[sa.Column]:
    return [c for c in obj.__table__.columns if not c.info.get("system") and not c.primary_key]


def _secret_changes(obj, inspected) -> dict:
    """A secret column (a password hash) is audited by name only: {"password": [null,
    "changed"]}, never its value."""
    changes = {}
    for column in obj.__table__.columns:
        name = column.info.get("audit_as")
        attr = inspected.attrs.get(column.key) if name else None
        if attr is not None and attr.history.has_changes():
            changes[name] = [None, "changed"]
    return changes


def _entry(obj, action: str, changes: dict, stamp: dict) -> dict:
    return {**stamp, "action": action, "entity": obj.__tablename__, "entity_id": obj.id,
            "entity_version": obj.version, "changes": json.dumps(changes, ensure_ascii=False)}


def _after_flush(session: Session, flush_context) -> None:
    rows = []
    set_id, source = None, None
    for state_set, action in ((session.new, "create"), (session.dirty, "update"),
                              (session.deleted, "delete")):
        for obj in state_set:
            if not isinstance(obj, Entity):
                continue
            if set_id is None:
                set_id, source = change_set()
                stamp = {"change_set": set_id, "source": source, "at": utcnow(),
                         "username": current_actor()}
            inspected = sa.inspect(obj)
            changes = {}
            for column in _columns(obj):
                attr = inspected.attrs.get(column.key)
                if attr is None:
                    continue
                if action == "create":
                    value = getattr(obj, column.key)
                    if value is not None:
                        changes[column.key] = [None, plain(value)]
                elif action == "delete":
                    value = attr.loaded_value
                    if value is not None and value is not sa.orm.base.NO_VALUE:
                        changes[column.key] = [plain(value), None]
                else:
                    history = attr.history
                    if history.has_changes():
                        old = history.deleted[0] if history.deleted else None
                        new = history.added[0] if history.added else None
                        if old != new:
                            changes[column.key] = [plain(old), plain(new)]
            if action != "delete":
                changes |= _secret_changes(obj, inspected)
            if action == "update" and not changes:
                continue
            rows.append(_entry(obj, action, changes, stamp))
    if rows:
        session.connection().execute(sa.insert(AuditEntry.__table__), rows)


def record_bulk(session: Session, entity: str, summary: dict) -> None:
    """One entry for a bulk operation that writes rows without the ORM (the bill run)."""
    set_id, source = change_set()
    session.connection().execute(sa.insert(AuditEntry.__table__), [{
        "change_set": set_id, "source": source, "at": utcnow(), "username": current_actor(),
        "action": "bulk", "entity": entity, "entity_id": None, "entity_version": None,
        "changes": json.dumps(summary, ensure_ascii=False),
    }])


def record_account_event(session: Session, user, action: str) -> None:
    """A sign-in or sign-out: in the audit trail, without changing the account's version."""
    set_id, source = change_set()
    session.connection().execute(sa.insert(AuditEntry.__table__), [{
        "change_set": set_id, "source": source, "at": utcnow(), "username": user.username,
        "action": action, "entity": user.__tablename__, "entity_id": user.id,
        "entity_version": user.version, "changes": "{}",
    }])


def init_app(app) -> None:
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
