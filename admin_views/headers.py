"""Hardening headers on every response (docs/security.md, "Headers").

The pages use only assets served by the app itself (Flask-Admin's static files, offline), so
the policy allows nothing from elsewhere. Scripts and styles may be inline: Flask-Admin's
templates and ours carry inline scripts and `onsubmit`/`onclick` handlers, which a nonce
cannot cover; what keeps injected markup out is the templates' escaping.
"""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _harden(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint == "static" or (request.endpoint or "").endswith(".static"):
        return response  # the offline assets may be cached; they hold nothing personal
    if current_user and current_user.is_authenticated or request.path.startswith(
            ("/admin", "/o/")):
        # signed-in pages and the owner's page show personal data: no copy in the
        # browser's or a proxy's cache
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_harden)
