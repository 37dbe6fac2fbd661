"""A record's history, read from the audit trail: who changed which field from what to what,
with personal fields masked for roles that see them masked elsewhere; and the audit trail's
own list. People and records are named as they were named when the entry was written
(models/audit.py keeps the names), times are the company's, money is yuan."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from extensions import db
from models import AuditEntry, Staff, User
from models.base import UTCDateTime

from .formats import moment, money
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


def person(staff: Staff | None) -> str:
    """A member of staff as a signed paper names them: name and employee number."""
    if staff is None:
        return ""
    return gettext("%(name)s (%(number)s)", name=staff.name, number=staff.employee_no)


def people(usernames) -> dict[str, str]:
    """Login names (the history's actors) → the people behind them; an owner's rating reads
    "Owner #12", a name without a staff record stays as it is."""
    from owner_page import actor_label

    names = {name for name in usernames if name}
    found = {name: actor_label(name) for name in names}
    if names:
        for username, staff in db.session.execute(
                sa.select(User.username, Staff).join(Staff, User.staff_id == Staff.id)
                .where(User.username.in_(names))):
            found[username] = person(staff)
    return found


def who(entry: AuditEntry) -> str:
    """The person acting, as people read it: 周静（admin）; an owner on their page 业主 #12;
    a scheduled or background job by its title; a command by its name (bill-run)."""
    from owner_page import actor_label

    account = _job_title(entry.username or "") or actor_label(entry.username)
    if entry.actor_name:
        return gettext("%(name)s (%(account)s)", name=entry.actor_name, account=account)
    return account


def _job_title(actor: str) -> str | None:
    """"schedule:month_bill_run" and "job:import_check" (jobs/) by their titles."""
    from jobs import runner, schedule

    kind, _, name = actor.partition(":")
    if kind == "schedule" and name in schedule.SCHEDULES:
        return gettext("Scheduled job: %(title)s",
                       title=gettext(schedule.SCHEDULES[name].title))
    if kind == "job" and name in runner.KINDS:
        return gettext("Job: %(title)s", title=gettext(runner.KINDS[name].title))
    return None


def word(view, name: str, value, referred: str | None = None, look_up: bool = True) -> str:
    """One stored value as `view`'s role reads it: masked when personal and the role sees it
    masked, 是/否, a code in words, a reference by the name of what it refers to (as named
    when the change was made, or now), a time in the company's zone, money in yuan, a stored
    breakdown (JSON) only hinted at."""
    from .fields import format_yes_no
    from .generated import is_money

    if value is None:
        return ""
    if name in view.entity.personal and not reveals_personal():
        return mask(str(value))
    if isinstance(value, bool):
        return format_yes_no(view, value)
    if name in view.history_formatters:
        return view.history_formatters[name](value)
    if name in view._field_for_column:
        return referred or (_current_name(view, name, value) if look_up else f"#{value}")
    column = view.model.__table__.c.get(name)
    if column is not None and "choices" in column.info:
        return str(column.info["choices"].label(value))
    if column is not None and isinstance(column.type, UTCDateTime):
        return moment(value)
    if column is not None and is_money(column.type):
        return money(value)
    if isinstance(value, str) and value.startswith("{"):
        return "{…}"
    return str(value)


def _current_name(view, name: str, value) -> str:
    """What a reference points to now, for entries written before names were kept."""
    target = view._relation_targets.get(view._field_for_column[name])
    found = db.session.get(target, value) if target is not None else None
    return str(found) if found is not None else f"#{value}"


def label_of(view, name: str) -> str:
    """A column's label, or its relationship's for a foreign key (owner_id → 业主)."""
    relation = view._field_for_column.get(name)
    return str(view.column_labels.get(relation) if relation else None
               or view.column_labels.get(name, name))


def readable(view, entry: AuditEntry, only_shown: bool = True,
             look_up: bool = True) -> list[tuple[str, str, str]]:
    """(field label, old, new) of an entry; by default only the fields the details page shows
    (a score's stored breakdown is not on it either). `look_up=False` names references only
    by the names the entry keeps (the audit list reads no record per row)."""
    shown = {name for name, _ in view._details_columns}
    shown |= {column for column, key in view._field_for_column.items() if key in shown}
    shown.add("password")  # a password change, recorded by name only (models/audit.py)
    names = json.loads(entry.names or "{}")
    rows = []
    for name, pair in json.loads(entry.changes or "{}").items():
        if name not in shown and only_shown:
            continue
        if name == "password":
            rows.append((str(_l("Password")), "", str(_l("changed"))))
        elif isinstance(pair, list):
            old_name, new_name = names.get(name) or (None, None)
            rows.append((label_of(view, name), word(view, name, pair[0], old_name, look_up),
                         word(view, name, pair[1], new_name, look_up)))
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


def entity_options() -> list[tuple[str, object]]:
    """The kinds of record the trail's "record type" filter offers, by their names (lazy:
    Flask-Admin keeps a view's filters from start-up and words them per request)."""
    from access import ENTITIES

    return [(name, entity.label) for name, entity in ENTITIES.items()]


def action_options() -> list[tuple[str, object]]:
    return list(ACTIONS.items())


def _entity_formatter(view, context, model, name):
    entity_view = _entity_view(view, model.entity)
    return str(entity_view.entity.label) if entity_view else model.entity


def _record_formatter(view, context, model, name):
    """The record by its name, linked to its details page while it exists."""
    entity_view = _entity_view(view, model.entity)
    label = model.record_label or (f"#{model.entity_id}" if model.entity_id else "")
    if entity_view is None or model.entity_id is None or model.action == "delete" \
            or not entity_view.may_open("details_view"):
        return label
    link = url_for(f"{entity_view.endpoint}.details_view", id=model.entity_id)
    return Markup('<a href="{}">{}</a>').format(link, label)


def _actor_formatter(view, context, model, name):
    return who(model)


def _action_formatter(view, context, model, name):
    return ACTIONS.get(model.action, model.action)


def _source_formatter(view, context, model, name):
    return SOURCES.get(model.source or "", model.source or "")


def _changes_formatter(view, context, model, name):
    """Every changed field of the entry, read as on the record's own history."""
    entity_view = _entity_view(view, model.entity)
    if entity_view is None:
        return model.changes or ""
    return Markup("<br>").join(
        escape(change_text(label, old, new)) for label, old, new in
        readable(entity_view, model, only_shown=False, look_up=False))


def change_text(label: str, old: str, new: str) -> str:
    """One field's change: "物业管家: 张伟 → 李娜"; a value set on a new record, "房号: 801"."""
    return f"{label}: {old} → {new}" if old else f"{label}: {new}"


AUDIT_FORMATTERS = {"entity": _entity_formatter, "record_label": _record_formatter,
                    "actor_name": _actor_formatter, "action": _action_formatter,
                    "source": _source_formatter, "changes": _changes_formatter}
