"""Running the back office for real: settings from the environment, background work,
health endpoints, `flask check-config`, `flask backup` and `flask restore`
(docs/operations.md)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import click
from flask import Blueprint, current_app, jsonify

import settings
from extensions import db

from . import sqlite  # noqa: F401 - SQLite connections wait for a long job's commit

health = Blueprint("health", __name__)


@health.route("/healthz")
def healthz():
    """The process is alive and answering."""
    return jsonify(status="ok")


def _migrations_at_head() -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from app import MIGRATIONS

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config(
        MIGRATIONS))
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(script.get_heads())


@health.route("/readyz")
def readyz():
    """Ready for traffic: the database answers, its schema is at the latest migration, and
    a worker was seen recently. 503 with what is wrong otherwise; nothing personal."""
    from jobs.runner import worker_seen

    checks = {}
    try:
        checks["migrations"] = "ok" if _migrations_at_head() else "behind"
        checks["database"] = "ok"
    except Exception:  # any failure to reach the database means not ready
        checks["database"], checks["migrations"] = "unreachable", "unknown"
        db.session.remove()
    try:
        seen = worker_seen()
    except Exception:  # the queue's storage is unreachable
        seen = None
    limit = timedelta(seconds=int(os.environ.get("STEWARD_WORKER_SEEN_SECONDS", "180")))
    checks["worker"] = ("ok" if seen and datetime.now(UTC) - seen <= limit else "not seen")
    ready = all(value == "ok" for value in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), (
        200 if ready else 503)


def init_app(app) -> None:
    import jobs

    from . import backups

    jobs.init_app(app)
    app.register_blueprint(health)
    backups.register_cli(app)

    @app.cli.command("check-config")
    def check_config() -> None:
        """What the environment sets, and what a deployment still lacks."""
        lines, missing = settings.report()
        for line in lines:
            click.echo(line)
        if missing:
            click.echo(f"\nMissing for production: {', '.join(missing)}")
        else:
            click.echo("\nEverything production needs is set.")


def start_demo_worker(app) -> None:
    """`python app.py`: a queue consumer in this process, so the demo needs nothing else."""
    from jobs.queue import start_in_process

    start_in_process(int(os.environ.get("STEWARD_JOB_WORKERS", "2")))
