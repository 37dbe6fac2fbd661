"""A record's history, read from the audit trail: who changed which field from what to what,
with personal fields masked for roles that see them masked elsewhere."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from access import REVEAL_PERSONAL_TO
from extensions import db
from models import AuditEntry

from .context import current_role

ACTIONS = {"create": _l("Created"), "update": _l("Changed"), "delete": _l("Deleted"),
           "bulk": _l("Created in bulk")}
SOURCES = {"form": _l("form"), "inline": _l("inline edit"), "action": _l("list action"),
           "page": _l("work page"), "cli": _l("command"), "import": _l("import"),
           "seed": _l("demo data"), "script": _l("script"), "undo": _l("undo")}
HISTORY_ROWS = 50


def entries_of(model, since_version: int | None = None) -> list[AuditEntry]:
    """The newest entries about one record (after `since_version`, when given)."""
    query = sa.select(AuditEntry).where(AuditEntry.entity == model.__tablename__,
                                        AuditEntry.entity_id == model.id)
    if since_version is not None:
        query = query.where(AuditEntry.entity_version > since_version)
    return list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(HISTORY_ROWS)))


def readable(view, entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(field label, old, new) of an entry, as the signed-in role may see them."""
    from .generated import mask

    hidden = set(view.entity.personal) if current_role() not in REVEAL_PERSONAL_TO else set()
    shown = {name for name, _ in view._details_columns}
    shown |= {column for column, key in view._field_for_column.items() if key in shown}
    changes = json.loads(entry.changes or "{}")
    rows = []
    for name, pair in changes.items():
        if not isinstance(pair, list) or name not in shown:
            continue  # derived fields (a score's breakdown) are not on the details page either
        old, new = (mask(v) if name in hidden and v else _shown(view, name, v) for v in pair)
        label = view.column_labels.get(name) or view.column_labels.get(
            view._field_for_column.get(name, ""), name)
        rows.append((str(label), old, new))
    return rows


def _shown(view, name: str, value) -> str:
    from .fields import format_yes_no

    if value is None:
        return ""
    if isinstance(value, bool):
        return format_yes_no(view, value)
    if name in view.history_formatters:
        return view.history_formatters[name](value)
    choices = dict(view.column_choices.get(name, ()))
    return str(choices.get(value, value))


def history(view, model) -> list[dict]:
    return [{"entry": entry, "action": ACTIONS.get(entry.action, entry.action),
             "source": SOURCES.get(entry.source or "", entry.source or ""),
             "changes": readable(view, entry)} for entry in entries_of(model)]


# ---- the audit trail's own list (admin) ------------------------------------------------------
def _entity_label(table: str) -> str:
    from access import BY_MODEL
    from models import Base

    for mapper in Base.registry.mappers:
        if mapper.local_table.name == table and mapper.class_ in BY_MODEL:
            return str(BY_MODEL[mapper.class_].label)
    return table


def _entity_formatter(view, context, model, name):
    return _entity_label(model.entity)


def _action_formatter(view, context, model, name):
    return ACTIONS.get(model.action, model.action)


def _source_formatter(view, context, model, name):
    return SOURCES.get(model.source or "", model.source or "")


def _changes_formatter(view, context, model, name):
    """old → new per field, in words: field labels, choice labels, personal fields masked
    for roles that see them masked; a stored breakdown (JSON) is only hinted at."""
    from markupsafe import Markup

    from access import PERSONAL_FIELDS
    from models import Base

    from .fields import format_yes_no
    from .generated import mask
    from .labels import FIELD_LABELS

    table = Base.metadata.tables.get(model.entity)
    entity_view = next((v for v in view.admin._views if getattr(v, "model", None) is not None
                        and v.model.__table__ is table), None)
    readers = getattr(entity_view, "history_formatters", {})
    hidden = set()
    if current_role() not in REVEAL_PERSONAL_TO:
        hidden = {f for fields in PERSONAL_FIELDS.values() for f in fields}

    def word(field, value):
        if value is None:
            return ""
        if field in hidden:
            return mask(str(value))
        if isinstance(value, bool):
            return format_yes_no(view, value)
        if field in readers:
            return readers[field](value)
        column = table.c.get(field) if table is not None else None
        if column is not None and "choices" in column.info:
            return str(column.info["choices"].label(value))
        if isinstance(value, str) and value.startswith("{"):
            return "{…}"
        return str(value)

    lines = []
    for field, pair in json.loads(model.changes or "{}").items():
        label = FIELD_LABELS.get(field, field)
        if isinstance(pair, list) and len(pair) == 2:
            lines.append(f"{label}: {word(field, pair[0])} → {word(field, pair[1])}")
        else:
            lines.append(f"{label}: {pair}")
    return Markup("<br>").join(lines)


AUDIT_FORMATTERS = {"entity": _entity_formatter, "action": _action_formatter,
                    "source": _source_formatter, "changes": _changes_formatter}
