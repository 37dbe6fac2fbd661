"""The task queue: Huey, on SQLite beside the app's database by default, on Redis when
STEWARD_REDIS_URL is set. Its storage holds only the queue and live progress; what users
see of a job is our own `job` table (models/jobs.py).

Tasks need the Flask app: `bind(app)` (called by create_app) names the app they run in.
"""

from __future__ import annotations

import os
from pathlib import Path

from huey import RedisHuey, SqliteHuey

ROOT = Path(__file__).resolve().parents[1]
_app = None


def _sqlite_path() -> str:
    """The queue's file: STEWARD_QUEUE_PATH, else beside the app's SQLite database, else in
    the instance folder (STEWARD_INSTANCE_PATH, as create_app reads it)."""
    if os.environ.get("STEWARD_QUEUE_PATH"):
        return os.environ["STEWARD_QUEUE_PATH"]
    url = os.environ.get("STEWARD_DATABASE_URL", "")
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return str(Path(url.removeprefix("sqlite:///")).with_name("queue.sqlite"))
    folder = Path(os.environ.get("STEWARD_INSTANCE_PATH") or ROOT / "instance")
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / "queue.sqlite")


def make_huey():
    name = os.environ.get("STEWARD_QUEUE_NAME", "steward")
    redis_url = os.environ.get("STEWARD_REDIS_URL")
    if redis_url:
        return RedisHuey(name, url=redis_url, utc=True)
    return SqliteHuey(name, filename=_sqlite_path(), utc=True)


huey = make_huey()


def bind(app) -> None:
    """Tasks run in `app`. Under TESTING, tasks run at once in the caller (Huey's immediate
    mode) unless the test config says JOBS_IMMEDIATE = False."""
    global _app
    _app = app
    huey.immediate = bool(app.config.get("JOBS_IMMEDIATE", app.testing))


def app():
    if _app is None:
        raise RuntimeError("jobs.queue.bind(app) was not called")
    return _app


def start_in_process(workers: int = 2, periodic: bool = True):
    """A consumer in this process's threads, for the demo (`python app.py`): no signal
    handlers of its own, so Ctrl-C still stops the server."""
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic)
    consumer._set_signal_handlers = lambda: None
    consumer.start()
    return consumer
