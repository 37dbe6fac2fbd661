"""The kinds of job users start from a page: the import's check and confirm, the bill run,
the company's month and year runs, and large exports. Each works in the session it is given
and returns a JSON-able result; the runner commits (jobs/runner.py)."""

from __future__ import annotations

from dataclasses import asdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from access import ENTITIES
from models import Staff
from services import importing
from services.billing import bill_run

from .runner import kind
from .uploads import stored

OUTCOMES = ("error", "create", "update", "unchanged")
SHOWN_ROWS = 300


def _allows(entities: tuple[str, ...], letter: str):
    return lambda role: all(ENTITIES[name].grant(role).allows(letter) for name in entities)


IMPORTERS = _allows(("owner", "unit", "ownership"), "C")


def _row(row: importing.RowPlan) -> dict:
    return {"line": row.line, "values": row.values, "outcome": row.outcome,
            "reasons": [[m, p] for m, p in row.reasons]}


def plan_rows(rows: list[dict]) -> list[importing.RowPlan]:
    """Rows of a stored check back as the plan's rows (for the page and the error report)."""
    return [importing.RowPlan(r["line"], r["values"], r["outcome"],
                              [(m, p) for m, p in r["reasons"]]) for r in rows]


def _stages(progress, stages: int, stage: int):
    """Progress of one stage of several, as a share of the whole job."""
    return lambda done, total: progress(stage * total + done, stages * total)


@kind("import_check", IMPORTERS)
def import_check(session: Session, params: dict, progress) -> dict:
    """The dry run: what each row would do. Writes nothing."""
    filename, content = stored(params["token"])
    found = importing.plan(session, importing.read_rows(filename, content), progress)
    progress(len(found.rows), len(found.rows))
    ordered = sorted(found.rows, key=lambda r: (OUTCOMES.index(r.outcome), r.line))
    return {"token": params["token"], "filename": filename,
            "counts": {o: found.count(o) for o in OUTCOMES}, "total": len(found.rows),
            "rows": [_row(r) for r in ordered[:SHOWN_ROWS]],
            "errors": [_row(r) for r in found.errors]}


@kind("import_confirm", IMPORTERS)
def import_confirm(session: Session, params: dict, progress) -> dict:
    """Check the file again and import it all, or nothing."""
    filename, content = stored(params["token"])
    found = importing.plan(session, importing.read_rows(filename, content),
                           _stages(progress, 2, 0))
    batch = importing.apply(session, found, filename, _stages(progress, 2, 1))
    progress(len(found.rows), len(found.rows))
    return {"filename": filename, "created": batch.created, "updated": batch.updated,
            "unchanged": batch.unchanged, "batch": batch.id}


@kind("bill_run", _allows(("bill",), "C"))
def bill_run_job(session: Session, params: dict, progress) -> dict:
    progress(0, 1)
    run = bill_run(session, params["period"], due_day=int(params.get("due_day", 25)),
                   actor=params.get("actor"))
    progress(1, 1)
    return asdict(run)


def supervisors(session: Session) -> list[Staff]:
    """Everyone who leads a team (has stewards reporting to them)."""
    lead = sa.select(Staff.supervisor_id).where(Staff.supervisor_id.is_not(None))
    return list(session.scalars(sa.select(Staff).where(Staff.id.in_(lead)).order_by(Staff.id)))


def _company_run(session: Session, progress, one_team) -> dict:
    teams = supervisors(session)
    created = rescored = confirmed = 0
    for done, supervisor in enumerate(teams):
        progress(done, len(teams))
        run = one_team(supervisor)
        created += len(run.created)
        rescored += len(run.rescored)
        confirmed += len(run.confirmed)
    progress(len(teams), len(teams))
    return {"teams": len(teams), "created": created, "rescored": rescored,
            "confirmed": confirmed}


@kind("month_run", _allows(("monthly_assessment",), "C"))
def month_run_job(session: Session, params: dict, progress) -> dict:
    """Every team's draft monthly assessments for a month."""
    from rules.periods import parse_period
    from services.assessments import run_month

    parse_period(params["period"])
    result = _company_run(session, progress,
                          lambda supervisor: run_month(session, supervisor, params["period"]))
    return {"period": params["period"], **result}


@kind("year_run", _allows(("annual_assessment",), "C"))
def year_run_job(session: Session, params: dict, progress) -> dict:
    """Every team's draft annual assessments for a year."""
    from services.assessments import run_year

    result = _company_run(session, progress,
                          lambda supervisor: run_year(session, supervisor, int(params["year"])))
    return {"year": int(params["year"]), **result}
