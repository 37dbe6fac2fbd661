"""The production set-up, for real: gunicorn with the repository's gunicorn.conf.py on a free
port against PostgreSQL, with a `flask worker` beside it."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from .conftest import IN_CI, PASSWORD, ROOT

pytestmark = pytest.mark.postgres


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """A cookie-keeping HTTP client (no redirects followed, so each answer is seen)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)

    def open(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def served(db, store, tmp_path):
    """gunicorn and a worker on the test's database; yields the base URL."""
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable))
    if gunicorn is None:
        message = "gunicorn is not installed in this environment"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    env = {**os.environ, "FLASK_APP": "app.py", "STEWARD_DATABASE_URL": store.url,
           "STEWARD_SECRET_KEY": "gunicorn-test-secret", "STEWARD_BIND": f"127.0.0.1:{port}",
           "STEWARD_COOKIE_SECURE": "false",  # plain http on the loopback (docs/security.md)
           "STEWARD_WEB_WORKERS": "2", "STEWARD_QUEUE_PATH": str(tmp_path / "queue.sqlite"),
           "STEWARD_ACCESS_LOG": str(tmp_path / "access.log"), "STEWARD_LOG_LEVEL": "WARNING"}
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed below
    processes = [
        subprocess.Popen([gunicorn, "-c", "gunicorn.conf.py", "app:create_app()"], cwd=ROOT,
                         env=env, stdout=log, stderr=subprocess.STDOUT),
        subprocess.Popen([sys.executable, "-m", "flask", "worker", "--workers", "1"],
                         cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT),
    ]
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except OSError:
            assert processes[0].poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.3)
    yield base, tmp_path
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    log.close()


def test_gunicorn_serves_sign_in_a_list_and_readiness_until_the_database_goes(served, store):
    base, folder = served
    browser = Browser(base)
    status, page = browser.open("/login")
    assert status == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', page)
    status, _ = browser.open("/login", {"username": "admin", "password": PASSWORD,
                                        "csrf_token": token[1]})
    assert status == 302
    status, page = browser.open("/admin/ticket/")
    assert status == 200 and re.search(r"T\d{6}-\d{4}", page)  # the demo's ticket codes
    # the worker says it is alive within a few seconds of starting
    deadline = time.monotonic() + 30
    while True:
        status, body = browser.open("/readyz")
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status == 200, body
    assert json.loads(body)["checks"] == {"database": "ok", "migrations": "ok", "worker": "ok"}
    assert "admin" not in body
    assert "GET /admin/ticket/" in (folder / "access.log").read_text()

    store._run(f'DROP DATABASE IF EXISTS "{store.work_name}" WITH (FORCE)')
    status, body = Browser(base).open("/readyz")
    assert status == 503
    assert json.loads(body)["checks"]["database"] == "unreachable"
    assert Browser(base).open("/healthz")[0] == 200  # the process itself is alive
