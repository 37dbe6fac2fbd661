"""A job's life: started by a user (a row in `job`, then a task on the queue), run by a
consumer in one transaction with a heartbeat, finished or failed, retried.

Each kind of job is a function `body(session, params, progress) -> result` registered with
`@kind(...)`; it works in the session it is given and never commits: the runner commits its
work together with the job's "done", or rolls all of it back, so nothing half-done stays.
Live progress and the heartbeat go to the queue's own storage (on SQLite a long write
transaction holds the app database's only write lock, so they cannot go there).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from errors import CONCURRENT_ID, is_concurrent
from extensions import db
from models import Job
from models.base import utcnow
from rules.refusal import N_, Refused

from .queue import app, huey

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5
SQLITE_CACHE_KB = 512 * 1024  # an upper bound; SQLite takes only what the job writes
WORKER_KEY = "worker:seen"
STOPPED = N_("The worker stopped while running this job; nothing of it was saved. Retry it.")
FAILED = N_("The job stopped on an unexpected error; nothing of it was saved.")
CLASHED = CONCURRENT_ID
BROKE_A_RULE = N_("A value breaks one of the records' rules; nothing was saved.")


def stale_after() -> timedelta:
    return timedelta(seconds=int(os.environ.get("STEWARD_JOB_STALE_SECONDS", "60")))


@dataclass
class Kind:
    name: str
    body: Callable[[Session, dict, Callable], dict]
    may_start: Callable[[str], bool]  # role → allowed
    title: str  # an English message id, the job page's heading
    result_page: str  # the template part that shows its result (templates/admin/jobs/)


KINDS: dict[str, Kind] = {}


def kind(name: str, may_start: Callable[[str], bool], title: str, result_page: str | None = None):
    def register(body):
        KINDS[name] = Kind(name, body, may_start, title, result_page or name)
        return body
    return register


# ---- starting, looking, retrying (in a request or a command) -------------------------------
def start(session: Session, kind_name: str, params: dict, username: str | None,
          role: str | None) -> Job:
    """Record the job, commit, and put it on the queue."""
    job = Job(kind=kind_name, params=json.dumps(params, ensure_ascii=False),
              started_by=username, role=role)
    session.add(job)
    session.commit()
    run_job(job.id)
    return job


def run_here(session: Session, kind_name: str, params: dict, actor: str) -> Job:
    """Record a job and run it in this process (a command): the same record, transaction
    and result as on the queue."""
    job = Job(kind=kind_name, params=json.dumps(params, ensure_ascii=False), started_by=actor)
    session.add(job)
    session.commit()
    execute(session, job.id)
    session.refresh(job)
    return job


def may_see(job: Job, username: str, role: str) -> bool:
    """The user who started a job sees it; so does anyone whose role may start its kind."""
    found = KINDS.get(job.kind)
    return job.started_by == username or (found is not None and found.may_start(role))


def visible_to(username: str, role: str):
    """`may_see` as a condition on the job table, for lists."""
    return sa.or_(Job.started_by == username,
                  Job.kind.in_([name for name, found in KINDS.items() if found.may_start(role)]))


def live(job_id: int) -> dict:
    return huey.get(f"job:{job_id}", peek=True) or {}


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def last_beat(job: Job) -> datetime | None:
    beats = [b for b in (job.heartbeat_at, _moment(live(job.id).get("beat"))) if b]
    return max(beats) if beats else None


def settle(session: Session, job: Job, now: datetime | None = None, commit: bool = True) -> Job:
    """A running job whose consumer stopped beating is failed (so it can be retried)."""
    now = now or utcnow()
    beat = last_beat(job)
    if job.status == "running" and (beat is None or now - beat > stale_after()):
        updated = session.execute(sa.update(Job).where(
            Job.id == job.id, Job.status == "running").values(
            status="failed", finished_at=now, error=json.dumps({"message": STOPPED})))
        if commit:
            session.commit()
        if updated.rowcount:
            session.refresh(job)
    return job


def retry(session: Session, job: Job) -> bool:
    """Put a failed job on the queue again; False if it is not failed."""
    updated = session.execute(sa.update(Job).where(Job.id == job.id, Job.status == "failed")
                              .values(status="queued", error=None, result=None, progress=0,
                                      finished_at=None))
    session.commit()
    if not updated.rowcount:
        return False
    huey.delete(f"job:{job.id}")
    run_job(job.id)
    return True


def status(job: Job) -> dict:
    """What the page's progress bar shows."""
    now_live = live(job.id) if job.status == "running" else {}
    done = now_live.get("done", job.progress)
    total = now_live.get("total", job.total)
    return {"id": job.id, "kind": job.kind, "status": job.status, "done": done,
            "total": total, "stage": now_live.get("stage"),
            # 100 % only once done: a job whose last row is counted is still writing its
            # result, and the page reloads at 100
            "percent": 100 if job.status == "done" else (min(99, int(done * 100 / total))
                                                         if total else 0),
            "finished": job.status in ("done", "failed")}


# ---- running (in a consumer) ----------------------------------------------------------------
class Progress:
    """`progress(done, total, stage)`: written to the queue's storage at most once a second."""

    def __init__(self, job_id: int) -> None:
        self.key, self.last, self.state = f"job:{job_id}", 0.0, {}

    def __call__(self, done: int, total: int, stage: str | None = None) -> None:
        import time

        self.state.update(done=done, total=total, stage=stage)
        if time.monotonic() - self.last >= 1 or done >= total:
            self.last = time.monotonic()
            self.beat()

    def beat(self) -> None:
        now = utcnow().isoformat()
        huey.put(self.key, {**self.state, "beat": now})
        huey.put(WORKER_KEY, now)


def _heartbeat(progress: Progress, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            progress.beat()
        except Exception:  # a missed beat is not worth stopping the job for
            log.exception("heartbeat")


@huey.task()
def run_job(job_id: int) -> None:
    with app().app_context():
        try:
            execute(db.session, job_id)
        finally:
            db.session.remove()


def execute(session: Session, job_id: int) -> None:
    from app import command_actor

    claimed = session.execute(sa.update(Job).where(Job.id == job_id, Job.status == "queued")
                              .values(status="running", started_at=utcnow(),
                                      heartbeat_at=utcnow(), attempts=Job.attempts + 1))
    session.commit()
    if not claimed.rowcount:
        return  # delivered twice, or no longer queued
    job = session.get(Job, job_id)
    if session.get_bind().dialect.name == "sqlite":
        # Room for the whole transaction in memory: once SQLite spills a writer's pages to
        # the file it locks out readers until the commit, and every page would wait.
        session.connection().exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
    progress, stop = Progress(job_id), threading.Event()
    progress.beat()
    beating = threading.Thread(target=_heartbeat, args=(progress, stop), daemon=True)
    beating.start()
    error = None
    try:
        with command_actor(job.started_by or f"job:{job.kind}"):
            result = KINDS[job.kind].body(session, json.loads(job.params), progress)
            finished = session.execute(sa.update(Job).where(
                Job.id == job_id, Job.status == "running").values(
                status="done", finished_at=utcnow(), heartbeat_at=utcnow(),
                progress=progress.state.get("total", 0), total=progress.state.get("total", 0),
                result=json.dumps(result, ensure_ascii=False, default=str)))
            if not finished.rowcount:  # shown failed meanwhile: keep nothing
                session.rollback()
                return
            session.commit()
    except Refused as refusal:
        error = {"message": refusal.message, "params": {k: str(v) for k, v in
                                                        refusal.params.items()}}
    except Exception as failure:  # noqa: BLE001 - every failure ends as a message on its page
        if is_concurrent(failure):  # a stale version, a serialization failure, a deadlock
            error = {"message": CLASHED}
        else:
            log.exception("job %s (%s) failed", job_id, job.kind)
            error = {"message": BROKE_A_RULE if isinstance(failure, IntegrityError)
                     else FAILED}
    finally:
        stop.set()
    if error is not None:
        session.rollback()
        session.execute(sa.update(Job).where(Job.id == job_id).values(
            status="failed", finished_at=utcnow(), error=json.dumps(error, ensure_ascii=False)))
        session.commit()
    beating.join()
    huey.delete(progress.key)  # finished: the record says it all from now on


def worker_seen() -> datetime | None:
    """When a consumer last showed it was alive."""
    return _moment(huey.get(WORKER_KEY, peek=True))


@huey.periodic_task(lambda moment: True)
def worker_alive() -> None:
    """Every minute: the consumer is alive (for /readyz)."""
    huey.put(WORKER_KEY, datetime.now(UTC).isoformat())
