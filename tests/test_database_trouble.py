"""When the database itself is the trouble (read-only, full, restarting): a clear page or
message with the request's reference, never a 500 or a database message; reads go on where
they can (issue 10, items 7 and 10)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from .conftest import PASSWORD, login
from .helpers import flashes

SQL_WORDS = ("[SQL:", "sqlite3.", "psycopg", "OperationalError")


def _app(url: str, **config):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                       "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test", **config})


def _signed_in(app, client):
    """`client` carries the session cookie of admin, signed in through `app`."""
    signing = login(app.test_client(), "admin")
    cookie = signing.get_cookie("session")
    client.set_cookie("session", cookie.value)
    return client


@pytest.fixture
def read_only(store, db):
    if not store.url.startswith("sqlite"):
        pytest.skip("a read-only database file is SQLite's case")
    path = store.url.removeprefix("sqlite:///")
    app = _app(f"sqlite:///file:{path}?mode=ro&uri=true")
    yield app
    from extensions import db as database

    with app.app_context():
        database.engine.dispose()


def test_signing_in_to_a_read_only_database_is_a_503_page_with_a_reference(read_only):
    response = read_only.test_client().post(
        "/login?lang=en", data={"username": "admin", "password": PASSWORD})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "cannot take changes" in page or "cannot be reached" in page
    assert response.headers["X-Request-Id"] in page
    assert not any(word in page for word in SQL_WORDS)


def test_a_read_only_database_keeps_serving_lists_and_refuses_a_save_with_a_message(
        app, read_only):
    client = _signed_in(app, read_only.test_client())
    assert client.get("/admin/unit/").status_code == 200
    assert client.get("/admin/ticket/").status_code == 200
    from .helpers import form_data, scoped_ids

    owner = scoped_ids(app, "owner", "admin")[0]
    data = form_data(app, "owner", owner, "admin") | {"name": "只读测试"}
    response = client.post(f"/admin/owner/edit/?id={owner}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert any("cannot take changes" in f or "只读" in f for f in flashes(response)), \
        flashes(response)
    assert not any(word in page for word in SQL_WORDS)


def test_a_full_disk_is_a_message_not_a_500(app, store, db):
    if not store.url.startswith("sqlite"):
        pytest.skip("a full database file is simulated on SQLite")
    full = _app(store.url)
    from extensions import db as database

    with full.app_context():
        pages = database.session.execute(sa.text("PRAGMA page_count")).scalar()

        @sa.event.listens_for(database.engine, "connect")
        def _no_more_pages(connection, record):
            connection.execute(f"PRAGMA max_page_count = {pages}")

        database.engine.dispose()
    client = _signed_in(app, full.test_client())
    client.get("/admin/?lang=en")
    shown = []
    for i in range(12):
        response = client.post("/admin/project/new/", data={
            "code": f"FULL{i}", "name": f"满盘{i}", "kind": "residential",
            "address": "长" * 190})
        assert response.status_code < 500
        assert not any(w in response.get_data(as_text=True) for w in SQL_WORDS)
        shown += flashes(response)
    assert any("cannot take changes" in message for message in shown), shown
    with full.app_context():
        database.engine.dispose()


@pytest.mark.postgres
def test_a_read_whose_connection_drops_is_read_again_on_a_fresh_one(app, store, db):
    """The server restarting mid-request (its backend terminated): the list is read again on
    a fresh connection and answers 200; the log says so under the request id."""
    from flask import g

    from extensions import db as database
    from models import Unit

    admin = sa.create_engine(store.url, isolation_level="AUTOCOMMIT")
    dropped = _app(store.url, SQLALCHEMY_ENGINE_OPTIONS={})
    killed = []

    @dropped.before_request
    def _drop_the_connection():
        if killed or "retried" in g:
            return
        pid = database.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killed.append(pid)

    with dropped.app_context():
        first = database.session.scalars(
            sa.select(Unit).order_by(Unit.building_id, Unit.number)).first()
        label = first.number  # the list's first row in its default order
        database.session.remove()
    client = _signed_in(app, dropped.test_client())
    response = client.get("/admin/unit/")
    assert killed and response.status_code == 200
    assert label in response.get_data(as_text=True)  # the list was read, not an empty page
    # the pool recovers: the next request needs no retry
    assert client.get("/admin/owner/").status_code == 200
    with dropped.app_context():
        database.engine.dispose()
    admin.dispose()
