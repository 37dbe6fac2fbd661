"""Checks a form makes before the database would: the table's CHECK rules and the bounds of
what a column can hold (length, digits, dates, integers). (Unique columns are checked by
Flask-Admin's own `Unique` validator, multi-column keys by the generated view.)

The CHECK rules are not written twice: each CHECK constraint's own SQL is evaluated by the
database on the form's values (a one-row SELECT on a connection of its own, so a value the
database cannot take fails there and not in the request's transaction). A broken rule is a
field error worded by `errors.CHECK_MESSAGES`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext
from wtforms.validators import StopValidation, ValidationError

from extensions import db
from rules.periods import FIRST_YEAR, LAST_YEAR  # dates a record can carry

# Free text (Text columns) is at most this long unless the column's info says "max_length":
# a long note is a page; anything longer is a document, which belongs in a file.
TEXT_LIMIT = 2000
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


# ---- bounds of what a column can hold (validators added to every generated form) ----------
class FiniteDecimal:
    """A number the column can store: not NaN or infinite, at most `scale` decimal places,
    fewer than precision - scale digits before the point."""

    field_flags = {}

    def __init__(self, precision: int | None, scale: int | None) -> None:
        self.precision, self.scale = precision, scale

    def __call__(self, form, field) -> None:
        value = field.data
        if value is None:
            return
        try:
            value = Decimal(value)
            finite = value.is_finite()
        except (InvalidOperation, TypeError, ValueError):
            finite = False
        if not finite:
            raise StopValidation(gettext("Enter an ordinary number."))
        digits = (self.precision or 20) - (self.scale or 0)
        if abs(value) >= Decimal(10) ** digits:
            raise StopValidation(gettext("This number is too large."))
        if self.scale is not None and value != value.quantize(Decimal(1).scaleb(-self.scale)):
            raise StopValidation(gettext("Use at most %(n)s decimal places.", n=self.scale))


class IntegerBounds:
    field_flags = {}

    def __call__(self, form, field) -> None:
        if field.data is not None and not INT_MIN <= field.data <= INT_MAX:
            raise StopValidation(gettext("This number is too large."))


class DateBounds:
    field_flags = {}

    def __call__(self, form, field) -> None:
        value = field.data
        if isinstance(value, date | datetime) and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise StopValidation(gettext("Enter a date between %(first)s and %(last)s.",
                                         first=FIRST_YEAR, last=LAST_YEAR))


class TextLength:
    field_flags = {}

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, form, field) -> None:
        if field.data is not None and len(str(field.data)) > self.limit:
            raise ValidationError(gettext(
                "At most %(limit)s characters (this is %(length)s).",
                limit=self.limit, length=len(str(field.data))))


def blank_is_none(value):
    """A choice left blank (or sent as spaces) is no choice."""
    return None if isinstance(value, str) and not value.strip() else value


class OneOf:
    """Stops the checks of a choice that is none of `choices`: the select has said so, and
    a check that queries the column (a unique code) could not even ask the database."""

    def __init__(self, choices) -> None:
        self.values = {value for value, _ in choices}

    def __call__(self, form, field) -> None:
        if field.data is not None and field.data not in self.values:
            raise StopValidation()


def bounds_for(column: sa.Column) -> list:
    """The validators of what `column`'s type can hold."""
    kind = column.type
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return [FiniteDecimal(kind.precision, kind.scale)]
    if isinstance(kind, sa.Integer):
        return [IntegerBounds()]
    if isinstance(kind, sa.Date | sa.DateTime) or getattr(kind, "impl", None) is not None and \
            isinstance(kind.impl, sa.DateTime | sa.Date):
        return [DateBounds()]
    if isinstance(kind, sa.Text):
        return [TextLength(column.info.get("max_length", TEXT_LIMIT))]
    return []


# ---- the table's rules ----------------------------------------------------------------------
def _value(view, form, obj, column: sa.Column):
    name = view._field_for_column.get(column.name, column.name)
    if name in form:
        if form[name].errors:
            raise LookupError(name)  # already wrong: its own message says why
        data = form[name].data
        return name, getattr(data, "id", data)  # a chosen record: its id
    if obj is not None:
        return None, getattr(obj, column.key, None)
    default = column.default.arg if column.default is not None and \
        column.default.is_scalar else None
    return None, default


def check_rules(view, form, obj=None) -> bool:
    """Evaluate each CHECK constraint of the view's table on the form's values; a broken
    one is an error on the last of its fields that the form shows."""
    import errors

    table = view.model.__table__
    ok = True
    for constraint in table.constraints:
        if not isinstance(constraint, sa.CheckConstraint) or constraint.name is None:
            continue
        sql = str(constraint.sqltext)
        used = [c for c in table.columns if re.search(rf"\b{c.name}\b", sql)]
        if not used:
            continue
        try:
            values = {c.name: _value(view, form, obj, c) for c in used}
        except LookupError:
            continue
        shown = [field for field, _ in values.values() if field is not None]
        if not shown:
            continue
        expression = sql
        for column in used:
            expression = re.sub(rf"\b{column.name}\b", f":p_{column.name}", expression)
        statement = sa.text(f"SELECT CASE WHEN ({expression}) THEN 1 "
                            f"WHEN NOT ({expression}) THEN 0 END").bindparams(*[
            sa.bindparam(f"p_{c.name}", values[c.name][1], type_=c.type) for c in used])
        try:
            with db.engine.connect() as connection:
                holds = connection.execute(statement).scalar()
        except (sa.exc.SQLAlchemyError, ValueError, OverflowError):
            continue  # a value the database cannot take: the save will say so
        if holds == 0:
            field = form[shown[-1]]
            field.errors = [*field.errors, errors.check_words(constraint.name)]
            ok = False
    return ok
