"""The kinds of job users start from a page: the import's check and confirm, the bill run,
the company's month and year runs, and large exports. Each works in the session it is given
and returns a JSON-able result; the runner commits (jobs/runner.py)."""

from __future__ import annotations

import json
from dataclasses import asdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from access import ENTITIES
from models import Job, Staff
from models.base import utcnow
from rules.refusal import N_, Refused
from services import importing, uploads
from services.billing import bill_run

from .queue import app
from .runner import kind

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


def _kept_rows(token: str) -> tuple[str, list[dict[str, str]]]:
    """The rows of the upload kept under `token`, read within the upload limits (a sheet
    past them is refused before it is parsed, and its file deleted)."""
    found = uploads.load(token, utcnow())
    if found is None:
        raise Refused(N_("The uploaded file is no longer kept. Upload it again."))
    filename, content = found
    config = app().config
    try:
        return filename, importing.read_rows(filename, content, importing.Limits(
            max_expanded_bytes=config["IMPORT_MAX_EXPANDED_MB"] * 1024 * 1024,
            max_cells=config["IMPORT_MAX_CELLS"]))
    except Refused:
        uploads.discard(token)
        raise


def forget_rows(session: Session, token: str) -> None:
    """Once an upload is gone (imported, discarded or expired), the checks of it keep their
    counts but no longer the rows with owners' names and phones."""
    for job in session.scalars(sa.select(Job).where(
            Job.kind == "import_check", Job.params.contains(token))):
        result = json.loads(job.result or "{}")
        if result.get("rows") or result.get("errors"):
            job.result = json.dumps(result | {"rows": [], "errors": []}, ensure_ascii=False)


@kind("import_check", IMPORTERS, N_("Import file check"))
def import_check(session: Session, params: dict, progress) -> dict:
    """The dry run: what each row would do. Writes nothing."""
    filename, rows = _kept_rows(params["token"])
    found = importing.plan(session, rows, progress)
    progress(len(found.rows), len(found.rows))
    ordered = sorted(found.rows, key=lambda r: (OUTCOMES.index(r.outcome), r.line))
    return {"token": params["token"], "filename": filename,
            "counts": {o: found.count(o) for o in OUTCOMES}, "total": len(found.rows),
            "rows": [_row(r) for r in ordered[:SHOWN_ROWS]],
            "errors": [_row(r) for r in found.errors]}


@kind("import_confirm", IMPORTERS, N_("Import of a checked file"))
def import_confirm(session: Session, params: dict, progress) -> dict:
    """Check the file again and import it all, or nothing."""
    filename, rows = _kept_rows(params["token"])
    found = importing.plan(session, rows, _stages(progress, 2, 0))
    batch = importing.apply(session, found, filename, _stages(progress, 2, 1))
    progress(len(found.rows), len(found.rows))
    # Imported: the file and the check's rows are not needed any more, once this commits
    # (a failed commit keeps them for the retry).
    forget_rows(session, params["token"])
    sa.event.listen(session, "after_commit",
                    lambda _: uploads.discard(params["token"]), once=True)
    return {"filename": filename, "created": batch.created, "updated": batch.updated,
            "unchanged": batch.unchanged, "batch": batch.id}


@kind("bill_run", _allows(("bill",), "C"), N_("Bill run"))
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


@kind("month_run", _allows(("monthly_assessment",), "C"),
      N_("Monthly assessment drafts for every team"), "company_run")
def month_run_job(session: Session, params: dict, progress) -> dict:
    """Every team's draft monthly assessments for a month."""
    from rules.periods import parse_period
    from services.assessments import run_month

    parse_period(params["period"])
    result = _company_run(session, progress,
                          lambda supervisor: run_month(session, supervisor, params["period"]))
    return {"period": params["period"], **result}


@kind("year_run", _allows(("annual_assessment",), "C"),
      N_("Annual assessment drafts for every team"), "company_run")
def year_run_job(session: Session, params: dict, progress) -> dict:
    """Every team's draft annual assessments for a year."""
    from services.assessments import run_year

    result = _company_run(session, progress,
                          lambda supervisor: run_year(session, supervisor, int(params["year"])))
    return {"year": int(params["year"]), **result}
