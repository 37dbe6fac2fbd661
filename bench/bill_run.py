"""Benchmark: the monthly bill run for a company of 100,000 units (issue: fees).

    .venv/bin/python bench/bill_run.py --db sqlite
    .venv/bin/python bench/bill_run.py --db postgresql   # local server, throwaway database

Builds a throwaway database (migrated, then 10 projects × 20 buildings × 500 units, each
with a primary owner, one fee standard per project: half per m², half fixed), then runs the
bill run for one month twice — the second run must create nothing — each in a fresh
process, and prints wall time and the process's peak resident memory. A process that only
starts the app is measured too, so the bill run's own share can be read off.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PERIOD = "2026-12"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def seed(url: str, units: int) -> None:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import MIGRATIONS, create_app
    from extensions import db
    from models import Building, FeeStandard, Owner, Ownership, Project, Unit

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    per_building, buildings_per_project = 500, 20
    projects = max(1, units // (per_building * buildings_per_project))
    now = datetime.now(UTC)
    stamp = {"created_at": now, "updated_at": now, "version": 1}
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        session = db.session
        for p in range(projects):
            project = Project(code=f"P{p:02d}", name=f"项目{p:02d}", kind="residential")
            session.add(project)
            session.add(FeeStandard(project=project, name="物业服务费",
                                    basis="per_m2" if p % 2 == 0 else "fixed",
                                    rate=Decimal("2.35") if p % 2 == 0 else Decimal("180"),
                                    effective_from=date(2025, 1, 1)))
            for b in range(buildings_per_project):
                session.add(Building(project=project, name=f"{b + 1}栋", floors=25))
        session.commit()
        building_ids = list(session.scalars(sa.select(Building.id).order_by(Building.id)))
        unit_rows, owner_rows = [], []
        n = 0
        for building_id in building_ids:
            for i in range(per_building):
                n += 1
                area = Decimal(6000 + (n * 7919) % 9000) / 100  # 60.00–149.99 m²
                unit_rows.append({"building_id": building_id, "number": f"{i // 4 + 1}{i % 4:02d}",
                                  "floor": i // 4 + 1, "area": area, "usage": "owner_occupied",
                                  **stamp})
                owner_rows.append({"name": f"业主{n}", "phone": f"139{n:08d}",
                                   "preferred_channel": "phone", **stamp})
        for chunk in range(0, len(unit_rows), 5000):
            session.execute(sa.insert(Unit), unit_rows[chunk:chunk + 5000])
            session.execute(sa.insert(Owner), owner_rows[chunk:chunk + 5000])
        session.commit()
        unit_ids = list(session.scalars(sa.select(Unit.id).order_by(Unit.id)))
        owner_ids = list(session.scalars(sa.select(Owner.id).order_by(Owner.id)))
        ownership_rows = [{"owner_id": o, "unit_id": u, "since": date(2020, 1, 1),
                           "is_primary": True, **stamp} for u, o in zip(unit_ids, owner_ids,
                                                                       strict=True)]
        for chunk in range(0, len(ownership_rows), 5000):
            session.execute(sa.insert(Ownership), ownership_rows[chunk:chunk + 5000])
        session.commit()
        db.engine.dispose()


def measure(url: str, what: str, units: int) -> dict:
    """Run in a fresh process: the seeding, the bill run, or just the app ("baseline").
    Each step gets its own process because Linux keeps a process's peak RSS across exec:
    a child started by a big parent would report the parent's peak."""
    if what == "seed":
        started = time.perf_counter()
        seed(url, units)
        return {"seconds": round(time.perf_counter() - started, 1)}
    from app import create_app
    from extensions import db
    from services.billing import bill_run

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        started = time.perf_counter()
        result = {}
        if what == "run":
            run = bill_run(db.session, PERIOD, actor="bench")
            db.session.commit()
            result = {"created": run.created, "existing": run.existing}
        result |= {"seconds": round(time.perf_counter() - started, 2),
                   "peak_rss_mb": round(peak_mb(), 1)}
        db.engine.dispose()
    return result


def in_child(url: str, what: str, units: int) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", what, "--url", url, "--units", str(units)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--child", choices=["seed", "run", "baseline"])
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.url, args.child, args.units)))
        return

    import sqlalchemy as sa

    admin = None
    if args.db == "sqlite":
        folder = tempfile.mkdtemp(prefix="steward-bench-")
        url = f"sqlite:///{folder}/bench.sqlite"
    else:
        admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        name = f"steward_bench_{os.getpid()}"
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
    try:
        seeded = in_child(url, "seed", args.units)
        print(f"{args.db}: seeded {args.units:,} units in {seeded['seconds']} s")
        baseline = in_child(url, "baseline", args.units)
        first = in_child(url, "run", args.units)
        second = in_child(url, "run", args.units)
        print(f"app alone:        peak RSS {baseline['peak_rss_mb']} MB")
        print(f"bill run {PERIOD}: {first['created']:,} bills in {first['seconds']} s, "
              f"peak RSS {first['peak_rss_mb']} MB")
        print(f"run again:        {second['created']} created, {second['existing']:,} "
              f"already there, {second['seconds']} s, peak RSS {second['peak_rss_mb']} MB")
        assert first["created"] == args.units and second["created"] == 0
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
