"""Form and filter support for moments in time: stored in UTC, shown in the company's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.form import DateTimeField
from flask_admin.model import filters
from flask_admin.model.form import converts

SHOWN = "%Y-%m-%d %H:%M"


def company_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["COMPANY_TIMEZONE"])


def local(value: datetime) -> datetime:
    return value.astimezone(company_zone())


class LocalDateTimeField(DateTimeField):
    """Shows and reads times in the company's zone; hands the model an aware datetime."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"])
        # the picker writes what the field shows: to the minute, no seconds
        kwargs["render_kw"] = {"data-date-format": "YYYY-MM-DD HH:mm",
                               **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return local(self.data).strftime(SHOWN) if self.data else ""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and self.data.tzinfo is None:
            self.data = self.data.replace(tzinfo=company_zone())


class ModelConverter(AdminModelConverter):
    @converts("UTCDateTime")
    def convert_utc_datetime(self, column, field_args, **extra):
        return LocalDateTimeField(**field_args)


def _aware(value):
    if isinstance(value, list):
        return [_aware(v) for v in value]
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=company_zone())
    return value


# A date range as the Chinese date picker writes it ("2026-11-01 至 2026-11-30",
# static/date-pickers.zh-CN.js); Flask-Admin reads "2026-11-01 to 2026-11-30".
RANGE_WORDS = (" 至 ", " to ")


def _range_in_either_language(filter_class):
    """A between filter that reads a range written with 至 as well as with "to"."""

    def plain(value):
        return value.replace(*RANGE_WORDS) if isinstance(value, str) else value

    return type(filter_class.__name__, (filter_class,), {
        "clean": lambda self, value: filter_class.clean(self, plain(value)),
        "validate": lambda self, value: filter_class.validate(self, plain(value))})


def _ranges_read(filter_classes):
    return tuple(_range_in_either_language(f) if "Between" in f.__name__ else f
                 for f in filter_classes)


def _in_company_zone(filter_class):
    """A datetime filter whose typed-in times are read in the company's zone."""

    def clean(self, value):
        return _aware(filter_class.clean(self, value))

    return type(filter_class.__name__, (filter_class,), {"clean": clean})


def _only_known_values(filter_class):
    """A filter on a closed set of values that refuses any other value (a typed-in URL):
    Flask-Admin then says "invalid filter value" instead of the database failing."""

    def validate(self, value):
        known = {str(key) for key, _label in self.options}
        cleaned = self.clean(value)
        values = cleaned if isinstance(cleaned, list) else [cleaned]
        return bool(values) and all(v in known for v in values)

    return type(filter_class.__name__, (filter_class,), {"validate": validate})


class FilterConverter(sqla_filters.FilterConverter):
    local_datetime_filters = _ranges_read(tuple(
        _in_company_zone(f) for f in sqla_filters.FilterConverter.datetime_filters
    ))
    date_filters = _ranges_read(sqla_filters.FilterConverter.date_filters)

    enum = (
        _only_known_values(sqla_filters.EnumEqualFilter),
        _only_known_values(sqla_filters.EnumFilterNotEqual),
        sqla_filters.EnumFilterEmpty,
        _only_known_values(sqla_filters.EnumFilterInList),
        _only_known_values(sqla_filters.EnumFilterNotInList),
    )

    @filters.convert("enum")
    def conv_enum(self, column, name, options=None, **kwargs):
        """A closed set's filter offers its values by their labels, also on a related
        record's column (a dispatch's department: 工程部, not engineering)."""
        if not options and "choices" in getattr(column, "info", {}):
            options = list(column.info["choices"])
        return super().conv_enum(column, name, options, **kwargs)

    @filters.convert("utcdatetime")
    def conv_utc_datetime(self, column, name, **kwargs):
        return [f(column, name, **kwargs) for f in self.local_datetime_filters]


def format_datetime(view, value, name=None) -> str:
    """A list's, a details page's or an export's moment (admin_views/formats.py)."""
    from .formats import moment

    return moment(value)


def format_yes_no(view, value, name=None) -> str:
    from flask_babel import gettext

    return gettext("Yes") if value else gettext("No")


def yes_no_icon(view, value, name=None):
    """A list's yes/no: Flask-Admin's icon, its tooltip in words (主业主：是, not
    "is_primary: true")."""
    from flask_babel import gettext
    from markupsafe import Markup

    label = view.column_labels.get(name, name) if view is not None else name
    icon = "fa-check-circle" if value else "fa-minus-circle"
    return Markup('<span class="fa {}" title="{}"></span>').format(
        icon, gettext("%(field)s: %(value)s", field=label, value=format_yes_no(view, value)))
