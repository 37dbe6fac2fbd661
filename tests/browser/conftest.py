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
DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# What a thumb taps on a phone: every link, button and field on the page. A checkbox or
# radio is tapped through its label; select2's 1-px focus inputs are not controls.
CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea"
MISFITS = """(selector) => {
  const width = window.innerWidth;
  const problems = [];
  for (const el of document.querySelectorAll(selector)) {
    let box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width <= 2 || box.height <= 2 || style.visibility === 'hidden') continue;
    if (el.type === 'checkbox' || el.type === 'radio') {
      const label = el.closest('label')
        || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (label) box = label.getBoundingClientRect();
    }
    const text = (el.innerText || el.value || el.name || '').trim().slice(0, 20);
    const name = `${el.tagName} "${text}"`;
    if (box.left < -0.5 || box.right > width + 0.5)
      problems.push(`${name}: off-screen ${Math.round(box.left)}–${Math.round(box.right)}`);
    else if (box.height < 40)
      problems.push(`${name}: ${Math.round(box.height)} px tall`);
  }
  if (document.scrollingElement.scrollWidth > width)
    problems.push(`the page is ${document.scrollingElement.scrollWidth} px wide`);
  return problems;
}"""


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

    def __init__(self, browser, base: str, viewport: dict | None = None):
        self.base = base
        self.outside: list[str] = []
        phone = viewport == PHONE
        self.context = browser.new_context(
            locale="zh-CN", viewport=viewport or {"width": 1400, "height": 900},
            is_mobile=phone, has_touch=phone)
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

    def misfits(self, selector: str = CONTROLS) -> list[str]:
        """The visible controls that reach past the screen's edges or are under 40 px tall
        to tap, described (and the page itself if it scrolls sideways); empty when all
        fit. Measured once the page has loaded: its styles applied, phone.js run."""
        self.page.wait_for_load_state("load")
        return self.page.evaluate(MISFITS, selector)

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self):
        self.context.close()


def _opened(browser, live_server, viewport=None):
    opened = Page(browser, live_server, viewport)
    yield opened
    opened.close()
    assert opened.outside == [], f"requests left the machine: {opened.outside}"


@pytest.fixture
def tab(browser, live_server):
    yield from _opened(browser, live_server)


@pytest.fixture
def phone(browser, live_server):
    """A tab on a phone: 390×844, touch."""
    yield from _opened(browser, live_server, PHONE)
