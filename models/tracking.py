"""Stamps who created and last changed each record, whatever path the change took."""

from __future__ import annotations

from contextvars import ContextVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .base import Entity

# Set by the CLI and imports; web requests use the signed-in user.
cli_actor: ContextVar[str | None] = ContextVar("cli_actor", default=None)


def current_actor() -> str | None:
    from flask import has_request_context
    from flask_login import current_user

    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.username
    return cli_actor.get()


def _stamp(session: Session, flush_context, instances) -> None:
    actor = current_actor()
    for obj in session.new:
        if isinstance(obj, Entity):
            obj.created_by = obj.created_by or actor
            obj.updated_by = obj.updated_by or actor
    for obj in session.dirty:
        if isinstance(obj, Entity) and session.is_modified(obj, include_collections=False):
            obj.updated_by = actor


def init_app(app) -> None:
    if not sa.event.contains(Session, "before_flush", _stamp):
        sa.event.listen(Session, "before_flush", _stamp)
