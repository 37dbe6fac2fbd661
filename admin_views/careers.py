"""Career moves: HR records promotions, transfers, demotions and dismissals with their date
(P-CAR-1, P-CAR-2, P-RP-3); a leaving steward's work is handed over on the handover page;
a move whose date has come is applied at once."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from access import HANDOVER_ROLES
from extensions import db
from models import Staff
from models.assessment import CAREER_MOVE_KIND, CAREER_MOVE_STATUS
from models.base import utcnow
from models.careers import OUTSTANDING, candidates, leaves_post, outstanding_counts
from models.guards import confirmed_months
from models.people import STAFF_STATUS
from models.tickets import Ticket
from rules import staffing
from rules.refusal import Refused
from services import careers

from .generated import EntityView, as_id

TONES = {"planned": "info", "waiting": "warning", "done": "success", "cancelled": "secondary"}


def needs_handover(move) -> bool:
    return move.status in ("planned", "waiting") and leaves_post(move)


def _status(view, context, model, name):
    badge = Markup('<span class="badge badge-{}">{}</span>').format(
        TONES.get(model.status, "secondary"), CAREER_MOVE_STATUS.label(model.status))
    if needs_handover(model) and view.may_open("handover_view"):
        badge += Markup(' <a class="handover-link" href="{}">{}</a>').format(
            url_for(".handover_view", id=model.id), gettext("Hand over"))
    return badge


class CareerMoveView(EntityView):
    """HR's career moves: recorded as planned, applied on their date (jobs: career-moves),
    at once when the date has come, or after the handover when work is outstanding."""

    action_letters = {"delete": "D", "cancel": "U"}
    endpoint_letters = {"handover_view": "R"}
    endpoint_roles = {"handover_view": HANDOVER_ROLES}

    added_formatters = {"status": _status}

    def after_model_change(self, form, model, is_created):
        """A move whose date has come takes effect now (or waits for its handover)."""
        try:
            applied = careers.settle(db.session, model)
            db.session.commit()
        except Refused as refusal:  # the staff record refused the change
            db.session.rollback()
            flash(gettext(refusal.message, **refusal.params), "error")
            return
        if applied:
            flash(gettext("The move took effect today."), "success")
        elif model.status == "waiting":
            flash(gettext("The move is due but waits for the handover of the steward's work."),
                  "warning")
        super().after_model_change(form, model, is_created)

    @action("cancel", _l("Cancel"), _l("Cancel the selected career moves?"))
    def action_cancel(self, ids):
        self.apply_to_selected(ids, careers.cancel, gettext("%(count)s cancelled."))

    # ---- the handover page ----------------------------------------------------------------
    @expose("/handover/", methods=("GET", "POST"))
    def handover_view(self):
        move = self.get_one(request.args.get("id"))
        if move is None:
            abort(404)
        leaving, now = move.staff, utcnow()
        found = candidates(db.session, leaving.id)
        proposed = staffing.propose_receiver(found, leaving.supervisor_id)
        if request.method == "POST" and needs_handover(move):
            chosen = as_id(request.form.get("receiver"))
            receiver = None if chosen is None else db.session.get(Staff, chosen)
            if receiver is None or receiver.position != "steward":
                flash(gettext("Choose the steward who takes over."), "error")
            elif self.commit_or_refuse(lambda: self._hand_over(move, receiver)):
                return redirect(url_for(".handover_view", id=move.id))
            move = self.get_one(move.id)
            leaving = move.staff
        counts = outstanding_counts(db.session, leaving.id, now)
        # every steward still with the company: one not on duty is refused with the reason
        stewards = db.session.scalars(sa.select(Staff).where(
            Staff.position == "steward", Staff.id != leaving.id, Staff.status != "left")
            .order_by(Staff.employee_no)).all()
        units = {c.staff_id: c.units for c in found}
        return self.render(
            "admin/work/handover.html", move=move, leaving=leaving, counts=counts,
            kinds=OUTSTANDING, stewards=stewards,
            units=units, proposed=proposed, needs_handover=needs_handover(move),
            blocked=self._blocked_tickets(leaving, proposed), status=CAREER_MOVE_STATUS,
            kind_label=CAREER_MOVE_KIND.label(move.kind), staff_status=STAFF_STATUS,
            return_url=url_for(".index_view"))

    def _hand_over(self, move, receiver) -> None:
        moved = careers.hand_over(db.session, move.staff, receiver)
        flash(gettext("%(count)s records of %(from)s are now %(to)s's.",
                      count=sum(moved.values()), **{"from": move.staff.name,
                                                    "to": receiver.name}), "success")
        for due in careers.moves_waiting_on(db.session, move.staff_id):
            if careers.apply(db.session, due):
                flash(gettext("The move took effect today."), "success")

    def _blocked_tickets(self, leaving, receiver_id) -> list:
        """Open tickets counted in a confirmed month of the leaving steward or the proposed
        receiver: the ticket guard refuses moving them, so the handover cannot go through
        until that month is reopened or the ticket closed."""
        blocked = []
        for ticket in db.session.scalars(sa.select(Ticket).where(
                Ticket.steward_id == leaving.id, Ticket.status != "closed")):
            months = confirmed_months(db.session, {ticket.due_at}, {leaving.id, receiver_id})
            if months:
                blocked.append((ticket, "、".join(sorted(months))))
        return blocked

