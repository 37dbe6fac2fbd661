"""The phone's compact menu: a steward's few daily jobs (and a department's queue) as a row of
large buttons under the top bar, shown only on narrow screens (static/phone.css). The full
menu stays behind the top bar's button. Each entry appears only if the role may open it."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from access import ENTITIES

# role -> (entity or None for the start page, letter needed, endpoint, label)
MENU = {
    "steward": (
        (None, "", "admin.index", _l("Home")),
        ("ticket", "R", "ticket.index_view", _l("Tickets")),
        ("ticket", "C", "ticket.create_view", _l("New ticket")),
        ("bill", "R", "bill.arrears_view", _l("Arrears")),
        ("return_visit", "R", "return_visit.index_view", _l("Return visits")),
        ("work_log", "R", "work_log.index_view", _l("Work logs")),
    ),
    "department": (
        (None, "", "admin.index", _l("Home")),
        ("dispatch", "R", "dispatch.index_view", _l("Dispatched work")),
    ),
}


def entries() -> list[tuple[str, str]]:
    """(label, url) of the signed-in user's compact menu; empty for the desk roles."""
    if not current_user.is_authenticated:
        return []
    role = current_user.role
    return [(str(label), url_for(endpoint))
            for entity, letter, endpoint, label in MENU.get(role, ())
            if entity is None or ENTITIES[entity].grant(role).allows(letter)]
