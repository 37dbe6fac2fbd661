"""The application log: one line per request (request id, user, endpoint, status, time) and
every exception with its traceback under the same request id. The level comes from the
configuration (`STEWARD_LOG_LEVEL`, INFO by default).

The request id is sent back in the `X-Request-Id` header and shown on error pages, so a
user's "reference" finds the lines in the log.
"""

from __future__ import annotations

import logging
import time
import uuid

from flask import Flask, g, has_request_context, request

log = logging.getLogger("steward.request")


class RequestIdFilter(logging.Filter):
    """Puts the request id on every record logged while a request is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def _configure(app: Flask) -> None:
    level = str(app.config.get("STEWARD_LOG_LEVEL", "INFO")).upper()
    root = logging.getLogger("steward")
    root.setLevel(level)
    if not any(getattr(h, "steward", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.steward = True
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
        root.propagate = False  # one line per event, whatever else configures logging
    for handler in root.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())


def _user() -> str:
    """The signed-in user the request already loaded; never a query of its own (a static
    file's request loads no user, and the database may be why this request failed)."""
    user = g.get("_login_user")  # where Flask-Login keeps the request's user once loaded
    return user.username if user is not None and user.is_authenticated else "-"


def _path() -> str:
    """The request's path, without an owner's link token (it opens their request)."""
    if request.path.startswith("/o/"):
        rest = request.path[3:].partition("/")[2]
        return "/o/…" + (f"/{rest}" if rest else "")
    return request.path


def init_app(app: Flask) -> None:
    _configure(app)

    @app.before_request
    def _start() -> None:
        g.request_id = uuid.uuid4().hex[:12]
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response):
        if "request_id" not in g:
            g.request_id = uuid.uuid4().hex[:12]
        response.headers["X-Request-Id"] = g.request_id
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        log.info("%s %s user=%s endpoint=%s status=%s ms=%.1f", request.method, _path(),
                 _user(), request.endpoint or "-", response.status_code, elapsed)
        return response

    from flask import got_request_exception

    def _log_exception(sender, exception, **extra) -> None:
        log.error("exception in %s %s", request.method, _path(), exc_info=exception)

    got_request_exception.connect(_log_exception, app, weak=False)
