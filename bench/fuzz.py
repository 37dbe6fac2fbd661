"""Hostile input against every screen: counts answers by status, exits non-zero on any 5xx,
any page showing SQL or a traceback, or any unexpected error hidden behind a message; then
checks the data's invariants (models/invariants.py).

    .venv/bin/python bench/fuzz.py --db sqlite
    .venv/bin/python bench/fuzz.py --db postgresql [--values 3] [--seed 7]

As each role (admin, hr, supervisor1, steward1, engineer1) it drives every create and edit form, the
inline editor, list URLs (page, page size, sort, search, every filter), row actions, details
and delete, pickers, every work page (GET arguments, and each form the page shows), and the
pages that are no entity's (one's own password, the import workbench, the job pages), each
field in turn given each hostile value (empty, 100k characters, emoji/RTL/NUL, negative, huge
and NaN numbers, impossible dates, unknown choices, missing and foreign ids, duplicates).
`--values N` tries N values (chosen with `--seed`) per field instead of all of them. A fresh
demo database is built for the run (SQLite: a temporary file; PostgreSQL: a throwaway
database on the local server) and dropped afterwards. CSRF is off: its refusal (400) is
tested in tests/test_web_safety.py, and here it would hide what lies behind it.
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.fuzz_report import ErrorCount, Failure, PageForms, Report  # noqa: E402

ACCOUNTS = {"admin": "admin", "hr": "hr", "supervisor": "supervisor1", "steward": "steward1",
            "department": "engineer1"}
PASSWORD = "demo12345"

HOSTILE = [
    "", " ", "注" * 100_000, "😀‮עברית", "a\x00b", "-1", "0", "-0.01", "1.005", "1e10",
    "9" * 400, "-99999999999999999999", "NaN", "sNaN", "Infinity", str(2**31), str(2**63),
    "0001-01-01", "9999-12-31", "2026-02-30", "2026-13-45 25:61", "0000-01", "zzz", "__None",
    "'; DROP TABLE owner; --", "%_%", "<script>alert(1)</script>", "FOREIGN", "DUPLICATE",
]

# What a page must never show: the database's words or a traceback.
SQL_SHOWN = re.compile(
    r"\[SQL:|\[parameters:|sqlite3\.|psycopg|IntegrityError|OperationalError|DataError|"
    r"StatementError|PendingRollbackError|Traceback \(most recent|\bINSERT INTO\b|"
    r"\bUPDATE \w+ SET\b|\bSELECT \w+\.\w+")


class Fuzzer:
    def __init__(self, app, *, values: int | None = None, seed: int = 2026,
                 max_inline: int = 3, fields: int | None = None, filters: int = 12,
                 arguments: int | None = None, progress: bool = False) -> None:
        """`values`: hostile values per field (None: all); `fields`: fields varied per form
        (None: all); `filters`: list filters tried per list; `arguments`: URL arguments,
        stale versions and action row ids tried per screen (None: all)."""
        self.progress, self.fields, self.filters = progress, fields, filters
        self.arguments = arguments
        self.app, self.values, self.rng = app, values, random.Random(seed)
        self.max_inline = max_inline
        self.report = Report()
        self.errors = ErrorCount()

    # ---- one request ----------------------------------------------------------------------
    def send(self, client, method: str, path: str, kind: str, data=None):
        logged = len(self.errors.records)
        try:
            response = client.open(path, method=method, data=data)
        except Exception as error:  # noqa: BLE001 - an exception out of the app is a 500
            self._fail("5xx", method, path, f"{type(error).__name__}: {error}"[:300])
            self.report.by_status[500] += 1
            self.report.submissions += 1
            return None
        self.report.submissions += 1
        self.report.by_status[response.status_code] += 1
        self.report.by_kind[kind] += 1
        text = response.get_data(as_text=True) if response.mimetype in (
            "text/html", "application/json", "text/plain") else ""
        if response.status_code >= 500 and response.status_code != 503:
            self._fail("5xx", method, path, self._new_errors(logged) or text[-300:])
        elif response.status_code == 503:
            self._fail("5xx", method, path, "503: " + (self._new_errors(logged) or ""))
        if match := SQL_SHOWN.search(text):
            start = max(match.start() - 100, 0)
            self._fail("sql", method, path, text[start:match.end() + 200])
        elif len(self.errors.records) > logged and response.status_code < 500:
            self._fail("unexpected", method, path, self._new_errors(logged))
        return response

    def _new_errors(self, since: int) -> str:
        found = []
        for record in self.errors.records[since:]:
            detail = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                detail += f": {type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
            found.append(detail)
        return " | ".join(found)[:400]

    def _fail(self, kind, method, path, detail) -> None:
        self.report.failures.append(Failure(kind, method, path, detail))

    def few(self, names) -> list:
        names = list(names)
        if self.arguments is None or self.arguments >= len(names):
            return names
        return self.rng.sample(names, self.arguments)

    def pick(self, values: list[str]) -> list[str]:
        if self.values is None or self.values >= len(values):
            return values
        return self.rng.sample(values, self.values)

    # ---- the run ----------------------------------------------------------------------------
    def run(self) -> Report:
        from access import ENTITIES
        from extensions import db
        from models.invariants import broken

        started = time.perf_counter()
        logger = logging.getLogger("steward")
        logger.addHandler(self.errors)
        try:
            clients = {}
            for role, username in ACCOUNTS.items():  # all before any account is fuzzed
                clients[role] = client = self.app.test_client()
                response = client.post("/login", data={"username": username,
                                                       "password": PASSWORD})
                assert response.status_code == 302, f"cannot sign in as {username}"
            for role, username in ACCOUNTS.items():
                client = clients[role]
                done = self.report.submissions
                for name, entity in ENTITIES.items():
                    grant = entity.grant(role)
                    if not grant.letters:
                        continue
                    view = self._view(name)
                    if grant.allows("R"):
                        self.lists(client, view)
                        self.rows(client, view, username)
                    if grant.allows("C"):
                        self.create(client, view, username)
                    if grant.allows("U"):
                        self.edit(client, view, username)
                        self.inline(client, view, username)
                    self.actions(client, view, username)
                    self.work_pages(client, view, username)
                self.own_pages(client)
                self.send(client, "GET", "/admin/", "page")
                if self.progress:
                    print(f"  {username}: {self.report.submissions - done} submissions, "
                          f"{len(self.report.failures)} failures so far", flush=True)
        finally:
            logger.removeHandler(self.errors)
        with self.app.app_context():
            self.report.broken = broken(db.session)
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _view(self, name):
        admin = self.app.extensions["admin"][0]
        return next(v for v in admin._views if getattr(v, "endpoint", None) == name)

    def _ids(self, view, username) -> tuple[list[int], int | None]:
        """Ids of rows in the user's scope (a few) and one outside it (a foreign id)."""
        import sqlalchemy as sa
        from flask_login import login_user

        from extensions import db
        from models import User

        with self.app.app_context(), self.app.test_request_context():
            login_user(db.session.scalar(sa.select(User).where(User.username == username)))
            # the newest rows: the demo's accounts used for signing in come first
            mine = [pk for (pk,) in view.get_query().with_entities(view.model.id)
                    .order_by(view.model.id.desc()).limit(3)]
            other = db.session.scalar(sa.select(view.model.id).where(
                view.model.id.not_in(view.get_query().with_entities(view.model.id)))
                .limit(1))
        return mine, other

    def _form_data(self, view, row_id, username) -> dict:
        from tests.helpers import form_data

        return form_data(self.app, view.endpoint, row_id, username)

    def _concrete(self, value: str, name: str, view, foreign, duplicate) -> str:
        if value == "FOREIGN":
            return str(foreign or 2**31 - 1)
        if value == "DUPLICATE":
            return duplicate.get(name, "1")
        return value

    def _vary(self, client, method, path, kind, base: dict, view, foreign, duplicate,
              fresh=None) -> None:
        names = [k for k in base if k not in ("csrf_token", "seen_version")]
        if self.fields is not None and len(names) > self.fields:
            names = self.rng.sample(names, self.fields)
        for name in names:
            for value in self.pick(HOSTILE):
                data = dict(fresh() if fresh else base)
                data[name] = self._concrete(value, name, view, foreign, duplicate)
                self.send(client, method, path, kind, data)

    # ---- lists, details, delete, pickers ------------------------------------------------------
    def lists(self, client, view) -> None:
        base = f"/admin/{view.endpoint.replace('_', '-')}/"
        for value in self.pick(HOSTILE):
            value = self._concrete(value, "", view, None, {})
            for arg in self.few(("page", "page_size", "sort", "search", "desc")):
                self.send(client, "GET", _url(base, {arg: value}), "list")
            for key in list(view._filter_args or {})[:self.filters]:
                self.send(client, "GET", _url(base, {f"flt0_{key}": value}), "list")
        for name in (view._form_ajax_refs or {}):
            for value in self.pick(HOSTILE):
                for arg in self.few(("query", "offset", "limit")):
                    self.send(client, "GET", _url(base + "ajax/lookup/", {
                        "name": name, "query": "1", arg: value}), "picker")

    def rows(self, client, view, username) -> None:
        base = f"/admin/{view.endpoint.replace('_', '-')}/"
        mine, foreign = self._ids(view, username)
        for value in self.pick([*HOSTILE, *map(str, mine[:1])]):
            value = self._concrete(value, "id", view, foreign, {})
            self.send(client, "GET", _url(base + "details/", {"id": value}), "details")
            self.send(client, "GET", _url(base + "edit/", {"id": value}), "edit page")
            if value not in map(str, mine):
                self.send(client, "POST", base + "delete/", "delete", {"id": value})

    # ---- forms --------------------------------------------------------------------------------
    def _duplicates(self, view, row_id, username) -> dict:
        return {k: v for k, v in self._form_data(view, row_id, username).items()}

    def create(self, client, view, username) -> None:
        from tests.helpers import overrides

        base_url = f"/admin/{view.endpoint.replace('_', '-')}/"
        mine, foreign = self._ids(view, username)
        source = mine[0] if mine else self._ids(view, "admin")[0][0]
        base = self._form_data(view, source, username if mine else "admin")
        base |= overrides(self.app, view.endpoint)
        duplicate = self._duplicates(view, source, "admin")
        self.send(client, "GET", base_url + "new/", "create page")
        self._vary(client, "POST", base_url + "new/", "create", base, view, foreign, duplicate)

    def edit(self, client, view, username) -> None:
        mine, foreign = self._ids(view, username)
        if not mine:
            return
        target = mine[-1]
        path = f"/admin/{view.endpoint.replace('_', '-')}/edit/?id={target}"
        base = self._form_data(view, target, username)
        duplicate = self._duplicates(view, mine[0], "admin") if len(mine) > 1 else {}

        def fresh():
            return self._form_data(view, target, username)

        self._vary(client, "POST", path, "edit", base, view, foreign, duplicate, fresh)
        stale = dict(base)
        for version in self.few(("", "abc", str(2**63), "0")):
            stale["seen_version"] = version
            self.send(client, "POST", path, "edit", stale)

    def inline(self, client, view, username) -> None:
        columns = list(view.column_editable_list or [])
        if not columns:
            return
        mine, foreign = self._ids(view, username)
        path = f"/admin/{view.endpoint.replace('_', '-')}/ajax/update/"
        for row_id in mine[:1]:
            for column in columns[:self.max_inline]:
                for value in self.pick(HOSTILE):
                    version = self._version(view, row_id)
                    self.send(client, "POST", path, "inline", {
                        "list_form_pk": f"{row_id}:{version}",
                        column: self._concrete(value, column, view, foreign, {})})
        for pk in self.pick([*HOSTILE, f"{foreign}:1", f"{2**63}:1", "1:"]):
            self.send(client, "POST", path, "inline", {"list_form_pk": pk, columns[0]: "1"})

    def _version(self, view, row_id) -> int:
        from extensions import db

        with self.app.app_context():
            row = db.session.get(view.model, row_id)
            return row.version if row is not None else 1

    def actions(self, client, view, username) -> None:
        path = f"/admin/{view.endpoint.replace('_', '-')}/action/"
        mine, foreign = self._ids(view, username)
        for name in view._actions_data:
            if name == "delete":
                rowids = ["", "x", str(2**63), str(foreign)]
            else:
                rowids = [*map(str, mine[:2]), "", str(2**63), str(foreign), "-1"]
            for rowid in self.few(rowids):
                self.send(client, "POST", path, "action", {"action": name, "rowid": rowid})
        self.send(client, "POST", path, "action", {"action": "zzz", "rowid": "1"})

    # ---- work pages ----------------------------------------------------------------------------
    def work_pages(self, client, view, username) -> None:
        from flask import url_for

        mine, foreign = self._ids(view, username)
        for endpoint in view.endpoint_letters:
            with self.app.test_request_context():
                path = url_for(f"{view.endpoint}.{endpoint}")
            for args in ({"id": str(mine[0])} if mine else {}, {}):
                response = self.send(client, "GET", _url(path, args), "work page")
                if (response is not None and response.status_code == 200 and args
                        and response.mimetype == "text/html"):  # not a download
                    self._work_forms(client, response, path, args, view, foreign)
            for arg in self.few(("id", "period", "year", "by", "page", "month", "step", "kind",
                                 "export", "staff", "team", "q")):
                for value in self.pick(HOSTILE):
                    value = self._concrete(value, arg, view, foreign, {})
                    self.send(client, "GET", _url(path, {**({"id": str(mine[0])} if mine and
                                                            arg != "id" else {}),
                                                         arg: value}), "work page")

    def owner_page(self, client) -> None:
        """The owners' page (no account): hostile tokens, and a real link's forms with
        hostile ratings and comments (a ticket that is not resolved refuses them anyway)."""
        from urllib.parse import quote

        import sqlalchemy as sa

        from extensions import db
        from models import Ticket
        from rules.owner_feedback import DIMENSIONS
        from services.owner_links import token_for

        with self.app.test_request_context():
            ticket = db.session.scalars(sa.select(Ticket).order_by(Ticket.id)).first()
            token = token_for(ticket)
            db.session.commit()
        for value in [*self.pick(HOSTILE), token + "x", token]:
            path = f"/o/{quote(value[:300], safe='')}"
            self.send(client, "GET", path, "work page")
            for field in [*(f"rating_{name}" for name in DIMENSIONS), "comment"]:
                data = {**{f"rating_{name}": "5" for name in DIMENSIONS}, "comment": "",
                        field: value}
                self.send(client, "POST", f"/o/{token}/rate", "work form", data)
            self.send(client, "POST", f"{path}/notices", "work form", {"opt_out": value})

    def own_pages(self, client) -> None:
        """The pages that are no entity's: one's own password (with a wrong current password
        always, so no value ever changes it), the import workbench and the job pages."""
        import io
        from urllib.parse import quote

        password = "/admin/account/password/"
        self.send(client, "GET", password, "page")
        for field in ("current", "new", "repeat"):
            for value in self.pick(HOSTILE):
                data = {"current": "not-the-password", "new": "a-new-password-1",
                        "repeat": "a-new-password-1", field: value}
                if field == "current" and value == PASSWORD:
                    continue
                self.send(client, "POST", password, "work form", data)
        uploads = [b"", b"PK\x03\x04 not a workbook", b"\x00" * 64,
                   ",".join(self.pick(HOSTILE)).encode("utf-8", "surrogatepass")]
        for content in uploads:
            for name in ("owners.xlsx", "owners.csv", "x" * 300 + ".xlsx"):
                self.send(client, "POST", "/admin/import/", "upload",
                          {"file": (io.BytesIO(content), name)})
        for value in self.pick(HOSTILE):
            for action in ("confirm", "abandon"):
                self.send(client, "POST", f"/admin/import/{action}/", "work form",
                          {"token": value})
            self.send(client, "GET", f"/admin/import/errors/{quote(value[:200], safe='')}.xlsx",
                      "work page")
        self.owner_page(client)
        self.send(client, "GET", "/admin/jobs/", "page")
        for job in ("1", "0", str(2**31), str(2**63), "99999999999999999999"):
            for tail in ("", "status.json", "download"):
                self.send(client, "GET", f"/admin/jobs/{job}/{tail}", "work page")
            self.send(client, "POST", f"/admin/jobs/{job}/retry/", "work form")

    def _work_forms(self, client, response, path, args, view, foreign) -> None:
        parser = PageForms()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            if form["files"]:
                continue
            action = form["action"] or _url(path, args)
            if not action.startswith("/admin/") or "/action/" in action or \
                    action.endswith("/delete/") or "logout" in action:
                continue
            base = form["fields"]
            self.send(client, "POST", action, "work form", base)
            self._vary(client, "POST", action, "work form", base, view, foreign, {})


def _url(path: str, args: dict) -> str:
    from urllib.parse import urlencode

    return f"{path}?{urlencode(args)}" if args else path


# ---- a database of its own -------------------------------------------------------------------
def _database(kind: str):
    """(url, cleanup) of a fresh, migrated, seeded demo database."""
    import os

    import sqlalchemy as sa

    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="steward-fuzz-")
        return f"sqlite:///{folder}/fuzz.sqlite", lambda: None
    admin_url = os.environ.get("STEWARD_TEST_PG_URL",
                               "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    name = f"steward_fuzz_{os.getpid()}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return f"{admin_url.rsplit('/', 1)[0]}/{name}", drop


def make_app(url: str):
    from flask_migrate import upgrade

    import demo
    from app import MIGRATIONS, create_app
    from extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "SECRET_KEY": "fuzz",
                      "STEWARD_LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        demo.seed(db.session)
        db.session.remove()
    return app


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--values", type=int, default=None,
                        help="hostile values per field (default: all of them)")
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args(argv)
    url, cleanup = _database(options.db)
    try:
        app = make_app(url)
        for handler in logging.getLogger("steward").handlers:
            handler.setLevel(logging.CRITICAL)  # the report lists what went wrong
        report = Fuzzer(app, values=options.values, seed=options.seed, progress=True).run()
        from extensions import db

        with app.app_context():
            db.engine.dispose()
    finally:
        cleanup()
    print(f"database: {options.db}")
    print(report.summary())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
