"""Form validators derived from what the models declare in column info."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import validators

FORMATS = {
    # mainland mobile (11 digits from 1[3-9]) or landline with area code (010-12345678)
    "phone": (
        re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"),
        _l("Enter a mobile number (11 digits) or a landline with area code, e.g. 010-12345678."),
    ),
    "id_number": (
        re.compile(r"^\d{17}[\dXx]$"),
        _l("An ID number has 18 characters: 17 digits and a digit or X."),
    ),
    "email": (
        re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
        _l("Enter an email address such as name@example.com."),
    ),
    "period": (
        re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
        _l("Enter a month as YYYY-MM, e.g. 2026-11."),
    ),
}


class Format(validators.Regexp):
    """A Regexp whose translated message is rendered when it fails.

    Flask-Admin's templates print only plain-string errors, so the lazy message is turned
    into text at validation time, in the request's language."""

    def __call__(self, form, field, message=None):
        return super().__call__(form, field, str(self.message))


def validators_for(info: dict, nullable: bool) -> list:
    """WTForms validators for a column, from its info: format, min, max."""
    found = [validators.Optional()] if nullable else []
    if "format" in info:
        pattern, message = FORMATS[info["format"]]
        found.append(Format(pattern, message=message))
    if "min" in info or "max" in info:
        found.append(validators.NumberRange(min=info.get("min"), max=info.get("max")))
    return found
