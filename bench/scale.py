"""Benchmark data: a large company in PostgreSQL, built set-based and deterministically (issue 16).

    .venv/bin/python bench/scale.py --scale 0.01          # fresh database steward_scale_0_01
    .venv/bin/python bench/scale.py --scale 1 --db postgresql+psycopg://postgres@127.0.0.1/x

Scale 1 is 20 projects, 1,000 buildings, 100,000 units and owners, 1,000 stewards under 50
supervisors, 2.4 M bills, 1.2 M payments, 600,000 tickets with about 3.1 M ticket events and
200,000 return visits (bench/scale_sql.py says how each is laid out). The database is migrated
to head with the project's migrations, every constraint on; each table is filled by one
INSERT … SELECT. Conventions kept: times naive UTC, version 1, created/updated set, the bill
run's bulk audit entry for the bills and one "create" audit entry for every other record (so
models/invariants.py holds), a policy setting like the demo's, the departments with their
heads, and three login accounts with the password `demo12345`: admin, supervisor1 (the first
supervisor) and steward1 (the first steward of that team). ANALYZE at the end.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale_sql import ANCHOR_DAY, BUILT, STAMP, Sizes, statements  # noqa: E402

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PASSWORD = "demo12345"
ACCOUNTS = ("admin", "supervisor1", "steward1")
COUNTED = ("project", "building", "unit", "unit_assignment", "owner", "ownership", "staff",
           "user_account", "department", "policy_setting", "fee_standard", "bill", "payment",
           "arrears_reminder", "ticket", "dispatch", "ticket_event", "return_visit",
           "audit_entry")


def default_url(scale: float) -> str:
    return f"{PG_SERVER}/steward_scale_" + f"{scale:g}".replace(".", "_")


def fresh_database(url: str) -> None:
    """Drop and create the database `url` names (on its server, through `postgres`)."""
    import sqlalchemy as sa

    server, name = url.rsplit("/", 1)
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def app_for(url: str, **config):
    """The app on `url` (a throwaway secret: nothing it signs outlives the process)."""
    import secrets

    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(16),
                       **config})


def migrate(url: str) -> None:
    from flask_migrate import upgrade

    from app import MIGRATIONS
    from extensions import db

    app = app_for(url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()


def _small_records(z: Sizes) -> list[tuple[str, str]]:
    """The policy setting (the demo's numbers), the accounts, and the bill run's audit entry."""
    from werkzeug.security import generate_password_hash

    from models.platform import PolicySetting

    password = generate_password_hash(PASSWORD)  # hashed once, shared by the accounts
    defaults = {c.name: c.default.arg for c in PolicySetting.__table__.columns
                if c.default is not None and not callable(c.default.arg)
                and c.name not in ("version",)}
    defaults |= {"bonus_base_steward": 2000, "bonus_base_supervisor": 3000,
                 "bonus_base_manager": 5000, "bonus_base_other": 1500}
    columns = ", ".join(defaults)
    values = ", ".join(f"'{v}'" if not isinstance(v, bool) else str(v).upper()
                       for v in defaults.values())
    accounts = f"(1, 'admin', 'admin', {z.office}), (2, 'supervisor1', 'supervisor', 1), " \
               f"(3, 'steward1', 'steward', {z.first_steward})"
    return [
        ("policy_setting", f"""
INSERT INTO policy_setting (id, effective_from, note, {columns}, created_at, created_by,
                            updated_at, updated_by, version)
VALUES (1, DATE '2024-01-01', '公司制度默认参数', {values}, {STAMP})"""),
        ("user_account", f"""
INSERT INTO user_account (id, username, password_hash, role, staff_id, active, session_token,
                          created_at, created_by, updated_at, updated_by, version)
SELECT a.id, a.username, '{password}', a.role, a.staff_id, TRUE, md5(a.username || 'scale'),
       {STAMP}
FROM (VALUES {accounts}) AS a(id, username, role, staff_id)"""),
        ("audit: bill run", f"""
INSERT INTO audit_entry (change_set, at, username, action, entity, entity_id, entity_version,
                         changes, source)
VALUES ('scale-bill-run', {BUILT}, 'bill-run', 'bulk', 'bill', NULL, NULL,
        '{{"bills": "every month 2024-12 … 2026-11"}}', 'script')"""),
    ]


def _audit_statements() -> list[tuple[str, str]]:
    """One "create" entry per record of every business table but the bills (covered by the
    bill run's bulk entry), at the record's creation time."""
    from models.base import Entity

    tables = sorted({m.class_.__tablename__ for m in Entity.registry.mappers
                     if issubclass(m.class_, Entity)} - {"bill"})
    return [(f"audit: {table}", f"""
INSERT INTO audit_entry (change_set, at, username, action, entity, entity_id, entity_version,
                         changes, source)
SELECT 'scale-{table}', r.created_at, 'scale', 'create', '{table}', r.id, r.version, '{{}}',
       'script'
FROM "{table}" r
WHERE NOT EXISTS (SELECT 1 FROM audit_entry a WHERE a.entity = '{table}' AND a.entity_id = r.id
                  AND a.entity_version = r.version)
ORDER BY r.id""") for table in tables]


def _sequences(connection) -> None:
    """Move every id sequence past the ids given explicitly."""
    import sqlalchemy as sa

    for table, sequence in connection.execute(sa.text("""
            SELECT c.table_name, pg_get_serial_sequence(quote_ident(c.table_name), 'id')
            FROM information_schema.columns c
            WHERE c.table_schema = 'public' AND c.column_name = 'id'""")):
        if sequence:
            connection.execute(sa.text(
                f"SELECT setval('{sequence}', COALESCE((SELECT max(id) FROM \"{table}\"), 0) + 1,"
                " false)"))


def build(url: str, scale: float, *, create: bool = True, echo=print) -> dict[str, int]:
    """Build the company at `scale` in `url`; returns the row counts."""
    import sqlalchemy as sa

    from models import bill_totals, household_totals

    started = time.perf_counter()
    if create:
        fresh_database(url)
    migrate(url)
    echo(f"migrated in {time.perf_counter() - started:.1f} s")
    z = Sizes.at(scale)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("SET LOCAL synchronous_commit = off"))
        connection.execute(sa.text("SET LOCAL work_mem = '256MB'"))
        for label, sql in [*statements(z), *_small_records(z), *_audit_statements()]:
            step = time.perf_counter()
            rows = 0
            for part in sql.split(";\n"):
                rows += max(connection.execute(sa.text(part)).rowcount, 0)
            echo(f"{label:<28} {rows:>10,} rows {time.perf_counter() - step:7.1f} s")
        step = time.perf_counter()
        rows = bill_totals.rebuild(connection)
        echo(f"{'bill_total':<28} {rows:>10,} rows {time.perf_counter() - step:7.1f} s")
        step = time.perf_counter()
        rows = household_totals.rebuild(connection)
        echo(f"{'household_total':<28} {rows:>10,} rows {time.perf_counter() - step:7.1f} s")
        _sequences(connection)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        step = time.perf_counter()
        # VACUUM as well: it sets the visibility map, as autovacuum keeps it in a database
        # that has run a while, so index-only scans read no table pages (the arrears
        # households' grouping: 600 → 330 ms at scale 1)
        connection.execute(sa.text("VACUUM (ANALYZE)"))
        echo(f"{'VACUUM (ANALYZE)':<28} {'':>15} {time.perf_counter() - step:7.1f} s")
        counts = {table: connection.scalar(sa.text(f'SELECT count(*) FROM "{table}"'))
                  for table in COUNTED}
    engine.dispose()
    echo(f"built scale {scale:g} (today {ANCHOR_DAY}) in {time.perf_counter() - started:.1f} s")
    return counts


def check_invariants(url: str) -> list[str]:
    """models/invariants.py on the built database: the broken ones (empty when whole)."""
    from extensions import db
    from models import invariants

    app = app_for(url)
    with app.app_context():
        found = invariants.broken(db.session)
        db.session.rollback()
        db.engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--db", help="SQLAlchemy URL of a database to fill (default: a fresh "
                        "steward_scale_<scale> on 127.0.0.1:5432, created here)")
    parser.add_argument("--check", action="store_true",
                        help="then check models/invariants.py (slow above scale 0.1)")
    args = parser.parse_args()
    url = args.db or default_url(args.scale)
    counts = build(url, args.scale, create=args.db is None)
    width = max(map(len, counts))
    for table, count in counts.items():
        print(f"  {table:<{width}} {count:>12,}")
    print(f"database: {url}")
    if args.check:
        started = time.perf_counter()
        found = check_invariants(url)
        print(f"invariants: {'hold' if not found else 'BROKEN'} "
              f"({time.perf_counter() - started:.1f} s)")
        for line in found:
            print("  " + line)
        if found:
            sys.exit(1)


if __name__ == "__main__":
    main()
