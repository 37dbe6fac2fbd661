"""A record's history, read from the audit trail: who changed which field from what to what,
with personal fields masked for roles that see them masked elsewhere."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from extensions import db
from models import AuditEntry

from .masking import mask, reveals_personal

ACTIONS = {"create": _l("Created"), "update": _l("Changed"), "delete": _l("Deleted"),
           "bulk": _l("Created in bulk"), "sign_in": _l("Signed in"),
           "sign_out": _l("Signed out")}
SOURCES = {"form": _l("form"), "inline": _l("inline edit"), "action": _l("list action"),
           "page": _l("work page"), "cli": _l("command"), "import": _l("import"),
           "seed": _l("demo data"), "script": _l("script"), "undo": _l("undo"),
           "owner": _l("owner's page")}
HISTORY_ROWS = 50


def entries_of(model, since_version: int | None = None) -> list[AuditEntry]:
    """The newest entries about one record (after `since_version`, when given)."""
    query = sa.select(AuditEntry).where(AuditEntry.entity == model.__tablename__,
                                        AuditEntry.entity_id == model.id)
    if since_version is not None:
        query = query.where(AuditEntry.entity_version > since_version)
    return list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(HISTORY_ROWS)))


def word(view, name: str, value) -> str:
    """One stored value as `view`'s role reads it: masked when personal and the role sees it
    masked, 是/否, a code in words, a stored breakdown (JSON) only hinted at."""
    from .fields import format_yes_no

    if value is None:
        return ""
    if name in view.entity.personal and not reveals_personal():
        return mask(str(value))
    if isinstance(value, bool):
        return format_yes_no(view, value)
    if name in view.history_formatters:
        return view.history_formatters[name](value)
    column = view.model.__table__.c.get(name)
    if column is not None and "choices" in column.info:
        return str(column.info["choices"].label(value))
    if isinstance(value, str) and value.startswith("{"):
        return "{…}"
    return str(value)


def label_of(view, name: str) -> str:
    """A column's label, or its relationship's for a foreign key (owner_id → 业主)."""
    return str(view.column_labels.get(name) or view.column_labels.get(
        view._field_for_column.get(name, ""), name))


def readable(view, entry: AuditEntry, only_shown: bool = True) -> list[tuple[str, str, str]]:
    """(field label, old, new) of an entry; by default only the fields the details page shows
    (a score's stored breakdown is not on it either)."""
    shown = {name for name, _ in view._details_columns}
    shown |= {column for column, key in view._field_for_column.items() if key in shown}
    shown.add("password")  # a password change, recorded by name only (models/audit.py)
    rows = []
    for name, pair in json.loads(entry.changes or "{}").items():
        if name not in shown and only_shown:
            continue
        if name == "password":
            rows.append((str(_l("Password")), "", str(_l("changed"))))
        elif isinstance(pair, list):
            rows.append((label_of(view, name), word(view, name, pair[0]),
                         word(view, name, pair[1])))
        else:  # a bulk entry's summary: {"period": "2026-12", "created": 300}
            rows.append((label_of(view, name), "", str(pair)))
    return rows


def history(view, model) -> list[dict]:
    return [{"entry": entry, "action": ACTIONS.get(entry.action, entry.action),
             "source": SOURCES.get(entry.source or "", entry.source or ""),
             "changes": readable(view, entry)} for entry in entries_of(model)]


# ---- the audit trail's own list (admin) ------------------------------------------------------
def _entity_view(audit_view, table: str):
    """The generated view of the entity an entry is about (None for the import batches)."""
    return next((v for v in audit_view.admin._views if getattr(v, "model", None) is not None
                 and v.model.__tablename__ == table), None)


def _entity_formatter(view, context, model, name):
    entity_view = _entity_view(view, model.entity)
    return str(entity_view.entity.label) if entity_view else model.entity


def _action_formatter(view, context, model, name):
    return ACTIONS.get(model.action, model.action)


def _source_formatter(view, context, model, name):
    return SOURCES.get(model.source or "", model.source or "")


def _changes_formatter(view, context, model, name):
    """Every changed field of the entry, read as on the record's own history."""
    from markupsafe import Markup

    entity_view = _entity_view(view, model.entity)
    if entity_view is None:
        return model.changes or ""
    return Markup("<br>").join(f"{label}: {old} → {new}" for label, old, new in
                               readable(entity_view, model, only_shown=False))


AUDIT_FORMATTERS = {"entity": _entity_formatter, "action": _action_formatter,
                    "source": _source_formatter, "changes": _changes_formatter}
