"""Form validators derived from what the models declare in column info."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import validators

from rules.formats import PATTERNS

MESSAGES = {
    "phone": _l("Enter a mobile number (11 digits) or a landline with area code, "
                "e.g. 010-12345678."),
    "id_number": _l("An ID number has 18 characters: 17 digits and a digit or X."),
    "email": _l("Enter an email address such as name@example.com."),
    "period": _l("Enter a month as YYYY-MM, e.g. 2026-11."),
}
FORMATS = {kind: (PATTERNS[kind], message) for kind, message in MESSAGES.items()}


class Format(validators.Regexp):
    """A Regexp whose translated message is rendered when it fails.

    Flask-Admin's templates print only plain-string errors, so the lazy message is turned
    into text at validation time, in the request's language."""

    def __call__(self, form, field, message=None):
        return super().__call__(form, field, str(self.message))


def validators_for(info: dict, nullable: bool, bounds: list = ()) -> list:
    """WTForms validators for a column, from its info: format, min, max; `bounds` (what
    the column's type can hold) run first and stop at a value no other check can read."""
    found = [validators.Optional()] if nullable else []
    found += list(bounds)
    if "format" in info:
        pattern, message = FORMATS[info["format"]]
        found.append(Format(pattern, message=message))
    if "min" in info or "max" in info:
        found.append(validators.NumberRange(min=info.get("min"), max=info.get("max")))
    return found
