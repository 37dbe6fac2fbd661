"""Flask-Admin's own words, with ours first: its Chinese catalogue lacks a few strings (the
page sizes) and words "items" as 项目 (projects), which misleads here. Flask-Admin's
templates look up `_gettext` and `_ngettext` on its babel module at render time, so
wrapping those two puts our catalogue in front of Flask-Admin's."""

from __future__ import annotations

import flask_admin.babel as admin_babel
import flask_admin.model.base as admin_model_base
from flask_babel import get_translations
from flask_babel import gettext as our_gettext
from flask_babel import lazy_gettext as _l

# Flask-Admin msgids we word ourselves (listed so that `pybabel extract` finds them): its
# catalogue words "items" as 项目 and lacks the others.
OVERRIDES = [_l("items"), _l("20 items"), _l("50 items"), _l("100 items"),
             _l("Failed to create record."), _l("Failed to save record.")]


def _ours(message: str) -> bool:
    catalog = getattr(get_translations(), "_catalog", {})
    return message in catalog


def install() -> None:
    if getattr(admin_babel, "_ours_first", False):
        return
    admin_gettext, admin_ngettext = admin_babel.gettext, admin_babel.ngettext

    def gettext(string, *args, **variables):
        if _ours(string):
            return our_gettext(string, **variables)
        return admin_gettext(string, *args, **variables)

    def ngettext(singular, plural, num, **variables):
        chosen = singular if num == 1 else plural
        if _ours(chosen):
            return our_gettext(chosen, **variables)
        return admin_ngettext(singular, plural, num, **variables)

    admin_babel.gettext, admin_babel.ngettext = gettext, ngettext
    # the model views flash with the gettext they imported (not looked up at render time)
    admin_model_base.gettext = gettext
    admin_babel._ours_first = True
