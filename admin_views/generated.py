"""The one admin view class every entity gets, driven by the access declaration.

Permissions are decided per request from the signed-in user's role, never stored on the view:
`can_create` and friends are properties reading the declaration. Every endpoint Flask-Admin
exposes passes `_handle_view`, which maps it to an operation letter and answers 403 when the
role lacks it. Rows are scoped in `get_query`, `get_count_query` and `get_one` (Flask-Admin
fetches edit/details/delete rows with `session.get`, which would skip a query-only scope),
and relationship pickers are scoped the same way.
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from flask import Response, abort, flash, has_request_context, request
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.babel import lazy_gettext as admin_gettext
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.contrib.sqla.fields import QuerySelectField, QuerySelectMultipleField
from flask_admin.model import typefmt
from flask_admin.model.fields import AjaxSelectField
from flask_admin.model.template import EndpointLinkRowAction
from flask_admin.model.widgets import XEditableWidget
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from wtforms import HiddenField
from wtforms.validators import ValidationError

import errors
from access import BY_MODEL, EntityAccess
from errors import MAX_ID
from extensions import db
from models.base import for_matching
from models.scopes import department_scope, row_filter, steward_scope
from rules.refusal import Refused

from . import form_checks
from .auth import to_sign_in
from .context import current_role
from .exports import SafeExports
from .field_access import FieldWrites
from .fields import (
    FilterConverter,
    ModelConverter,
    format_datetime,
    format_yes_no,
    yes_no_icon,
)
from .form_help import FormHelp
from .form_words import PickerWords
from .formats import call_link, moment, money
from .labels import FIELD_LABELS
from .masking import MaskedLookups, MaskedPickerFields, mask, personal_value, reveals_personal
from .search import LiteralSearch
from .validation import validators_for

# Flask-Admin endpoint -> the operation letter it needs. Endpoints not listed are refused.
ENDPOINT_LETTER = {
    "index_view": "R",
    "details_view": "R",
    "create_view": "C",
    "edit_view": "U",
    "delete_view": "D",
    "export": "E",
    "ajax_update": "U",
    "ajax_lookup": "CU",  # pickers serve the create and edit forms
    "action_view": "",  # checked per action in handle_action
}

# Relationship targets too large for a plain select: pickers search them over AJAX.
AJAX_TARGETS = {
    "Unit": ("number",),
    "Owner": ("name", "phone"),
    "Ticket": ("code",),
    "Bill": ("period",),
}

PAGE_SIZE = 20
MAX_PAGE = 100_000  # further than anyone pages; 2,000,000 rows at the smallest page size


class OutOfScope(Exception):
    """A save would leave a row outside the rows the user may act on."""


# What a page reports as a message rather than as a server error: a rule's refusal, a write
# that met another user's write, or anything the database refused (errors.explain words it).
REFUSALS = (Refused, SQLAlchemyError)  # StaleDataError is one of SQLAlchemy's


def refusal_text(error: Exception) -> str:
    """Why an operation was refused, in the reader's language (errors.explain words what the
    database refused)."""
    if isinstance(error, Refused):
        return gettext(error.message, **{k: _worded(k, v) for k, v in error.params.items()})
    return errors.explain(error)


# A rule's parameters that are sums of money (rules/billing.py, models/guards.py).
MONEY_PARAMETERS = ("amount", "owed", "paid")


def _worded(name: str, value):
    """A rule's parameter in words: ticket states and steps are codes in `rules/`."""
    from models.people import DEPARTMENT, POSITION
    from models.tickets import TICKET_STATUS
    from rules.workflow import STEPS

    if name in ("status", "before", "after") and value in TICKET_STATUS:
        return str(TICKET_STATUS.label(value))
    if name == "step" and value in STEPS:
        return gettext(STEPS[value].label)
    if name in MONEY_PARAMETERS:
        return money(value)
    if name == "department" and value in DEPARTMENT:
        return str(DEPARTMENT.label(value))
    if name in ("position", "next") and value in POSITION:
        return str(POSITION.label(value))
    return value


def entity_url(name: str) -> str:
    """Where an entity's screens live: /admin/fee-standard/ for fee_standard."""
    return f"/admin/{name.replace('_', '-')}/"


# Ids are INTEGER columns: anything larger is no record's id (and would overflow the query).


def as_id(value) -> int | None:
    """A record id from a form or a URL; None for anything that is not one. The inline
    editor posts "id:version" (see VersionedXEditable); the id is the part before ":"."""
    text = (str(value) if value is not None else "").split(":", 1)[0]
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 \
        and int(text) <= MAX_ID else None


def posted_version(value) -> int | None:
    """The version part of an inline editor's "id:version"."""
    parts = (str(value) if value is not None else "").split(":", 1)
    return as_id(parts[1]) if len(parts) == 2 else None


class VersionedXEditable(XEditableWidget):
    """The inline editor, sending the version the user saw with the record's id."""

    def __call__(self, field, **kwargs):
        version = getattr(field, "row_version", None)
        if version is not None:
            kwargs["pk"] = f"{kwargs.get('pk')}:{version}"
        return super().__call__(field, **kwargs)


def scope_condition(entity: EntityAccess):
    """The WHERE condition of the rows of `entity` the signed-in user may read (None: all)."""
    grant = entity.grant(current_role())
    if not grant.allows("R"):
        return sa.false()
    if grant.scope == "department":
        return row_filter(entity.model, grant.scope, (),
                          department_scope(current_user.staff_id))
    return row_filter(entity.model, grant.scope,
                      steward_scope(current_role(), current_user.staff_id)
                      if grant.scope != "all" else ())


def scoped(query, entity: EntityAccess):
    condition = scope_condition(entity)
    return query if condition is None else query.filter(condition)


def scoped_query(model: type):
    """All rows of `model` the signed-in user may read; none when the role cannot read it."""
    query = db.session.query(model)
    entity = BY_MODEL.get(model)
    return query if entity is None else scoped(query, entity)


class ScopedAjaxLoader(MaskedPickerFields, QueryAjaxModelLoader):
    """A picker's search, limited to the rows the user may read, by the fields the user
    sees in full; its labels masked like every list."""

    def format(self, model):
        found = super().format(model)
        entity = BY_MODEL.get(self.model)
        if found is None or entity is None or reveals_personal():
            return found
        pk, label = found
        for name in entity.personal:
            value = getattr(model, name, None)
            if value:
                label = label.replace(value, mask(value))
        return pk, label

    def get_query(self):
        return scoped_query(self.model)

    def get_one(self, pk):
        with db.session.no_autoflush:
            return self.get_query().filter(self.model.id == as_id(pk)).one_or_none()


class EntityView(PickerWords, FormHelp, MaskedLookups, LiteralSearch, FieldWrites, SafeExports,
                 ModelView):
    """An admin view for one entity of the access declaration."""

    page_size = PAGE_SIZE
    can_set_page_size = True
    page_size_options = (20, 50, 100)
    export_types = ["csv", "xlsx"]
    export_max_rows = 50_000
    column_display_pk = False
    column_auto_select_related = True
    model_form_converter = ModelConverter
    filter_converter = FilterConverter()
    column_type_formatters = typefmt.BASE_FORMATTERS | {datetime: format_datetime,
                                                        bool: yes_no_icon}
    column_type_formatters_detail = typefmt.DETAIL_FORMATTERS | {
        datetime: format_datetime, bool: format_yes_no}
    column_type_formatters_export = typefmt.EXPORT_FORMATTERS | {
        datetime: format_datetime, bool: format_yes_no}
    # Letter each list action needs; subclasses and declarations add workflow actions.
    action_letters = {"delete": "D"}
    # Letters of the pages a subclass exposes (a page's POST checks its own letter).
    endpoint_letters: dict[str, str] = {}
    # Pages the policy keeps to some roles, beyond the letter (a supervisor's correction).
    endpoint_roles: dict[str, frozenset] = {}

    details_template = "admin/work/details.html"
    edit_template = "admin/work/edit.html"
    create_template = "admin/work/create.html"
    list_template = "admin/work/list.html"
    # (endpoint, label) of pages linked above the list; shown to roles with the page's letter
    page_links_declared: tuple[tuple[str, object], ...] = ()
    # field -> how a stored value reads in the record's history (codes → words)
    history_formatters: dict = {}
    # (endpoint, label) of a page where a row's work is done; linked from list and details.
    work_page: tuple[str, object] | None = None
    # What a subclass adds to the declared list: filters (made once per view) and formatters.
    added_filters: tuple = ()
    added_formatters: dict = {}

    def __init__(self, entity: EntityAccess, **declared) -> None:
        self.entity = entity
        if self.added_filters:
            declared["column_filters"] = [*declared.get("column_filters", []),
                                          *(make() for make in self.added_filters)]
        if self.added_formatters:
            declared["column_formatters"] = {**declared.get("column_formatters", {}),
                                             **self.added_formatters}
        for key, value in declared.items():
            setattr(self, key, value)
        self._prepare_columns()
        # rows about one unit or owner: the lists their files link to (file_filters.py)
        from .file_filters import file_filters

        self.column_filters = [*(self.column_filters or []), *file_filters(entity.model)]
        if self.work_page:
            self.column_extra_row_actions = [EndpointLinkRowAction(
                "fa fa-arrow-right", f".{self.work_page[0]}", title=self.work_page[1])]
        super().__init__(
            entity.model,
            db,
            name=entity.label,  # lazy: the menu is worded per request
            category=entity.category,
            endpoint=entity.name,
            url=entity_url(entity.name).rstrip("/"),
        )

    # ---- what the declaration allows this request ----------------------------------------
    @property
    def grant(self):
        return self.entity.grant(current_role())

    def page_links(self) -> list[tuple[str, object]]:
        return [(endpoint, label) for endpoint, label in self.page_links_declared
                if self.may_open(endpoint)]

    def may_open(self, endpoint: str) -> bool:
        """Whether the signed-in role may open `endpoint`: the letters it needs, and for a
        page kept to some roles (`endpoint_roles`), one of them."""
        letters = self.endpoint_letters.get(endpoint, ENDPOINT_LETTER.get(endpoint))
        if letters is None or (letters and not self.allows(letters)):
            return False
        return endpoint not in self.endpoint_roles or current_role() in self.endpoint_roles[
            endpoint]

    def allows(self, letters: str) -> bool:
        """Whether the signed-in role has any of `letters`; outside a request, whether any role
        has them (Flask-Admin builds its caches at start-up)."""
        if not has_request_context():
            return any(g.allows(x) for g in self.entity.grants.values() for x in letters)
        grant = self.grant
        return any(grant.allows(x) for x in letters)

    can_create = property(lambda self: self.allows("C"))
    can_edit = property(lambda self: self.allows("U"))
    can_delete = property(lambda self: self.allows("D"))
    can_view_details = property(lambda self: self.allows("R"))
    can_export = property(lambda self: self.allows("E"))

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and bool(self.grant.letters)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return to_sign_in()
        abort(403)

    def _handle_view(self, name, **kwargs):
        refused = super()._handle_view(name, **kwargs)
        if refused is not None:
            return refused
        if not self.may_open(name):
            abort(403)
        if name == "ajax_update" and self.get_one(request.form.get("list_form_pk")) is None:
            abort(404)  # Flask-Admin would answer a missing row with a 500
        return None

    @expose("/ajax/update/", methods=("POST",))
    def ajax_update(self):
        """Inline edit; a refused value is the user's error (400), not the server's (500); an
        edit of a record changed since the list was shown is refused (409)."""
        pk = request.form.get("list_form_pk")
        seen, row = posted_version(pk), self.get_one(pk)
        refusal = self.inline_refusal(row)  # a field the role may not write: first, and alone
        if refusal is not None:
            return refusal, 403
        if not self.column_editable_list:
            abort(404)
        if seen is None:
            return gettext("This edit was sent without the version of the record it was made "
                           "on; nothing was saved. Reload the list and edit again."), 400
        if row is not None and seen != row.version:
            return self.conflict_text(row, seen), 409
        result = super().ajax_update()
        if isinstance(result, tuple) and result[1] == 500:
            return result[0], 400
        return result

    def is_action_allowed(self, name: str) -> bool:
        letter = self.action_letters.get(name)
        return letter is not None and self.allows(letter)

    def handle_action(self, return_view=None):
        name = request.form.get("action", "")
        if name not in self._actions_data or not self.is_action_allowed(name):
            abort(403)
        ids = {as_id(pk) for pk in request.form.getlist("rowid")}
        query = self.get_query().filter(self.model.id.in_(list(ids - {None})))
        visible = {pk for (pk,) in query.with_entities(self.model.id)}
        if ids - visible:
            abort(403)
        return super().handle_action(return_view)

    @action(
        "delete",
        admin_gettext("Delete"),
        admin_gettext("Are you sure you want to delete selected records?"),
    )
    def action_delete(self, ids):
        # Flask-Admin compares the posted strings with the integer key; PostgreSQL refuses.
        return super().action_delete([as_id(pk) for pk in ids])

    def commit_or_refuse(self, operation) -> bool:
        """Run `operation()` and commit, for a work page's POST; a refusal is rolled back
        and shown as a message. True when saved."""
        try:
            operation()
            db.session.commit()
            return True
        except REFUSALS as refusal:
            db.session.rollback()
            flash(refusal_text(refusal), "error")
            return False

    def apply_to_selected(self, ids, operation, done_message: str) -> None:
        """Run `operation(row)` on each selected row (already checked to be in scope), each
        in its own savepoint: rows the policy refuses are named with the reason, the rest
        are saved."""
        rows = self.get_query().filter(self.model.id.in_([as_id(pk) for pk in ids])).all()
        done, refused = 0, []
        for row in rows:
            try:
                with db.session.begin_nested():
                    operation(row)
                    db.session.flush()
                done += 1
            except REFUSALS as refusal:
                refused.append(f"{row}: {refusal_text(refusal)}")
        db.session.commit()
        if done:
            flash(done_message % {"count": done}, "success")
        for message in refused:
            flash(message, "error")

    # ---- conflict-safe editing -------------------------------------------------------------
    def get_list_form(self):
        if not self.column_editable_list:
            return super().get_list_form()
        return self.scaffold_list_form(widget=VersionedXEditable(), validators={
            key: {"validators": value["validators"]}
            for key, value in (self.form_args or {}).items() if value.get("validators")
        })

    def list_form(self, obj=None):
        form = super().list_form(obj)
        if obj is not None:
            for field in form:
                field.row_version = obj.version
        return form

    def get_edit_form(self):
        class Versioned(super().get_edit_form()):
            # the version the user saw: a save over a newer one is refused
            seen_version = HiddenField()

        return Versioned

    def edit_form(self, obj=None):
        form = self._fit_form(super().edit_form(obj), obj)
        if request.method == "GET" and not form.seen_version.raw_data:
            form.seen_version.data = getattr(obj, "version", None)  # a POST must carry it
        return form

    def update_model(self, form, model):
        """Refuse a save over a version the user did not see: someone else saved in between."""
        seen = as_id(form.seen_version.data) if hasattr(form, "seen_version") else None
        if seen is None and hasattr(form, "seen_version"):
            flash(gettext("This form was sent without the version of the record it was opened "
                          "at, so a newer save could be overwritten; nothing was saved. Open "
                          "the record again and save from there."), "error")
            form.seen_version.data, form.seen_version.raw_data = model.version, None
            return False
        if seen is not None and seen != model.version:
            flash(self.conflict_text(model, seen), "error")
            # the form keeps what the user typed and now carries the current version: saving
            # again is a deliberate overwrite of what they have just been shown
            form.seen_version.data, form.seen_version.raw_data = model.version, None
            return False
        return super().update_model(form, model)

    def conflict_text(self, model, seen: int) -> str:
        from .history import entries_of, label_of, who

        newer = entries_of(model, since_version=seen)
        fields = []
        for entry in reversed(newer):
            for name in json.loads(entry.changes or "{}"):
                label = label_of(self, name)
                if label not in fields:
                    fields.append(label)
        return gettext(
            "%(who)s changed this record at %(when)s (%(fields)s) after you opened it. Your "
            "input is kept: check it against theirs and save again, or reload.",
            who=who(newer[0]) if newer else model.updated_by or "?",
            when=moment(model.updated_at), fields="、".join(fields) or "—")

    # ---- history ----------------------------------------------------------------------------
    def history(self, model) -> list[dict]:
        from .history import history

        return history(self, model)

    def _apply_pagination(self, query, page, page_size):
        """Past the first page, the page's ids first — sorted and skipped over the list's own
        columns — and only those rows joined to their names: a deep page costs what its 20
        rows cost, not the joins of every row it skips (issue 16). One statement still."""
        query = super()._apply_pagination(query, page, page_size)
        if not page or not page_size:
            return query
        ids = query.with_entities(self.model.id).subquery()
        return query.limit(None).offset(None).filter(self.model.id.in_(sa.select(ids.c.id)))

    def get_list(self, page, *args, **kwargs):
        # A negative page from a typed-in URL would be a negative OFFSET (an error on
        # PostgreSQL), a huge one an OFFSET past what the database can count.
        return super().get_list(min(max(page or 0, 0), MAX_PAGE), *args, **kwargs)

    @expose("/ajax/lookup/")
    def ajax_lookup(self):
        """A picker's search; a negative or huge offset or limit from a typed-in URL is read
        as the nearest sensible one."""
        offset = min(max(request.args.get("offset", 0, type=int) or 0, 0), MAX_ID)
        limit = min(max(request.args.get("limit", 10, type=int) or 10, 1), 100)
        name, query = request.args.get("name"), request.args.get("query") or ""
        loader = self._form_ajax_refs.get(name)
        if not loader:
            abort(404)
        data = [loader.format(m) for m in loader.get_list(query[:200], offset, limit)]
        return Response(json.dumps(data), mimetype="application/json")

    # ---- row scope ------------------------------------------------------------------------
    def get_query(self):
        return scoped(super().get_query(), self.entity)

    def get_count_query(self):
        from .counting import CappedCount

        return CappedCount(scoped(super().get_count_query(), self.entity))

    def get_one(self, id):
        pk = as_id(id)
        if pk is None:
            return None
        row = self.get_query().filter(self.model.id == pk).one_or_none()
        if row is None and db.session.get(self.model, pk) is not None:
            abort(403)  # exists, but not one of this user's rows
        return row

    def get_sortable_columns(self):
        """A column sorts by its natural key where the model keeps one (a room number by
        `number_key`: 101, 102, …, 1001; rules/ordering.py)."""
        found = super().get_sortable_columns()
        for name in found:
            if isinstance(name, str) and f"{name}_key" in self.model.__table__.c:
                found[name] = getattr(self.model, f"{name}_key")
        return found

    def scaffold_auto_joins(self):
        """Join every to-one relationship a list or an export shows: no query per row, and
        a streamed CSV never lazy-loads after the request's session is gone."""
        shown = {name for name, _ in self.get_list_columns()}
        shown |= {name for name, _ in self.get_export_columns()}
        return [getattr(self.model, key) for key in self._relation_targets if key in shown]

    # ---- forms ----------------------------------------------------------------------------
    def _create_ajax_loader(self, name, options):
        from .pickers import PICKERS

        loader = PICKERS.get(options["model"], ScopedAjaxLoader)
        return loader(name, db, options["model"], fields=options["fields"])

    def create_form(self, obj=None):
        form = self._fit_form(super().create_form(obj))
        if request.method == "GET":
            # ?bill=12 opens the form with that bill chosen, when it is one of the user's
            for name, target in self._relation_targets.items():
                pk = as_id(request.args.get(name))
                if pk is not None and name in form:
                    found = scoped_query(target).filter(target.id == pk).one_or_none()
                    if found is not None:
                        form[name].data = found
        return form

    def _fit_form(self, form, obj=None):
        """Scope relationship pickers, drop personal fields the role may not see and lock
        the fields it may not write (admin_views/field_access.py)."""
        for field in form:
            if isinstance(field, QuerySelectField | QuerySelectMultipleField):
                target = self._relation_targets.get(field.name)
                if target is not None:
                    field.query = scoped_query(target)
                field.validators = [*field.validators, _picked_row_exists]
            elif isinstance(field, AjaxSelectField):
                field.validators = [*field.validators, _picked_row_exists]
        if not reveals_personal():
            for name in self.entity.personal:
                if name in form:
                    del form[name]
        return self.lock_fields(form, obj)

    def validate_form(self, form) -> bool:
        if not self.refuse_locked_posts(form):
            return False
        valid = super().validate_form(form)
        if not valid or not hasattr(form, "_fields") or "list_form_pk" in form:
            return valid
        row = self.get_one(request.args.get("id")) if "seen_version" in form else None
        return self._check_unique_together(form) & form_checks.check_rules(self, form, row)

    def _check_unique_together(self, form) -> bool:
        """A duplicate of a multi-column unique key is a form error, not an integrity error."""
        ok = True
        for constraint in self.model.__table__.constraints:
            if not isinstance(constraint, sa.UniqueConstraint) or len(constraint.columns) < 2:
                continue
            values, last = {}, None
            for column in constraint.columns:
                field_name = self._field_for_column.get(column.name, column.name)
                if field_name not in form:
                    break
                data = form[field_name].data
                values[column.name] = getattr(data, "id", data)
                last = field_name
            else:
                if any(v is None for v in values.values()):
                    continue
                query = db.session.query(self.model.id).filter_by(**values)
                current = as_id(request.args.get("id"))
                if current is not None:
                    query = query.filter(self.model.id != current)
                with db.session.no_autoflush:
                    taken = query.first() is not None
                if taken:
                    labels = "、".join(
                        str(form[self._field_for_column.get(c, c)].label.text) for c in values
                    )
                    form[last].errors = [
                        *form[last].errors,
                        gettext("Another record already has this %(fields)s.", fields=labels),
                    ]
                    ok = False
        return ok

    def on_model_change(self, form, model, is_created):
        if current_role() == "steward" and hasattr(model, "steward"):
            # a steward's record names its steward: themselves, unless chosen otherwise
            # (set through the relationship, which would otherwise win over the id at flush)
            model.steward = model.steward or current_user.staff
        db.session.flush()
        if scope_condition(self.entity) is not None and not db.session.query(
            self.get_query().filter(self.model.id == model.id).exists()
        ).scalar():
            raise OutOfScope

    def handle_view_exception(self, exc):
        """Every failure of a form's save is a message; the session is rolled back first
        (the words are translated, and translation reads the signed-in user)."""
        db.session.rollback()
        if isinstance(exc, OutOfScope):
            flash(gettext("You can only save records within your own units and team."), "error")
        else:
            flash(refusal_text(exc), "error")
        return True

    # ---- generated columns ----------------------------------------------------------------
    def _prepare_columns(self) -> None:
        """Fill in what the declaration leaves out, from the model itself."""
        mapper = sa.inspect(self.entity.model)
        relations = {
            r.key: r for r in mapper.relationships if r.direction.name == "MANYTOONE"
        }
        self._relation_targets = {k: r.mapper.class_ for k, r in relations.items()}
        self._field_for_column = {
            next(iter(r.local_columns)).name: k for k, r in relations.items()
        }
        fk_columns = set(self._field_for_column)
        columns = [
            c for c in mapper.columns
            if not c.primary_key and not c.info.get("system") and c.name not in fk_columns
        ]
        to_many = [r.key for r in mapper.relationships if r.direction.name != "MANYTOONE"]

        def default(attr, value):
            if getattr(self, attr, None) is None:
                setattr(self, attr, value)

        short = [c.name for c in columns if not isinstance(c.type, sa.Text)]
        default("column_list", [*relations, *short][:9])
        default("column_details_list", [*relations, *(c.name for c in columns)])
        default("column_export_list", [*relations, *(c.name for c in columns)])
        default("form_excluded_columns", [
            *to_many, *(c.name for c in mapper.columns if c.info.get("system")),
        ])
        # a derived foreign key is left off the form as its relationship's field too
        derived = [self._field_for_column.get(c.name, c.name)
                   for c in mapper.columns if c.info.get("derived")]
        self.form_excluded_columns = [
            *self.form_excluded_columns,
            *(name for name in derived if name not in self.form_excluded_columns)]
        default("column_default_sort", ("id", True))
        # Sortable: the listed columns an index serves (issue 16): a sort the database
        # would answer by reading the whole table is not offered.
        listed = set(self.column_list or ())
        default("column_sortable_list", [c.name for c in columns
                                         if c.name in listed and is_indexed(c)])
        choice_columns = {c.name: c.info["choices"] for c in columns if "choices" in c.info}
        self.column_choices = {k: list(v) for k, v in choice_columns.items()}
        self.form_choices = {k: list(v) for k, v in choice_columns.items()}
        default("column_filters", [
            c.name for c in columns
            if "choices" in c.info or isinstance(c.type, sa.Boolean | sa.Date)
        ])
        derived = {c.name: validators_for(c.info, c.nullable, form_checks.bounds_for(c))
                   for c in columns}
        self.form_args = {
            name: {"validators": found} for name, found in derived.items() if found
        } | (getattr(self, "form_args", None) or {})
        for name, choices in choice_columns.items():  # a blank choice is no choice, not ""
            args = self.form_args.setdefault(name, {})
            args.setdefault("filters", [form_checks.blank_is_none])
            args["validators"] = [form_checks.OneOf(choices), *args.get("validators", [])]
        self.form_ajax_refs = {
            key: {"model": target, "fields": AJAX_TARGETS[target.__name__]}
            for key, target in self._relation_targets.items()
            if target.__name__ in AJAX_TARGETS
        }
        formatters = dict(getattr(self, "column_formatters", None) or {})
        for column in columns:
            if is_money(column.type):
                formatters.setdefault(column.key, _money_formatter)
            elif "choices" in column.info and column.nullable:
                formatters.setdefault(column.key, _choice_formatter)
            elif column.key.endswith("phone"):
                formatters.setdefault(column.key, _phone_formatter)
        for name in self.entity.personal:
            formatters[name] = _personal_formatter
        self.column_formatters = formatters
        labels = _labels(mapper)
        for name in self.column_filters or ():
            if isinstance(name, str) and "." in name:  # "steward.name": the steward
                labels[name] = labels.get(name.split(".", 1)[0], name)
        self.column_labels = labels | (getattr(self, "column_labels", None) or {})


def is_indexed(column: sa.Column) -> bool:
    """Whether an index that can sort leads with `column`: its own, a key's, or a
    composite's first (not a trigram index, nor a prefix index's pattern order)."""
    if column.primary_key or column.index or column.unique:
        return True
    table = column.table
    leading = [next(iter(ix.columns)) for ix in table.indexes
               if ix.columns and not for_matching(ix)]
    leading += [next(iter(c.columns)) for c in table.constraints
                if isinstance(c, sa.UniqueConstraint | sa.PrimaryKeyConstraint) and c.columns]
    return any(lead is column for lead in leading)


def _picked_row_exists(form, field) -> None:
    """A picked id that is not among the user's rows is an error, not a blank."""
    if field.raw_data and field.raw_data[0] not in ("", "__None") and field.data is None:
        raise ValidationError(gettext("Choose one of the records offered."))


def is_money(column_type) -> bool:
    return isinstance(column_type, sa.Numeric) and (column_type.precision,
                                                   column_type.scale) == (12, 2)


def _choice_formatter(view, context, model, name):
    """A closed-set value in words; nothing (not "None") when it is empty."""
    value = getattr(model, name)
    return "" if value is None else str(dict(view.column_choices[name]).get(value, value))


def _money_formatter(view, context, model, name):
    return money(getattr(model, name))


def _personal_formatter(view, context, model, name):
    """Masked for a role that may not see it; a phone seen in full calls."""
    value = personal_value(model, name)
    return call_link(value) if name.endswith("phone") else value


def _phone_formatter(view, context, model, name):
    return call_link(getattr(model, name))


def _labels(mapper) -> dict:
    """Column labels: each column's and relationship's label from admin_views/labels.py."""
    names = [c.key for c in mapper.columns] + [r.key for r in mapper.relationships]
    return {name: FIELD_LABELS[name] for name in names}
