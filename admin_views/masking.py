"""A personal field a role sees masked is no way to find rows either.

Searching, sorting and filtering by a value answer questions about it: "1850" matching an
owner tells the fifth digit of a phone the list shows as 185****1234, and ordering by a
masked column sorts by the hidden digits. For a role outside REVEAL_PERSONAL_TO, the list's
search, sort and filters and the relationship pickers' searches leave out every personal
field (access.PERSONAL_FIELDS), whatever path reaches it ("owner.phone" as well as
"phone"). The lists are decided per request; outside a request (start-up) they are whole.
"""

from __future__ import annotations

from flask import has_request_context

from access import ENTITIES, REVEAL_PERSONAL_TO

from .context import current_role

# (table, column) of every personal field of the declaration.
PERSONAL_COLUMNS = frozenset(
    (entity.model.__tablename__, name) for entity in ENTITIES.values() for name in entity.personal
)


def reveals_personal() -> bool:
    """Whether the signed-in role sees personal fields in full (outside a request: yes)."""
    return not has_request_context() or current_role() in REVEAL_PERSONAL_TO


def mask(value: str | None) -> str:
    """138****5678: keep the first three and last four characters."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def personal_value(model, name: str) -> str | None:
    """A personal field as the signed-in role may see it: in full, or masked."""
    value = getattr(model, name)
    return value if reveals_personal() else mask(value)


def is_personal(attribute) -> bool:
    """Whether a model attribute or column (possibly through an alias) is a personal field."""
    prop = getattr(attribute, "property", None)
    columns = getattr(prop, "columns", None) or [attribute]
    for column in columns:
        table = getattr(getattr(column, "table", None), "name", None)
        if (table, getattr(column, "name", None)) in PERSONAL_COLUMNS:
            return True
    return False


def _sort_target_is_personal(target) -> bool:
    targets = target if isinstance(target, list | tuple) else [target]
    return any(is_personal(t) for t in targets)


class MaskedLookups:
    """Search fields, sortable columns and filters of a view, without the personal fields
    for a role that sees them masked. Flask-Admin assigns these three at start-up; the
    properties keep what it assigned and answer per request."""

    @property
    def _search_fields(self):
        fields = self.__dict__.get("_all_search_fields")
        if fields is None or reveals_personal():
            return fields
        return [(field, path) for field, path in fields if not is_personal(field)]

    @_search_fields.setter
    def _search_fields(self, value):
        self.__dict__["_all_search_fields"] = value

    def search_placeholder(self):
        """The search box names the fields searched (for a role that sees a personal field
        masked, not that one): 姓名、电话."""
        from flask_babel import gettext

        names = [getattr(field, "key", str(field)) for field, _path in self._search_fields or []]
        return gettext(", ").join(str(self.column_labels.get(n, n)) for n in names) or None

    @property
    def _sortable_columns(self):
        columns = self.__dict__.get("_all_sortable_columns")
        if columns is None or reveals_personal():
            return columns
        return {name: target for name, target in columns.items()
                if not _sort_target_is_personal(target)}

    @_sortable_columns.setter
    def _sortable_columns(self, value):
        self.__dict__["_all_sortable_columns"] = value

    def _apply_sorting(self, query, joins, sort_column, sort_desc):
        # a column the role may not sort by gets the list's usual order, as no sort would
        if sort_column is not None and sort_column not in self._sortable_columns:
            sort_column = None
        return super()._apply_sorting(query, joins, sort_column, sort_desc)

    @property
    def _filter_args(self):
        args = self.__dict__.get("_all_filter_args")
        if args is None or reveals_personal():
            return args
        return {key: (index, flt) for key, (index, flt) in args.items()
                if not is_personal(getattr(flt, "column", None))}

    @_filter_args.setter
    def _filter_args(self, value):
        self.__dict__["_all_filter_args"] = value


class MaskedPickerFields:
    """A picker's search fields without the personal ones, for a role that sees them masked."""

    @property
    def _cached_fields(self):
        fields = self.__dict__.get("_all_cached_fields") or []
        if reveals_personal():
            return fields
        return [field for field in fields if not is_personal(field)]

    @_cached_fields.setter
    def _cached_fields(self, value):
        self.__dict__["_all_cached_fields"] = value
