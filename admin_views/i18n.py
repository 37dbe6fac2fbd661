"""Flask-Admin's and WTForms' own words, with ours first: Flask-Admin's Chinese catalogue
lacks a few strings (the page sizes), words "items" as 项目 (projects), which misleads here,
and reads like a machine in places ("选中的", "不是之间", "按 名称 进行排序"); WTForms' says
"该字段是必填字段" and "不是有效的小数". Both ask their catalogue of a flask_babel Domain
(Flask-Admin's lazy strings, made at import, too), so each domain's catalogue is replaced by
one that asks ours first (the messages listed below, for `pybabel extract` to find)."""

from __future__ import annotations

import flask_admin.babel as admin_babel
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l

# Flask-Admin msgids we word ourselves (listed so that `pybabel extract` finds them): its
# catalogue words "items" as 项目 and lacks the others.
OVERRIDES = [_l("items"), _l("20 items"), _l("50 items"), _l("100 items"),
             _l("Failed to create record."), _l("Failed to save record."),
             # the list: its filters' operations, sort links, bulk actions, messages
             _l("equals"), _l("not equal"), _l("contains"), _l("not contains"),
             _l("greater than"), _l("smaller than"), _l("empty"), _l("in list"),
             _l("not in list"), _l("between"), _l("not between"), _l("Sort by %(name)s"),
             _l("With selected"), _l("Please select model"), _l("Filter"), _l("Add Filter"),
             _l("Reset Filters"), _l("Create"), _l("Create New Record"),
             _l("There are no items in the table."),
             _l("Invalid Filter Value: %(value)s"), _l("Record was successfully created."),
             _l("Record was successfully saved."), _l("Record was successfully deleted."),
             _l("%(count)s records were successfully deleted."),
             _l("Are you sure you want to delete this record?"),
             _l("Are you sure you want to delete selected records?"),
             _l("Please select at least one record."), _l("Save and Add Another"),
             _l("Save and Continue Editing"), _l("Not a valid choice"),
             # WTForms' validation messages as our forms meet them
             _l("This field is required."), _l("Not a valid choice."),
             _l("Invalid Choice: could not coerce."), _l("Not a valid date value."),
             _l("Not a valid datetime value."), _l("Not a valid time value."),
             _l("Not a valid integer value."), _l("Not a valid decimal value."),
             _l("Not a valid float value."), _l("Number must be at least %(min)s."),
             _l("Number must be at most %(max)s."),
             _l("Number must be between %(min)s and %(max)s."),
             _l("Field cannot be longer than %(max)d character."),
             _l("Field cannot be longer than %(max)d characters."),
             _l("Field must be at least %(min)d character long."),
             _l("Field must be at least %(min)d characters long."),
             _l("Field must be between %(min)d and %(max)d characters long."),
             _l("Invalid email address."), _l("Invalid input."),
             _l("This field cannot be edited.")]


class OursFirst:
    """A catalogue that answers from ours where ours has the message, else from theirs."""

    def __init__(self, ours, theirs) -> None:
        self.ours, self.theirs = ours, theirs
        self.known = getattr(ours, "_catalog", {})

    def ugettext(self, message):
        return (self.ours if message in self.known else self.theirs).ugettext(message)

    def ungettext(self, singular, plural, n):
        chosen = singular if n == 1 else plural
        if chosen in self.known:
            return self.ours.ugettext(chosen)
        return self.theirs.ungettext(singular, plural, n)

    gettext, ngettext = ugettext, ungettext


def _ours_before(domain) -> None:
    """Every lookup in `domain` (lazy strings made at import included: they call the domain's
    `gettext`, which asks `self.get_translations()`) consults our catalogue first."""
    theirs = domain.get_translations
    domain.get_translations = lambda: OursFirst(get_translations(), theirs())


def install() -> None:
    if getattr(admin_babel, "_ours_first", False):
        return
    _ours_before(admin_babel.domain)  # Flask-Admin's words: templates, flashes, filters
    _ours_before(admin_babel.wtforms_domain)  # WTForms' validation messages in its forms
    admin_babel._ours_first = True
