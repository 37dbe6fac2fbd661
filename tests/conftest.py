"""Test fixtures: one app per run, and a fresh copy of the seeded demo database per test.

The database is SQLite unless STEWARD_TEST_DB=postgresql, in which case a throwaway database
is created on the local server (127.0.0.1:5432, trust auth) and dropped afterwards. Under
CI=true an unreachable PostgreSQL is a failure; elsewhere those runs skip with the reason.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_KIND = os.environ.get("STEWARD_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get(
    "STEWARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI") == "true"
PASSWORD = "demo12345"


def pytest_report_header(config):
    return f"database: {DB_KIND}"


class SQLiteStore:
    """A seeded template file, copied over the working file before each test."""

    def __init__(self, folder: Path) -> None:
        self.template = folder / "template.sqlite"
        self.work = folder / "work.sqlite"
        self.template_url = f"sqlite:///{self.template}"
        self.url = f"sqlite:///{self.work}"

    def restore(self) -> None:
        shutil.copyfile(self.template, self.work)

    def close(self) -> None:
        pass


class PostgresStore:
    """A seeded template database, cloned into the working database before each test."""

    def __init__(self) -> None:
        self.admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with self.admin.connect():
                pass
        except sa.exc.OperationalError as error:
            message = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {error.orig}"
            if IN_CI:
                pytest.exit(message, returncode=3)
            pytest.skip(message, allow_module_level=True)
        tag = f"steward_test_{os.getpid()}"
        self.template_name, self.work_name = f"{tag}_tpl", tag
        base = PG_ADMIN_URL.rsplit("/", 1)[0]
        self.template_url = f"{base}/{self.template_name}"
        self.url = f"{base}/{self.work_name}"
        for name in (self.work_name, self.template_name):
            self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._run(f'CREATE DATABASE "{self.template_name}"')

    def _run(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(sa.text(statement))

    def restore(self) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{self.work_name}" WITH (FORCE)')
        self._run(f'CREATE DATABASE "{self.work_name}" TEMPLATE "{self.template_name}"')

    def close(self) -> None:
        for name in (self.work_name, self.template_name):
            self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def store(tmp_path_factory):
    if DB_KIND == "postgresql":
        store = PostgresStore()
    elif DB_KIND == "sqlite":
        store = SQLiteStore(tmp_path_factory.mktemp("db"))
    else:
        raise pytest.UsageError(f"STEWARD_TEST_DB must be sqlite or postgresql, not {DB_KIND}")
    _build_template(store.template_url)
    yield store
    store.close()


def _build_template(url: str) -> None:
    """Migrate an empty database to head and seed the demo company into it."""
    from flask_migrate import upgrade

    import demo
    from app import MIGRATIONS, create_app
    from extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        demo.seed(db.session)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def app(store, tmp_path_factory):
    from app import create_app

    # Uploads, exports and backups go to the instance folder: one of this run's (and of this
    # worker's), never the checkout's, so parallel workers don't purge each other's files;
    # the `flask worker` processes some tests start inherit it.
    os.environ["STEWARD_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": store.url,
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test",
    })
    return app


@pytest.fixture(autouse=True)
def _jobs_run_in_this_runs_app(request):
    """The job queue runs tasks in the app it was bound to last; a test that builds an app
    of its own rebinds it, so each test using the run's app binds it back first."""
    if "app" in request.fixturenames:
        from jobs import queue

        queue.bind(request.getfixturevalue("app"))
    yield


@pytest.fixture
def db(app, store):
    """The demo database, fresh for this test.

    No app context stays pushed while the test runs: the test client's requests must each
    get their own (and so their own `g`), as in production. Tests read the database
    inside `with app.app_context():` or through tests.helpers.
    """
    from extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    store.restore()
    yield db
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app, db):
    return app.test_client()


def login(client, username: str, password: str = PASSWORD):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, f"login as {username} failed"
    return client


@pytest.fixture
def as_role(app, db):
    """A signed-in test client for a demo account: as_role("steward1")."""

    def signed_in(username: str):
        return login(app.test_client(), username)

    return signed_in


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` (real concurrency, two connections) run in the PostgreSQL
    pass of the suite; tests marked `screens` (words and looks, not data) in the SQLite
    pass. Each is skipped, saying so, in the other pass."""
    if DB_KIND == "postgresql":
        marker, reason = "screens", "screens only: runs in the SQLite pass"
    else:
        marker, reason = "postgres", "PostgreSQL only: runs with STEWARD_TEST_DB=postgresql"
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if marker in item.keywords:
            item.add_marker(skip)
