"""Running it for real: settings from the environment and `flask check-config`, the health
endpoints, and backup → drop → restore with every table's rows and checksum equal."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

import settings
from extensions import db as database
from jobs import queue, runner
from models import Base

from .conftest import DB_KIND


# ---- settings -------------------------------------------------------------------------------
def test_check_config_says_what_is_set_and_missing_and_never_shows_a_secret(app, monkeypatch):
    monkeypatch.setenv("STEWARD_SECRET_KEY", "s3cret-value-123")
    monkeypatch.setenv("STEWARD_DATABASE_URL", "postgresql+psycopg://steward:pw123@db/steward")
    monkeypatch.setenv("STEWARD_SMS_API_KEY", "sms-key-456")
    monkeypatch.setenv("STEWARD_PUBLIC_URL", "https://wy.example.cn")
    monkeypatch.delenv("STEWARD_REDIS_URL", raising=False)
    output = app.test_cli_runner().invoke(args=["check-config"]).output
    assert "s3cret-value-123" not in output and "sms-key-456" not in output
    assert "pw123" not in output
    assert "STEWARD_SECRET_KEY = set" in output and "STEWARD_SMS_API_KEY = set" in output
    assert "postgresql+psycopg://steward:***@db/steward" in output
    assert "STEWARD_REDIS_URL unset" in output
    assert "Everything production needs is set." in output
    monkeypatch.delenv("STEWARD_SECRET_KEY")
    output = app.test_cli_runner().invoke(args=["check-config"]).output
    assert "Missing for production: STEWARD_SECRET_KEY" in output
    # every setting of the list is on the README's list too
    text = (Path(settings.__file__).parent / "README.md").read_text(encoding="utf-8")
    assert [s.name for s in settings.SETTINGS if s.name not in text] == []


def test_the_environment_sets_the_app_config():
    config = settings.from_environment({
        "STEWARD_TIMEZONE": "Asia/Urumqi", "STEWARD_MAX_UPLOAD_MB": "25",
        "STEWARD_SECRET_KEY": "k", "STEWARD_LOG_LEVEL": ""})
    assert config == {"COMPANY_TIMEZONE": "Asia/Urumqi", "BABEL_DEFAULT_TIMEZONE": "Asia/Urumqi",
                      "MAX_CONTENT_LENGTH": 25 * 1024 * 1024, "SECRET_KEY": "k"}
    lines, missing = settings.report({"STEWARD_MAX_UPLOAD_MB": "lots"})
    assert "STEWARD_MAX_UPLOAD_MB" in missing
    assert any("INVALID" in line for line in lines)


# ---- health ---------------------------------------------------------------------------------
def _worker_seen(moment: datetime | None) -> None:
    if moment is None:
        queue.huey.delete(runner.WORKER_KEY)
    else:
        queue.huey.put(runner.WORKER_KEY, moment.isoformat())


def test_healthz_and_readyz_need_no_sign_in_and_say_nothing_personal(app, db):
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    _worker_seen(datetime.now(UTC))
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ready", "checks": {
        "database": "ok", "migrations": "ok", "worker": "ok"}}


def test_readyz_is_503_without_a_recent_worker_or_behind_on_migrations(app, db):
    client = app.test_client()
    _worker_seen(datetime.now(UTC) - timedelta(minutes=10))
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["checks"]["worker"] == "not seen"
    _worker_seen(datetime.now(UTC))
    with app.app_context():
        database.session.execute(sa.text("UPDATE alembic_version SET version_num = '417184b5ca63'"))
        database.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "migrations": "behind",
                                             "worker": "ok"}


def test_readyz_is_503_when_the_database_is_gone(app, db, tmp_path):
    from app import create_app

    gone = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/such/dir/x.sqlite",
                       "TESTING": True, "SECRET_KEY": "t"})
    try:
        _worker_seen(datetime.now(UTC))
        response = gone.test_client().get("/readyz")
    finally:
        queue.bind(app)
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == "unreachable"


# ---- backup and restore ---------------------------------------------------------------------
def checksums(app) -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of all its rows, in primary-key order."""
    found = {}
    with app.app_context():
        tables = [*Base.metadata.sorted_tables, sa.table("alembic_version",
                                                          sa.column("version_num"))]
        for table in tables:
            order = (list(table.primary_key.columns) if isinstance(table, sa.Table)
                     else list(table.columns))
            digest, count = hashlib.sha256(), 0
            for row in database.session.execute(sa.select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
                count += 1
            found[table.name] = (count, digest.hexdigest())
        database.session.remove()
        database.engine.dispose()
    return found


def _drop(app, store) -> None:
    """The database is lost: the SQLite file deleted, or the PostgreSQL database dropped and
    created empty."""
    with app.app_context():
        database.session.remove()
        database.engine.dispose()
    if DB_KIND == "postgresql":
        store._run(f'DROP DATABASE IF EXISTS "{store.work_name}" WITH (FORCE)')
        store._run(f'CREATE DATABASE "{store.work_name}"')
    else:
        Path(store.work).unlink()


def test_backup_drop_restore_gives_back_every_row(app, db, store, tmp_path):
    before = checksums(app)
    assert before["owner"][0] > 0 and before["bill"][0] > 0
    runner_ = app.test_cli_runner()
    made = runner_.invoke(args=["backup", "--to", str(tmp_path)])
    assert made.exit_code == 0, made.output
    path = made.output.strip()
    assert path.startswith(str(tmp_path / "steward-"))
    _drop(app, store)
    restored = runner_.invoke(args=["restore", path, "--yes"])
    assert restored.exit_code == 0, restored.output
    assert checksums(app) == before


def test_restore_refuses_a_file_that_is_not_a_backup_of_this_schema(app, db, store, tmp_path):
    before = checksums(app)
    stranger = tmp_path / "other.sqlite"
    import sqlite3

    with sqlite3.connect(stranger) as other:
        other.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    other.close()
    text = tmp_path / "notes.txt"
    text.write_text("not a backup")
    for path in (stranger, text, tmp_path / "missing.sqlite"):
        result = app.test_cli_runner().invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code != 0, result.output
        assert "backup" in result.output.lower() or "no such file" in result.output
    assert checksums(app) == before

