"""The lists' filters "unit file no." and "owner file no.": the rows about one unit or one
owner, so that a section of a file links to its whole list, with the list's search, sort and
export (models/property_files.py says which rows are about a unit or an owner)."""

from __future__ import annotations

from flask import url_for
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_babel import lazy_gettext as _l

from errors import MAX_ID
from models.property_files import OWNER_PATHS, UNIT_PATHS

KINDS = {"unit": (UNIT_PATHS, _l("Unit file no.")), "owner": (OWNER_PATHS, _l("Owner file no."))}


def _record_id(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 \
        and int(text) <= MAX_ID else None


class RecordsOf(BaseSQLAFilter):
    """The rows about one unit (or owner), by its file number (its record id)."""

    def __init__(self, model: type, kind: str):
        paths, label = KINDS[kind]
        self.kind, self.path = kind, paths[model]
        super().__init__(model.id, label)

    def validate(self, value) -> bool:
        return _record_id(value) is not None

    def clean(self, value):
        return _record_id(value)

    def apply(self, query, value, alias=None):
        return query.filter(self.path(value))

    def operation(self):
        return _l("is")


def file_filters(model: type) -> list[RecordsOf]:
    """The file filters a list of `model` gets: one per file its rows appear in."""
    return [RecordsOf(model, kind) for kind, (paths, _label) in KINDS.items()
            if model in paths]


def filtered_list_url(view, kind: str, pk: int) -> str | None:
    """The list of `view` showing only the rows about unit (or owner) `pk`."""
    for arg, (_index, flt) in (view._filter_args or {}).items():
        if isinstance(flt, RecordsOf) and flt.kind == kind:
            return url_for(f"{view.endpoint}.index_view", **{f"flt0_{arg}": pk})
    return None
