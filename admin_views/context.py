"""Who is acting in this request: role, the stewards whose rows they act for, and the policy
in force today — each computed once per request."""

from __future__ import annotations

from flask import g, has_request_context
from flask_login import current_user

from extensions import db
from models.queries import company_today, policy_at
from models.scopes import visible_steward_ids
from rules.policy import Policy


def current_role() -> str | None:
    if not has_request_context() or not current_user.is_authenticated:
        return None
    return current_user.role


def steward_ids() -> list[int]:
    """Computed once per request: the row scope "own" of the signed-in user."""
    if "steward_ids" not in g:
        g.steward_ids = visible_steward_ids(db.session, current_user.role, current_user.staff_id)
    return g.steward_ids


def policy_today() -> Policy:
    """Computed once per request: the policy numbers in force today."""
    if "policy_today" not in g:
        g.policy_today = policy_at(db.session, company_today())
    return g.policy_today
