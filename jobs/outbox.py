"""Delivering the outbox (services/outbox.py): every minute on the consumer, at once after a
commit that wrote messages, and as `flask deliver-messages`."""

from __future__ import annotations

import json
import logging

import click
import sqlalchemy as sa
from huey import crontab
from sqlalchemy.orm import Session

from extensions import db
from models import OutboxMessage

from .queue import app, huey

log = logging.getLogger(__name__)


def deliver(session: Session) -> dict:
    from services.outbox import deliver_due

    return deliver_due(session)


def _run() -> None:
    with app().app_context():
        try:
            found = deliver(db.session)
            if found:
                log.info("outbox: %s", found)
        finally:
            db.session.remove()


deliver_periodically = huey.periodic_task(crontab(), name="outbox:deliver")(_run)
deliver_soon = huey.task(name="outbox:deliver-soon")(_run)


def _kick_after_commit(session: Session) -> None:
    """Messages were written: ask the worker to deliver them now rather than within the
    minute (not in Huey's immediate mode, where the tests deliver when they choose)."""
    if session.info.pop("outbox_written", False) and not huey.immediate:
        try:
            deliver_soon()
        except Exception:  # noqa: BLE001 - the minute's run delivers them anyway
            log.warning("could not queue the outbox delivery", exc_info=True)


def _note_written(session: Session, flush_context, instances) -> None:
    if any(isinstance(obj, OutboxMessage) for obj in session.new):
        session.info["outbox_written"] = True


def register(flask_app) -> None:
    if not sa.event.contains(Session, "after_commit", _kick_after_commit):
        sa.event.listen(Session, "before_flush", _note_written)
        sa.event.listen(Session, "after_commit", _kick_after_commit)

    @flask_app.cli.command("deliver-messages")
    def deliver_messages() -> None:
        """Deliver the owners' messages that are due (the worker does this every minute)."""
        click.echo(json.dumps(deliver(db.session), ensure_ascii=False))
