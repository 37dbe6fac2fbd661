"""The audit trail: every create, update and delete of a business record, whatever path it
took (form, inline edit, action, page, CLI, import), with old → new for each changed field,
grouped in one change set per request, command or import.

Written at `after_flush` with a Core insert on the flush's own connection, so it commits or
rolls back with the change it describes.
"""

from __future__ import annotations

import json
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from functools import cache

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


def _entry(session: Session, obj, action: str, changes: dict, stamp: dict,
           aside: Session) -> dict:
    names = _reference_names(session, obj, changes, aside)
    return {**stamp, "action": action, "entity": obj.__tablename__, "entity_id": obj.id,
            "entity_version": obj.version, "changes": json.dumps(changes, ensure_ascii=False),
            "record_label": name_of(obj),
            "names": json.dumps(names, ensure_ascii=False) if names else None}


LABEL_LENGTH = 200


def name_of(record) -> str | None:
    """A record as people name it (its `__str__`), cut to the column; None when it cannot
    be named now (a reference already gone)."""
    if record is None:
        return None
    try:
        return str(record)[:LABEL_LENGTH] or None
    except Exception:  # noqa: BLE001 - a name is a courtesy; the entry is written regardless
        return None


@cache
def _references(model: type) -> dict[str, type]:
    """Foreign key column → the class it refers to, for `model`'s many-to-one references."""
    found = {}
    for relation in sa.inspect(model).relationships:
        if relation.direction.name == "MANYTOONE" and len(relation.local_columns) == 1:
            found[next(iter(relation.local_columns)).key] = relation.mapper.class_
    return found


def _load_referenced(session: Session, changed: list[tuple[object, str, dict]],
                     aside: Session) -> list:
    """Read into `aside` the records the flush's changed references point to that the
    session does not hold, in one statement per kind of record (a hundred reminders of a
    hundred bills: one SELECT, not a hundred), with the records their names show (their own
    many-to-one references).

    `aside` is a session of its own on the flush's connection: it sees the rows this flush
    inserted, and its copies never meet the flushing session's identity map. (A record
    inserted in this flush — a payment's new bill — is not in that map until the flush
    ends; a copy read into it now would be replaced, with a warning, when the flush
    registers the record. The record itself cannot name itself yet either: a pending
    record loads no references, and its unit would read None.) The caller keeps the list
    returned: a session holds its records only weakly."""
    wanted: dict[type, set] = {}
    for obj, _action, changes in changed:
        for key, target in _references(type(obj)).items():
            pair = changes.get(key)
            if isinstance(pair, list):
                wanted.setdefault(target, set()).update(v for v in pair if v is not None)
    loaded = []
    for target, ids in wanted.items():
        missing = sorted(i for i in ids
                         if sa.orm.util.identity_key(target, i) not in session.identity_map)
        shown_with = [sa.orm.joinedload(getattr(target, key)) for key in _named_with(target)]
        for start in range(0, len(missing), 500):
            loaded += aside.scalars(sa.select(target).options(*shown_with).where(
                target.id.in_(missing[start:start + 500]))).unique().all()
    return loaded


@cache
def _named_with(model: type) -> tuple[str, ...]:
    """`model`'s many-to-one relationships (what a record's name may read)."""
    return tuple(relation.key for relation in sa.inspect(model).relationships
                 if relation.direction.name == "MANYTOONE")


def _reference_names(session: Session, obj, changes: dict, aside: Session) -> dict:
    """The names of the records a changed reference pointed to before and after:
    {"owner_id": ["张三", "李四"]}. Read from the session's identity map where they are
    there (they usually are: the form or the page loaded them), else from `aside`
    (`_load_referenced`)."""
    names = {}
    for key, target in _references(type(obj)).items():
        pair = changes.get(key)
        if not isinstance(pair, list):
            continue
        found = [name_of(_held(session, aside, target, value)) if value is not None else None
                 for value in pair]
        if any(found):
            names[key] = found
    return names


def _held(session: Session, aside: Session, target: type, record_id):
    if sa.orm.util.identity_key(target, record_id) in session.identity_map:
        return session.get(target, record_id)
    return aside.get(target, record_id)


def actor_name() -> str | None:
    """The name of the signed-in person acting (their staff record's), if they have one."""
    from flask import has_request_context
    from flask_login import current_user

    if has_request_context() and current_user and current_user.is_authenticated:
        staff = getattr(current_user, "staff", None)
        return staff.name if staff is not None else None
    return None


def _after_flush(session: Session, flush_context) -> None:
    with _company_language():
        rows = _rows(session)
    if rows:
        session.connection().execute(sa.insert(AuditEntry.__table__), rows)


@contextmanager
def _company_language():
    """Names kept in the trail are written in the company's language, whoever acted (a
    reward's kind reads 绩效奖金 though an English reader saved it)."""
    from flask import current_app, has_app_context
    from flask_babel import force_locale

    if not has_app_context():
        yield
        return
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        yield


def _rows(session: Session) -> list[dict]:
    changed = []
    set_id, source = None, None
    for state_set, action in ((session.new, "create"), (session.dirty, "update"),
                              (session.deleted, "delete")):
        for obj in state_set:
            if not isinstance(obj, Entity):
                continue
            if set_id is None:
                set_id, source = change_set()
                stamp = {"change_set": set_id, "source": source, "at": utcnow(),
                         "username": current_actor(), "actor_name": actor_name()}
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
            changed.append((obj, action, changes))
    if not changed:
        return []
    with Session(bind=session.connection(), autoflush=False) as aside:
        loaded = _load_referenced(session, changed, aside)  # noqa: F841 - kept while named
        return [_entry(session, obj, action, changes, stamp, aside)
                for obj, action, changes in changed]


def record_bulk(session: Session, entity: str, summary: dict) -> None:
    """One entry for a bulk operation that writes rows without the ORM (the bill run)."""
    set_id, source = change_set()
    session.connection().execute(sa.insert(AuditEntry.__table__), [{
        "change_set": set_id, "source": source, "at": utcnow(), "username": current_actor(),
        "actor_name": actor_name(),
        "action": "bulk", "entity": entity, "entity_id": None, "entity_version": None,
        "changes": json.dumps(summary, ensure_ascii=False),
    }])


def record_account_event(session: Session, user, action: str) -> None:
    """A sign-in or sign-out: in the audit trail, without changing the account's version."""
    set_id, source = change_set()
    session.connection().execute(sa.insert(AuditEntry.__table__), [{
        "change_set": set_id, "source": source, "at": utcnow(), "username": user.username,
        "actor_name": user.staff.name if user.staff is not None else None,
        "record_label": name_of(user),
        "action": action, "entity": user.__tablename__, "entity_id": user.id,
        "entity_version": user.version, "changes": "{}",
    }])


def init_app(app) -> None:
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
