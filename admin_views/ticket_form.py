"""The ticket's create form fills itself from the owner chosen (static/ticket-form.js): the
owner's unit and name, and the phone when the role sees it in full.

What it answers is what the user could find by hand: the owner only when the user may read
them, their current units only among the units the user may read (a steward's own), each
labelled as the unit picker labels it, and the phone only for a role the screens show it to
in full (a masked phone is no contact number, so it is not filled).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, request
from flask_admin import expose

from models import Owner, Ownership, Unit
from models.queries import company_today

from .generated import as_id, scoped_query
from .masking import reveals_personal


class OwnerFill:
    """The JSON the ticket form's owner field asks when an owner is chosen."""

    form_script = ("ticket-form.js", "owner_fill_view")
    # answers data for a form, not a page to read
    data_endpoints = ("owner_fill_view",)

    @expose("/owner-fill/")
    def owner_fill_view(self):
        pk = as_id(request.args.get("owner"))
        owner = None if pk is None else scoped_query(Owner).filter(Owner.id == pk).one_or_none()
        if owner is None:
            return jsonify(units=[], name=None, phone=None)
        today = company_today()
        units = scoped_query(Unit).join(Ownership, Ownership.unit_id == Unit.id).filter(
            Ownership.owner_id == owner.id, Ownership.since <= today,
            sa.or_(Ownership.until.is_(None), Ownership.until > today),
        ).order_by(Ownership.is_primary.desc(), Unit.id).limit(20).all()
        loader = self._form_ajax_refs.get("unit")
        units = list(dict.fromkeys(units))  # owned twice over the years: once
        return jsonify(
            units=[loader.format(unit) if loader else (unit.id, str(unit)) for unit in units],
            name=owner.name, phone=owner.phone if reveals_personal() else None)
