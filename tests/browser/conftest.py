"""Real-browser fixtures: the app served on 127.0.0.1 from the test's fresh database, and
Debian's chromium driven by Playwright, with every request that would leave the machine
blocked and recorded (the tests fail on any)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _chromium() -> str:
    path = shutil.which("chromium")
    if path:
        return path
    message = "chromium is not installed (apt-get install -y chromium fonts-noto-cjk)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def live_server(app, db):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


class Page:
    """A browser tab on the live server; `outside` lists requests that tried to leave."""

    def __init__(self, browser, base: str):
        self.base = base
        self.outside: list[str] = []
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1400,
                                                                      "height": 900})
        self.context.route("**/*", self._only_local)
        self.page = self.context.new_page()
        self.page.on("dialog", lambda dialog: dialog.accept())  # "are you sure?" prompts

    def _only_local(self, route):
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def go(self, path: str):
        return self.page.goto(self.base + path)

    def sign_in(self, username: str, password: str = "demo12345"):
        self.go("/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**/admin/**")

    def set_value(self, selector: str, value) -> None:
        """Choose a value in a select2 picker (a hidden input or select behind the widget)."""
        self.page.eval_on_selector(
            selector, "(el, v) => { el.value = v; el.dispatchEvent(new Event('change')); }",
            str(value))

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self):
        self.context.close()


@pytest.fixture
def tab(browser, live_server):
    opened = Page(browser, live_server)
    yield opened
    opened.close()
    assert opened.outside == [], f"requests left the machine: {opened.outside}"
