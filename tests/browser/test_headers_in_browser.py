"""The hardening headers in a real browser: under the Content-Security-Policy every page's
assets load (offline) and its scripts run, and the browser reports no violation
(issue 17 item 8)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.screens

PAGES = [
    "/admin/",
    "/admin/ticket/",
    "/admin/ticket/edit/?id=1",
    "/admin/ticket/step/?id=1",
    "/admin/owner/",
    "/admin/owner/details/?id=1",
    "/admin/bill/",
    "/admin/import/",
    "/admin/account/password/",
]


def test_pages_work_under_the_content_security_policy(tab):
    problems: list[str] = []
    tab.page.on("console", lambda message: problems.append(message.text)
                if message.type == "error" else None)
    tab.page.on("pageerror", lambda error: problems.append(str(error)))
    tab.sign_in("admin")
    for path in PAGES:
        response = tab.go(path)
        assert response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        # jQuery and Bootstrap loaded and ran: the menu's dropdowns are wired up
        assert tab.page.evaluate("typeof window.jQuery === 'function' && "
                                 "typeof jQuery.fn.dropdown === 'function'"), path
    tab.go("/admin/ticket/edit/?id=1")
    assert tab.page.locator(".select2-container").count() > 0  # pickers' script ran
    assert problems == [], problems
