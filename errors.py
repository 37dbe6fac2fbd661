"""What a failure tells the user: a rule or a database refusal in words, never its SQL; and
the pages a request gets when it cannot be served (400 — a form's expired CSRF token
among them —, 403, 404, 405, 409, 500, 503), each in the reader's language with a heading,
what happened, and the request id that the log files the details under.

A failed write is rolled back before anything is said about it: the words are translated,
translation reads the signed-in user, and the user's row cannot be read from a session
whose flush failed.
"""

from __future__ import annotations

import logging
import re
import uuid

import sqlalchemy as sa
from flask import Flask, g, has_request_context, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import IntegerConverter

from rules.refusal import N_

MAX_ID = 2**31 - 1  # the largest id a record can have (an integer column on PostgreSQL)


class RecordId(IntegerConverter):
    """`<int:…>` in every route: a number past any record's id is no record (404), answered
    before a query the database would refuse."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

log = logging.getLogger("steward.errors")

# The words of each CHECK constraint the models declare (the name after "ck_<table>_"). A
# test fails when a model gains a CHECK that is missing here.
CHECK_MESSAGES = {
    "until_after_from": _l("The end date cannot be before the start date."),
    "until_after_since": _l("An ownership cannot end before it starts."),
    "completed_after_start": _l("A procedure cannot be completed before it started."),
    "done_by_when_done": _l("A step names who did it only once it is done."),
    "paid_within_amount": _l("A bill cannot be paid more than its amount."),
    "steward_within_property": _l("Years as a steward cannot exceed years in property "
                                  "management."),
    "kpi_weights_sum_100": _l("The four KPI weights must add up to 100."),
    "annual_weights_sum_100": _l("The three annual weights must add up to 100."),
    "grades_ordered": _l("The grade thresholds must go down: excellent above good above pass."),
    "age_range_ordered": _l("The lowest age cannot be above the highest."),
    "end_after_start": _l("A steward's stretch on a unit cannot end before it starts."),
}
# Generic CHECKs, by the suffix models/base.py gives them.
SUFFIX_MESSAGES = {
    "_non_negative": N_("%(field)s cannot be negative."),
    "_positive": N_("%(field)s must be more than zero."),
    "_range": N_("%(field)s is outside the allowed range."),
}

CONCURRENT_ID = N_("Someone else changed these records at the same moment; nothing was "
                   "saved. Reload the page and try again.")
CONCURRENT = _l(CONCURRENT_ID)


def request_id() -> str:
    """The id the log files this request under ("-" outside a request). A request refused
    before it was given one (a form's CSRF check comes first) gets it here, so the page and
    the X-Request-Id header name the same."""
    if not has_request_context():
        return "-"
    if "request_id" not in g:
        g.request_id = uuid.uuid4().hex[:12]
    return g.request_id


def _label(name: str) -> str:
    from admin_views.labels import FIELD_LABELS

    return str(FIELD_LABELS.get(name, name))


def _tables():
    from models.base import Base

    return Base.metadata.tables


def check_words(name: str) -> str:
    """The words of the CHECK constraint `name`."""
    return _constraint_words(name) or _generic_check()


def _constraint_words(name: str) -> str | None:
    """The words of a CHECK constraint named `name` (as the database reports it)."""
    for table in _tables().values():
        for constraint in table.constraints:
            if not isinstance(constraint, sa.CheckConstraint) or constraint.name != name:
                continue
            short = name.removeprefix(f"ck_{table.name}_")
            if short in CHECK_MESSAGES:
                return str(CHECK_MESSAGES[short])
            bounds = re.search(r">= (-?[\d.]+) AND \w+ <= (-?[\d.]+)", str(constraint.sqltext))
            if short.endswith("_range") and bounds:
                return gettext("%(field)s must be between %(low)s and %(high)s.",
                               field=_label(short.removesuffix("_range")),
                               low=bounds.group(1), high=bounds.group(2))
            for suffix, message in SUFFIX_MESSAGES.items():
                if short.endswith(suffix):
                    return gettext(message, field=_label(short.removesuffix(suffix)))
            if getattr(constraint, "_type_bound", False):  # a closed set of choices
                return gettext("%(field)s: choose one of the values offered.",
                               field=_label(_choice_column(table, constraint) or short))
            return None
    return None


def _choice_column(table, constraint) -> str | None:
    text = str(constraint.sqltext)
    return next((c.name for c in table.columns if re.search(rf"\b{c.name}\b", text)), None)


def _unique_words(columns: list[str]) -> str:
    return gettext("Another record already has this %(fields)s.",
                   fields="、".join(_label(c.removesuffix("_id")) for c in columns))


def _unique_columns(name: str) -> list[str]:
    for table in _tables().values():
        for constraint in table.constraints:
            if isinstance(constraint, sa.UniqueConstraint) and constraint.name == name:
                return [c.name for c in constraint.columns]
        for index in table.indexes:
            if index.unique and index.name == name:
                return [c.name for c in index.columns]
    return []


def integrity_words(error: sa.exc.IntegrityError) -> str:
    """A CHECK, UNIQUE, foreign key or NOT NULL violation in words, naming the field."""
    orig = error.orig
    diag = getattr(orig, "diag", None)
    if diag is not None:  # PostgreSQL
        state = getattr(orig, "sqlstate", None)
        if state == "23514" and diag.constraint_name:
            return _constraint_words(diag.constraint_name) or _generic_check()
        if state == "23505":
            return _unique_words(_unique_columns(diag.constraint_name or "") or ["—"])
        if state == "23502":
            return gettext("%(field)s is required.", field=_label(diag.column_name or "—"))
        if state == "23503":
            return _foreign_key_words()
        return _generic_check()
    text = str(orig)  # SQLite
    if match := re.search(r"CHECK constraint failed: (\w+)", text):
        return _constraint_words(match.group(1)) or _generic_check()
    if match := re.search(r"UNIQUE constraint failed: ([\w.,\s]+)", text):
        return _unique_words([part.strip().split(".")[-1] for part in match.group(1).split(",")])
    if match := re.search(r"NOT NULL constraint failed: \w+\.(\w+)", text):
        return gettext("%(field)s is required.", field=_label(match.group(1)))
    if "FOREIGN KEY" in text:
        return _foreign_key_words()
    return _generic_check()


def _generic_check() -> str:
    return gettext("A value breaks one of the record's rules; nothing was saved.")


def _foreign_key_words() -> str:
    return gettext("A record this one refers to does not exist (any more); nothing was saved.")


def is_concurrent(error: BaseException) -> bool:
    """A real conflict with another user's write: a stale version, or the database giving up
    on one of two transactions (serialization failure, deadlock)."""
    if isinstance(error, StaleDataError):
        return True
    state = getattr(getattr(error, "orig", None), "sqlstate", None)
    return state in ("40001", "40P01")


def explain(error: BaseException) -> str:
    """Why a write failed, in the reader's language. Anything not the user's doing is logged
    with its traceback under the request id the message shows. (A rule's refusal is worded by
    admin_views.generated.refusal_text, which hands everything else here.)"""
    if is_concurrent(error):
        return str(CONCURRENT)
    if isinstance(error, sa.exc.IntegrityError):
        log.info("refused by the database: %s", error.orig)
        return integrity_words(error)
    log.error("write failed", exc_info=error)
    if isinstance(error, sa.exc.DataError):
        return gettext("A value is too large or not in a form the database can store; nothing "
                       "was saved (reference %(id)s).", id=request_id())
    if isinstance(error, sa.exc.OperationalError | sa.exc.InternalError):
        return unavailable_words()
    return gettext("Something went wrong; nothing was saved. Tell the office the reference "
                   "%(id)s.", id=request_id())


def unavailable_words() -> str:
    return gettext("The database cannot take changes at the moment (it may be read-only, full "
                   "or restarting); nothing was saved. Try again in a few minutes. Reference "
                   "%(id)s.", id=request_id())


# ---- pages for requests that cannot be served -----------------------------------------------
# Each page's heading; its message says why and what to do.
TITLES = {
    400: _l("The request could not be used"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Not allowed this way"),
    409: _l("Changed by someone else"),
    500: _l("Something went wrong"),
    503: _l("Not available at the moment"),
}


def _page(status: int, message: str):
    return render_template("error.html", status=status, title=TITLES.get(status, status),
                           message=message, request_id=request_id()), status


def _rolled_back() -> None:
    from extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; the pool replaces it
        db.session.remove()


def _is_read() -> bool:
    return request.method in ("GET", "HEAD")


def _retry_read(app: Flask, error: sa.exc.DBAPIError):
    """A read whose connection dropped (the server restarting) runs once more on a fresh
    connection; None when it is not such a read or fails again."""
    if not (_is_read() and error.connection_invalidated) or g.get("retried"):
        return None
    g.retried = True
    log.warning("connection lost [%s]; reading again on a fresh connection", request_id())
    _rolled_back()
    try:
        response = app.preprocess_request()
        if response is None:
            response = app.dispatch_request()
        return app.make_response(response)
    except Exception as again:  # noqa: BLE001 - the second failure is answered with a 503
        log.error("read failed again", exc_info=again)
        _rolled_back()
        return None


def init_app(app: Flask) -> None:
    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InternalError)
    def database_unavailable(error):
        retried = _retry_read(app, error) if isinstance(error, sa.exc.DBAPIError) else None
        if retried is not None:
            return retried
        log.error("database unavailable", exc_info=error)
        _rolled_back()
        return _page(503, gettext(
            "The database cannot be reached or cannot take changes at the moment (it may be "
            "read-only, full or restarting). Try again in a few minutes."))

    @app.errorhandler(sa.exc.SQLAlchemyError)
    def database_refused(error):
        _rolled_back()
        if is_concurrent(error):
            return _page(409, str(CONCURRENT))
        if isinstance(error, sa.exc.IntegrityError):
            return _page(400, integrity_words(error))
        log.error("database error", exc_info=error)
        return _page(400 if isinstance(error, sa.exc.DataError) else 500, gettext(
            "The request could not be completed; nothing was saved."))

    @app.errorhandler(400)
    def bad_request(error):
        if isinstance(error, CSRFError):
            return _page(400, gettext(
                "This form was open too long, or was sent from another page, so it was not "
                "accepted; nothing was saved. Go back, reload the page and send it again."))
        return _page(400, gettext("The request was not understood: %(why)s",
                                  why=_bad_request_reason(error)))

    @app.errorhandler(403)
    def forbidden(error):
        return _page(403, gettext("You do not have permission to do this."))

    @app.errorhandler(404)
    def not_found(error):
        return _page(404, gettext("There is no such page or record."))

    @app.errorhandler(405)
    def not_allowed(error):
        return _page(405, gettext("This page cannot be used that way."))

    @app.errorhandler(500)
    def server_error(error):
        # the exception and its traceback are logged by logging_setup (got_request_exception)
        _rolled_back()
        return _page(500, gettext("Something went wrong on our side. Tell the office the "
                                  "reference below."))

    app.before_request(_refuse_nul)


def _bad_request_reason(error) -> str:
    return str(getattr(error, "steward_reason", None) or gettext(
        "a value is missing or not in the expected form."))


# A URL's value longer than this is no search or filter anyone types (SQLite refuses a LIKE
# pattern past 50,000 bytes).
ARGUMENT_LIMIT = 1000


def _refuse_nul():
    """A NUL character is never part of what a person types; PostgreSQL cannot store one and
    a search for one would fail in the database. Nor is a search of thousands of characters."""
    from werkzeug.exceptions import BadRequest

    sources = [request.args] if request.method in ("GET", "HEAD") else [request.args,
                                                                       request.form]
    reason = None
    for source in sources:
        values = [value for _key, found in source.lists() for value in found]
        if any("\x00" in value for value in values):
            reason = gettext("a value contains a NUL character, which cannot be saved or "
                             "searched for.")
    if any(len(value) > ARGUMENT_LIMIT for value in request.args.values()):
        reason = gettext("a value in the address is longer than %(n)s characters.",
                         n=ARGUMENT_LIMIT)
    if reason:
        error = BadRequest()
        error.steward_reason = reason
        raise error
