"""SQLite, the embedded database: a reader or writer waits for a long job's commit instead of
failing at once (SQLite's default wait is 5 s; a 20,000-row import commits in more)."""

from __future__ import annotations

import sqlalchemy as sa

BUSY_TIMEOUT_MS = 30_000


@sa.event.listens_for(sa.engine.Engine, "connect")
def _wait_for_the_writer(dbapi_connection, connection_record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.close()
