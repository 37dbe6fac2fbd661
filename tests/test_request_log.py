"""The application log: one line per request (request id, user, endpoint, status, time);
every exception with its traceback under the same request id, which the page shows; the
level from configuration (issue 10, application logging)."""

from __future__ import annotations

import logging

import pytest

from .conftest import login


@pytest.fixture
def records(caplog):
    logger = logging.getLogger("steward")
    logger.addHandler(caplog.handler)
    level = logger.level
    yield caplog
    logger.removeHandler(caplog.handler)
    logger.setLevel(level)


def test_each_request_is_one_line_with_its_id_user_endpoint_status_and_time(app, db, records):
    client = login(app.test_client(), "admin")
    records.clear()
    response = client.get("/admin/unit/")
    lines = [r for r in records.records if r.name == "steward.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line.request_id == response.headers["X-Request-Id"]
    text = line.getMessage()
    assert "GET /admin/unit/" in text and "user=admin" in text
    assert "endpoint=unit.index_view" in text and "status=200" in text and " ms=" in text


def test_an_exception_is_logged_with_its_traceback_under_the_id_the_page_shows(store, db,
                                                                                records):
    from app import create_app

    broken = create_app({"SQLALCHEMY_DATABASE_URI": store.url, "TESTING": True,
                         "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                         "PROPAGATE_EXCEPTIONS": False})  # as in production

    @broken.route("/broken")
    def _broken():
        raise RuntimeError("a bug")

    response = broken.test_client().get("/broken")
    page = response.get_data(as_text=True)
    reference = response.headers["X-Request-Id"]
    assert response.status_code == 500
    assert reference in page and "RuntimeError" not in page and "a bug" not in page
    # the bug's record, with its traceback (not whatever else an earlier test's connection
    # pool may log at ERROR while it is collected during this one)
    failures = [r for r in records.records if r.levelno >= logging.ERROR and r.exc_info
                and isinstance(r.exc_info[1], RuntimeError)]
    assert failures and all(r.request_id == reference for r in failures)
    request_lines = [r for r in records.records if r.name == "steward.request"]
    assert request_lines[-1].request_id == reference and "status=500" in \
        request_lines[-1].getMessage()


def test_the_level_comes_from_configuration(store, db, records):
    from app import create_app

    quiet = create_app({"SQLALCHEMY_DATABASE_URI": store.url, "TESTING": True,
                        "SECRET_KEY": "test", "STEWARD_LOG_LEVEL": "WARNING"})
    records.clear()
    quiet.test_client().get("/login")
    assert logging.getLogger("steward").level == logging.WARNING
    assert not [r for r in records.records if r.name == "steward.request"]
