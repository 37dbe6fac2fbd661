"""Benchmark: every page of the back office on a large company, as admin, a supervisor and a
steward (issue 16).

    .venv/bin/python bench/scale.py --scale 0.01
    .venv/bin/python bench/pages.py --scale 0.01            # or --db URL

Requests go through the Flask test client in this process against the PostgreSQL database
bench/scale.py built (no web server, so the figures are the app's and the database's work
without the network), with the clock at the data's "today" (2026-11-20 09:00 Shanghai,
ticking). For each page: the median of --runs requests (≥ 5) in ms, the SQL statements one
request runs (a before_cursor_execute listener), and for the list pages the floor: the
median ms of one hand-written SELECT of the same page's rows (bench/pages_plan.py). Then
the month run for the whole company (every supervisor's team through services.assessments,
rolled back). A markdown table goes to stdout and to bench/results/pages-<scale>.md; pages
that answer 500 are listed under it.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import pages_plan as plan  # noqa: E402
from bench.scale import ACCOUNTS, PASSWORD, app_for, default_url  # noqa: E402

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # the data's today, 09:00 in Shanghai
RESULTS = ROOT / "bench" / "results"


class Counter:
    """Statements run on the app's engine since the last reset."""

    def __init__(self, engine) -> None:
        import sqlalchemy as sa

        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args) -> None:
        self.count += 1


class Bench:
    def __init__(self, url: str, runs: int, echo=print, only: str | None = None) -> None:
        import logging

        from flask import got_request_exception

        from extensions import db

        self.app = app_for(url, TESTING=True, WTF_CSRF_ENABLED=False,
                           PROPAGATE_EXCEPTIONS=False)
        self.runs, self.echo = runs, echo
        self.only = re.compile(only) if only else None
        self.rows: list[dict] = []
        self.errors: list[str] = []
        self.last_error: list[str] = []
        got_request_exception.connect(self._failed, self.app)
        logging.getLogger("steward").setLevel(logging.WARNING)  # no line per request
        with self.app.app_context():
            self.engine = db.engine
            self.counter = Counter(db.engine)

    def _failed(self, sender, exception, **extra) -> None:
        self.last_error.append(f"{type(exception).__name__}: {str(exception).splitlines()[0]}")

    # ---- one page ----------------------------------------------------------------------
    def request(self, client, page: plan.Page):
        self.counter.count = 0
        started = time.perf_counter()
        if page.method == "POST":
            response = client.post(page.path, data=page.data)
        else:
            response = client.get(page.path)
        body = response.get_data(as_text=True)
        ms = (time.perf_counter() - started) * 1000
        return ms, self.counter.count, response.status_code, body

    def floor_ms(self, query) -> float | None:
        if query is None:
            return None
        sql = str(query.compile(self.engine, compile_kwargs={"literal_binds": True}))
        times = []
        with self.engine.connect() as connection:
            for _ in range(self.runs):
                started = time.perf_counter()
                connection.exec_driver_sql(sql).fetchall()
                times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    def measure(self, client, role: str, page: plan.Page) -> str:
        if self.only is not None and not self.only.search(page.name):
            return ""
        self.last_error.clear()
        ms, statements, status, body = self.request(client, page)
        times = [ms]
        if status < 400:
            for _ in range(self.runs - 1):
                times.append(self.request(client, page)[0])
        row = {"page": page.name, "role": role, "path": page.path, "status": status,
               "ms": statistics.median(times), "statements": statements,
               "floor": self.floor_ms(page.floor) if status == 200 else None}
        self.rows.append(row)
        if status >= 500:
            self.errors.append(f"{role} {page.method} {page.path}: {status} "
                               f"{'; '.join(self.last_error) or ''}".rstrip())
        self.echo(f"  {role:<10} {page.name:<40} {status} {row['ms']:8.1f} ms "
                  f"{statements:4d} st" + (f"  floor {row['floor']:.1f} ms"
                                           if row["floor"] is not None else ""))
        return body

    # ---- a role ------------------------------------------------------------------------
    def role(self, username: str) -> None:
        from extensions import db
        from models import User
        from models.scopes import row_filter, visible_steward_ids

        client = self.app.test_client()
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        if response.status_code != 302:
            raise SystemExit(f"sign-in as {username} failed ({response.status_code})")
        with self.app.app_context():
            user = db.session.scalar(db.select(User).where(User.username == username))
            role, stewards = user.role, visible_steward_ids(db.session, user.role, user.staff_id)

            def condition_for(model, scope):
                return row_filter(model, scope, stewards)

            views = plan.entity_views(self.app)
            open_ids = plan.open_record_ids(db.session, condition_for, role, views)
            lists = plan.list_pages(self.app, role, condition_for)
            db.session.remove()
        for page in lists:
            body = self.measure(client, role, page)
            entity = page.name.split(" ", 1)[0]
            if body and page.name.endswith(" list") and views[entity].can_view_details:
                found = plan.first_id(body, views[entity].url)
                if found:
                    self.measure(client, role, plan.Page(
                        f"{entity} details", f"{views[entity].url}/details/?id={found}"))
        for page in plan.work_pages(self.app, role, open_ids):
            self.measure(client, role, page)

    def month_run_all(self) -> None:
        """Every supervisor's team scored for the month, as one company-wide run (rolled back)."""
        import sqlalchemy as sa

        from extensions import db
        from models import Staff
        from services.assessments import run_month

        with self.app.app_context():
            bosses = db.session.scalars(sa.select(Staff).where(Staff.position == "supervisor")
                                        .order_by(Staff.id)).all()
            self.counter.count = 0
            started = time.perf_counter()
            scored = 0
            for boss in bosses:
                done = run_month(db.session, boss, plan.PERIOD, now=NOW)
                scored += len(done.created) + len(done.rescored)
            db.session.flush()
            ms = (time.perf_counter() - started) * 1000
            db.session.rollback()
        self.rows.append({"page": f"month run, whole company ({scored} stewards, service)",
                          "role": "supervisors", "path": "services.assessments.run_month",
                          "status": 200, "ms": ms, "statements": self.counter.count,
                          "floor": None})
        self.echo(f"  month run for {scored} stewards: {ms:.0f} ms, "
                  f"{self.counter.count} statements")


def table(rows: list[dict]) -> str:
    lines = ["| page | role | median ms | statements | floor ms | status |",
             "|---|---|---:|---:|---:|---:|"]
    for row in rows:
        floor = f"{row['floor']:.1f}" if row["floor"] is not None else ""
        lines.append(f"| {row['page']} | {row['role']} | {row['ms']:.1f} | "
                     f"{row['statements']} | {floor} | {row['status']} |")
    return "\n".join(lines)


def run(url: str, runs: int = 5, roles=ACCOUNTS, month_run: bool = True, echo=print,
        only: str | None = None) -> Bench:
    import time_machine

    bench = Bench(url, runs, echo, only)
    with time_machine.travel(NOW, tick=True):
        for username in roles:
            echo(f"{username}:")
            bench.role(username)
        if month_run and (bench.only is None or bench.only.search("month run, whole")):
            bench.month_run_all()
    return bench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--db", help="SQLAlchemy URL (default: the database bench/scale.py "
                        "made for --scale)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="measure only the pages whose name matches this "
                        "regular expression (e.g. 'list|start page|arrears')")
    parser.add_argument("--out", help="result file (default bench/results/pages-<scale>.md)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    url = args.db or default_url(args.scale)
    started = time.perf_counter()
    bench = run(url, args.runs, only=args.only)
    report = [f"# Pages at scale {args.scale:g}", "",
              f"{len(bench.rows)} measurements, median of {args.runs} runs each, "
              f"{time.perf_counter() - started:.0f} s in all "
              f"({datetime.now(UTC):%Y-%m-%d}, Flask test client, PostgreSQL).", "",
              table(bench.rows), "", "## Pages that errored", ""]
    report += [f"- {line}" for line in bench.errors] or ["none"]
    text = "\n".join(report) + "\n"
    print(text)
    out = Path(args.out) if args.out else RESULTS / f"pages-{args.scale:g}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
