"""Who is acting in this request: role and the stewards whose rows they act for."""

from __future__ import annotations

from flask import g, has_request_context
from flask_login import current_user

from extensions import db
from models.scopes import visible_steward_ids


def current_role() -> str | None:
    if not has_request_context() or not current_user.is_authenticated:
        return None
    return current_user.role


def steward_ids() -> list[int]:
    """Computed once per request: the row scope "own" of the signed-in user."""
    if "steward_ids" not in g:
        g.steward_ids = visible_steward_ids(db.session, current_user.role, current_user.staff_id)
    return g.steward_ids
