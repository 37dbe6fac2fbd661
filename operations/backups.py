"""`flask backup` and `flask restore FILE`.

SQLite: SQLite's online backup API copies a consistent snapshot while the app keeps
running. PostgreSQL: `pg_dump -Fc` (custom format), restored with `pg_restore` in one
transaction. A restore first checks that the file is a backup of this application's
schema: it must hold our tables and an Alembic revision this code knows.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app

from extensions import db

MARK_TABLES = ("alembic_version", "staff", "unit", "owner", "audit_entry")


class NotABackup(click.ClickException):
    """The file is not a backup of this schema."""


def _url() -> sa.engine.URL:
    return sa.engine.make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _libpq(url: sa.engine.URL) -> str:
    """The URL as pg_dump and pg_restore take it (no SQLAlchemy driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _folder() -> Path:
    folder = Path(os.environ.get("STEWARD_BACKUP_DIR")
                  or Path(current_app.instance_path) / "backups")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from app import MIGRATIONS

    config = current_app.extensions["migrate"].migrate.get_config(MIGRATIONS)
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def backup(folder: Path | None = None) -> Path:
    """A timestamped backup of the app's database; returns its path."""
    url, stamp = _url(), datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = folder or _folder()
    if url.get_backend_name() == "sqlite":
        target = folder / f"steward-{stamp}.sqlite"
        source = sqlite3.connect(url.database)
        try:
            with sqlite3.connect(target) as copy:
                source.backup(copy)
            copy.close()
        finally:
            source.close()
        return target
    target = folder / f"steward-{stamp}.dump"
    _run(["pg_dump", "-Fc", "--no-owner", "-f", str(target), _libpq(url)])
    return target


def _run(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        raise click.ClickException(f"{command[0]} is not installed")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise click.ClickException(f"{command[0]} failed: {done.stderr.strip()[:500]}")
    return done.stdout


def revision_of(path: Path) -> str:
    """The Alembic revision recorded in a backup file; NotABackup when it is not ours."""
    if not path.is_file():
        raise NotABackup(f"{path}: no such file")
    if _url().get_backend_name() == "sqlite":
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
                tables = {name for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")}
                if not set(MARK_TABLES) <= tables:
                    raise NotABackup(f"{path} is not a backup of this application")
                revision = connection.execute(
                    "SELECT version_num FROM alembic_version").fetchone()
            connection.close()
        except sqlite3.DatabaseError:
            raise NotABackup(f"{path} is not an SQLite backup") from None
    else:
        try:
            listing = _run(["pg_restore", "-l", str(path)])
        except click.ClickException:
            raise NotABackup(f"{path} is not a pg_dump -Fc backup") from None
        for table in MARK_TABLES:
            if f"TABLE public {table} " not in listing:
                raise NotABackup(f"{path} is not a backup of this application")
        data = _run(["pg_restore", "-a", "-t", "alembic_version", "-f", "-", str(path)])
        lines = data.split("COPY public.alembic_version", 1)[-1].splitlines()[1:2]
        revision = (lines[0].strip(),) if lines and lines[0].strip() != "\\." else None
    if revision is None or revision[0] not in known_revisions():
        raise NotABackup(f"{path} has schema revision {revision and revision[0]}, which this "
                         "version of the application does not know")
    return revision[0]


def restore(path: Path) -> str:
    """Replace the database's content with the backup's; returns its revision."""
    revision = revision_of(path)
    url = _url()
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            with sqlite3.connect(url.database) as target:
                source.backup(target)
            target.close()
        finally:
            source.close()
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "-d", _libpq(url), str(path)])
    return revision


def register_cli(app) -> None:
    @app.cli.command("backup")
    @click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path),
                  help="Folder for the file (default STEWARD_BACKUP_DIR, else "
                       "instance/backups).")
    def backup_command(folder: Path | None) -> None:
        """Back up the database into a timestamped file."""
        if folder:
            folder.mkdir(parents=True, exist_ok=True)
        click.echo(str(backup(folder)))

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Do not ask before replacing the data.")
    def restore_command(file: Path, yes: bool) -> None:
        """Replace the database's content with a backup made by `flask backup`."""
        revision = revision_of(file)
        if not yes:
            click.confirm(f"Replace everything in the database with {file}?", abort=True)
        restore(file)
        click.echo(f"restored {file} (schema revision {revision})")
        if revision not in _heads():
            click.echo("The backup's schema is older than this code: run `flask db upgrade`.")


def _heads() -> set[str]:
    from alembic.script import ScriptDirectory

    from app import MIGRATIONS

    config = current_app.extensions["migrate"].migrate.get_config(MIGRATIONS)
    return set(ScriptDirectory.from_config(config).get_heads())
