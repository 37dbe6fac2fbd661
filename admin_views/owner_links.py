"""Staff revoke owners' links (services/owner_links.py): a message sent to the wrong number,
a unit sold. A list action on the tickets list; the ticket's next message to its owner
brings a new link. The ticket's history says who revoked it and when (a ticket event
the owner does not see).

Kept beside the ticket view rather than in it (admin_views/tickets.py): the tickets' view is
`OwnerLinkRevocation` + `TicketView`."""

from __future__ import annotations

from flask_admin.actions import action
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from extensions import db
from services import owner_links

from .tickets import TicketView


class OwnerLinkRevocation:
    @action("revoke_owner_link", _l("Revoke the owner's link"),
            _l("Revoke the owner's link of the selected tickets? Links already sent stop "
               "working; the next message about each ticket brings a new one."))
    def action_revoke_owner_link(self, ids):
        note = gettext("The owner's link was revoked; the next message brings a new one.")
        self.apply_to_selected(
            ids, lambda ticket: owner_links.revoked_by_staff(
                db.session, ticket, current_user.username, note),
            gettext("%(count)s owner links revoked."))


class TicketsView(OwnerLinkRevocation, TicketView):
    action_letters = TicketView.action_letters | {"revoke_owner_link": "U"}
