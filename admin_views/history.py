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
    changes = json.loads(entry.changes or "{}")
    rows = []
    for name, pair in changes.items():
        if not isinstance(pair, list):
            continue
        old, new = (mask(v) if name in hidden and v else _shown(view, name, v) for v in pair)
        rows.append((str(view.column_labels.get(name, name)), old, new))
    return rows


def _shown(view, name: str, value) -> str:
    if value is None:
        return ""
    choices = dict(view.column_choices.get(name, ()))
    return str(choices.get(value, value))


def history(view, model) -> list[dict]:
    return [{"entry": entry, "action": ACTIONS.get(entry.action, entry.action),
             "source": SOURCES.get(entry.source or "", entry.source or ""),
             "changes": readable(view, entry)} for entry in entries_of(model)]
