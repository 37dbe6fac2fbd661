"""gunicorn's settings for the back office: `gunicorn -c gunicorn.conf.py "app:create_app()"`.

Sized for pages, not for imports: anything longer than a page (an import's check and
confirm, the bill run, company-wide runs) is a job on the queue, run by `flask worker`. Each
value can be changed from the environment (the list is in settings.py and the README).
"""

import multiprocessing
import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("STEWARD_BIND", "127.0.0.1:8000")
# Processes for CPU (rendering, the rules), threads for waiting on the database.
workers = int(os.environ.get("STEWARD_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("STEWARD_WEB_THREADS", "4"))
worker_class = "gthread"
# The slowest page (an arrears or collection report of a large company) takes seconds; a
# request still running after a minute is stuck and its worker is restarted.
timeout = int(os.environ.get("STEWARD_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter), bounding slow leaks.
max_requests = 2000
max_requests_jitter = 200
# Uploads up to STEWARD_MAX_UPLOAD_MB arrive through here; headers stay small.
limit_request_line = 8190
accesslog = os.environ.get("STEWARD_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("STEWARD_LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# An owner's link opens their request (services/owner_links.py): the access log, like the
# app's request log, keeps /o/… without the code.
OWNER_LINK = re.compile(r"/o/[^/?#\s\"]+")


class AccessLogger(Logger):
    """gunicorn's logger, with owners' link codes cut out of every access-log field."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str) and "/o/" in value:
                atoms[key] = OWNER_LINK.sub("/o/…", value)
        return atoms


logger_class = AccessLogger
# Behind a reverse proxy on the same host (nginx), trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("STEWARD_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Load the app before forking: workers share its memory and a broken config fails at once.
preload_app = True


def post_fork(server, worker):
    """A forked worker opens its own connections: the queue's SQLite connection and the
    database pool made while loading the app are the parent's."""
    from extensions import db
    from jobs.queue import app, huey

    huey.storage.close()
    with app().app_context():
        db.engine.dispose(close=False)
