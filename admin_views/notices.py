"""The community event's announcement to its project's owners (an action on the list)."""

from __future__ import annotations

from flask import flash
from flask_admin.actions import action
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from extensions import db
from services.notices import announce

from .generated import EntityView


class CommunityEventView(EntityView):
    action_letters = {"delete": "D", "announce": "U"}

    @action("announce", _l("Announce to the owners"),
            _l("Send the selected events to the owners of their projects (or of the building an "
               "event names)?"))
    def action_announce(self, ids):
        """One message per current owner of the project's units, or of the event's building
        (owners who opted out of non-essential notices get none); announcing again writes
        only to owners not yet told."""
        written = 0

        def one(event) -> None:
            nonlocal written
            written += announce(db.session, event)

        self.apply_to_selected(ids, one, gettext("%(count)s events announced."))
        flash(gettext("%(n)s messages to owners written; the worker sends them.", n=written),
              "info")
