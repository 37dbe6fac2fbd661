"""Long work runs as a job on the queue, with a real consumer (`flask worker`, a process of
its own): the page shows progress and can be reloaded, the result is kept, a worker killed
mid-job leaves nothing half-done and the job can be retried."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from extensions import db as database
from jobs import queue
from models import Job

from .conftest import ROOT
from .test_nothing_lost import good_rows, state, xlsx

# The import's documented maximum is 20,000 rows (services/importing.py MAX_ROWS); CI runs a
# tenth of it to stay within its time budget, STEWARD_TEST_IMPORT_ROWS=20000 runs it all.
ROWS = int(os.environ.get("STEWARD_TEST_IMPORT_ROWS", "2000"))


@pytest.fixture
def real_queue(app, store, tmp_path, monkeypatch):
    """The app's queue on a SQLite file of this test, and a way to start consumers on it."""
    path = str(tmp_path / "queue.sqlite")
    monkeypatch.setenv("STEWARD_JOB_STALE_SECONDS", "12")
    saved = queue.huey.storage_kwargs
    queue.huey.storage_kwargs = {**saved, "filename": path}
    queue.huey.immediate = False
    # Huey makes its storage anew only when `immediate` changes: whatever an earlier test
    # left, this test's process must read the same queue file as its consumers.
    queue.huey.storage = queue.huey.create_storage()
    workers: list[subprocess.Popen] = []

    def start_worker() -> subprocess.Popen:
        env = {**os.environ, "FLASK_APP": "app.py", "STEWARD_DATABASE_URL": store.url,
               "STEWARD_QUEUE_PATH": path, "STEWARD_LOG_LEVEL": "WARNING"}
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "worker", "--workers", "1", "--no-schedule"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        workers.append(worker)
        return worker

    yield start_worker
    for worker in workers:
        if worker.poll() is None:
            worker.kill()
        worker.wait()
    queue.huey.immediate = True
    queue.huey.storage_kwargs = saved


def job_id(response) -> int:
    assert response.status_code == 302, response.status_code
    return int(re.search(r"/admin/jobs/(\d+)/", response.headers["Location"])[1])


def wait_for(client, job: int, until, timeout: float = 300) -> dict:
    """Poll the job's status as the page's script does, until `until(status)`."""
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"/admin/jobs/{job}/status.json").get_json()
        if until(status):
            return status
        assert time.monotonic() < deadline, json.dumps(status)
        time.sleep(0.3)


def upload(client, content: bytes):
    import io

    return client.post("/admin/import/", data={"file": (io.BytesIO(content), "owners.xlsx")},
                       content_type="multipart/form-data")


def test_a_large_import_runs_as_a_job_the_page_shows_progress_and_reloads(
        app, db, as_role, real_queue):
    real_queue()
    client, before = as_role("admin"), state(app)
    check = job_id(upload(client, xlsx(good_rows(ROWS))))
    page = client.get(f"/admin/jobs/{check}/").get_data(as_text=True)
    assert 'id="job-bar"' in page and "job-progress.js" in page  # the bar, and what moves it
    # The bar moves while the check runs. In a long test session on SQLite the poll has
    # been seen to miss every running moment (the next state it read was the end), so the
    # end also stops the wait; when the poll does see the job running, the bar is partway.
    seen = wait_for(client, check, lambda s: s["finished"] or (
        s["status"] == "running" and s["percent"] > 0))
    assert seen["total"] == ROWS
    assert seen["finished"] or 0 < seen["percent"] < 100
    done = wait_for(client, check, lambda s: s["finished"])
    assert done["status"] == "done" and done["percent"] == 100
    page = client.get(f"/admin/jobs/{check}/").get_data(as_text=True)  # the page reloaded
    assert f'id="count-create">{ROWS}<' in page and 'id="import-confirm"' in page
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page)[1]

    confirm = job_id(client.post("/admin/import/confirm/", data={"token": token}))
    wait_for(client, confirm, lambda s: s["finished"] or (
        s["status"] == "running" and 0 < s["percent"] < 100))
    assert wait_for(client, confirm, lambda s: s["finished"])["status"] == "done"
    page = client.get(f"/admin/jobs/{confirm}/").get_data(as_text=True)
    assert f"{ROWS}" in page.split('id="job-result"')[1].split("</div>")[0]
    after = state(app)
    assert after[:3] == (before[0] + ROWS, before[1] + ROWS, before[2] + ROWS)
    # the job page is the user's who started it, and their role's; not a steward's
    assert as_role("steward1").get(f"/admin/jobs/{confirm}/").status_code == 403
    assert as_role("steward1").get(f"/admin/jobs/{confirm}/status.json").status_code == 403


def test_a_worker_killed_mid_import_leaves_nothing_and_the_job_can_be_retried(
        app, db, as_role, real_queue):
    worker = real_queue()
    client, before = as_role("admin"), state(app)
    check = job_id(upload(client, xlsx(good_rows(ROWS))))
    wait_for(client, check, lambda s: s["finished"])
    page = client.get(f"/admin/jobs/{check}/").get_data(as_text=True)
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page)[1]

    confirm = job_id(client.post("/admin/import/confirm/", data={"token": token}))
    # past the check, into the writing half: then the worker dies
    wait_for(client, confirm, lambda s: s["status"] == "running" and s["percent"] >= 55)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    failed = wait_for(client, confirm, lambda s: s["finished"], timeout=60)
    assert failed["status"] == "failed"
    assert state(app) == before  # nothing of the import stayed
    page = client.get(f"/admin/jobs/{confirm}/?lang=en").get_data(as_text=True)
    assert "worker stopped" in page and 'id="job-retry"' in page

    real_queue()
    response = client.post(f"/admin/jobs/{confirm}/retry/")
    assert response.status_code == 302
    assert wait_for(client, confirm, lambda s: s["finished"])["status"] == "done"
    assert state(app)[:3] == (before[0] + ROWS, before[1] + ROWS, before[2] + ROWS)
    with app.app_context():
        job = database.session.get(Job, confirm)
        assert (job.status, job.attempts) == ("done", 2)
    # a finished job is not retried again
    client.post(f"/admin/jobs/{confirm}/retry/")
    with app.app_context():
        assert database.session.scalar(sa.select(Job.status).where(Job.id == confirm)) == "done"


def test_a_large_export_runs_as_a_job_with_the_users_own_rows_and_masks(
        app, db, as_role, monkeypatch):
    """An export bigger than EXPORT_INLINE_ROWS is made by a job, as the user who asked:
    the same rows (their scope) and masks as the list; the file is theirs alone."""
    monkeypatch.setitem(app.config, "EXPORT_INLINE_ROWS", 10)
    admin = as_role("admin")
    job = job_id(admin.get("/admin/owner/export/csv/"))
    page = admin.get(f"/admin/jobs/{job}/").get_data(as_text=True)
    assert 'id="job-download"' in page
    admin_file = admin.get(f"/admin/jobs/{job}/download").get_data(as_text=True)
    with app.app_context():
        from models import Owner

        owners = database.session.scalar(sa.select(sa.func.count(Owner.id)))
    assert len(admin_file.strip().splitlines()) == owners + 1
    supervisor = as_role("supervisor1")
    theirs = job_id(supervisor.get("/admin/owner/export/csv/"))
    lines = supervisor.get(f"/admin/jobs/{theirs}/download").get_data(as_text=True)
    lines = lines.strip().splitlines()
    assert 1 < len(lines) < owners + 1  # their team's owners only
    assert "****" in "\n".join(lines)  # phones masked for a supervisor, as in the list
    assert supervisor.get(f"/admin/jobs/{job}/download").status_code == 403
    # small exports still download at once
    monkeypatch.setitem(app.config, "EXPORT_INLINE_ROWS", 100_000)
    assert admin.get("/admin/owner/export/csv/").status_code == 200


def test_the_company_month_and_year_runs_are_jobs_with_a_record(app, db):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["month-run", "--period", "2026-13"])
    assert bad.exit_code == 1 and "A month is written like 2026-11." in bad.output
    done = runner.invoke(args=["year-run", "--year", "2026"])
    assert done.exit_code == 0, done.output
    with app.app_context():
        from models import AnnualAssessment

        jobs = database.session.execute(sa.select(Job.kind, Job.status).order_by(Job.id)).all()
        drafts = database.session.scalar(sa.select(sa.func.count(AnnualAssessment.id)).where(
            AnnualAssessment.year == 2026))
    assert [tuple(j) for j in jobs] == [("month_run", "failed"), ("year_run", "done")]
    assert drafts == 6 and '"teams": 2' in done.output and '"rescored": 6' in done.output


def test_a_users_own_job_stays_listed_behind_many_of_others(app, db, as_role):
    """The recent-jobs list keeps to the jobs the user may see before it keeps the newest:
    a steward's export is listed however many bill runs were started after it."""
    with app.app_context():
        database.session.add(Job(kind="export", status="done", started_by="steward1",
                                 params="{}"))
        database.session.add_all([Job(kind="bill_run", status="done", started_by="admin",
                                      params="{}") for _ in range(250)])
        database.session.commit()
        own = database.session.scalar(sa.select(Job.id).where(Job.started_by == "steward1"))
    page = as_role("steward1").get("/admin/jobs/").get_data(as_text=True)
    assert f'job_id={own}' in page or f"/admin/jobs/{own}/" in page
    assert "/admin/jobs/2/" not in page  # the admin's bill runs are not the steward's
