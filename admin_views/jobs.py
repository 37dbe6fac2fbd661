"""A job's page (progress bar, result, errors, retry), its JSON status for the bar, and the
admin's list of scheduled jobs. Who may look: the user who started the job, and anyone whose
role may start that kind of job (access.py)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, request, send_file, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext
from flask_login import current_user

from extensions import db
from jobs import exports, kinds, runner, schedule
from models import Job, ScheduleRun
from models.base import utcnow
from rules.refusal import N_, Refused
from services import uploads

from .generated import refusal_text

# The words of a scheduled job's result (jobs/schedule.py, jobs/scheduled.py).
RESULT_WORDS = {
    "slot": N_("slot"), "period": N_("month"), "day": N_("day"), "created": N_("created"),
    "existing": N_("already there"), "standards": N_("fee standards"),
    "without_owner": N_("without a primary owner"), "overdue": N_("overdue"),
    "due_soon": N_("due soon"), "due": N_("due"), "missing": N_("missing"),
    "notices": N_("notices"), "teams": N_("teams"), "rescored": N_("rescored"),
    "confirmed": N_("confirmed, left as they were"), "deleted": N_("deleted"),
    "stale": N_("stalled, marked failed"), "forgotten": N_("checks that forgot their rows"),
    "error": N_("failed; nothing of it was saved"),
}
STATUS = {"queued": N_("Waiting for the worker"), "running": N_("Running"), "done": N_("Done"),
          "failed": N_("Failed")}


def schedule_words(cron) -> str:
    """When a schedule runs, in words (company time)."""
    if cron.day == "*" and cron.hour == "*":
        return gettext("Every minute") if cron.minute == "*" else gettext(
            "Every hour at minute %(minute)s", minute=cron.minute)
    at = f"{int(cron.hour):02d}:{int(cron.minute):02d}"
    if cron.day == "*":
        return gettext("Daily at %(time)s", time=at)
    return gettext("On day %(day)s of each month at %(time)s", day=cron.day, time=at)


def result_words(result: str | None) -> str:
    """A scheduled job's last result, in words."""
    if not result:
        return ""
    found = json.loads(result)
    return "; ".join(f"{gettext(RESULT_WORDS[key]) if key in RESULT_WORDS else key}: "
                     f"{'' if value is True else value}".rstrip(": ")
                     for key, value in found.items())


def job_url(job: Job) -> str:
    return url_for("jobs.show", job_id=job.id)


def error_text(job: Job) -> str:
    if not job.error:
        return ""
    error = json.loads(job.error)
    return refusal_text(Refused(error["message"], **error.get("params", {})))


class JobView(BaseView):
    """Pages of jobs: each work page links to the job it started; the admin's menu has the
    list of scheduled jobs and recent jobs."""

    def is_visible(self) -> bool:
        return current_user.is_authenticated and current_user.role == "admin"

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path))

    def _job(self, job_id: int) -> Job:
        job = db.session.get(Job, job_id)
        if job is None:
            abort(404)
        if not runner.may_see(job, current_user.username, current_user.role):
            abort(403)
        return runner.settle(db.session, job)

    @expose("/")
    def index(self):
        """Scheduled jobs (admin) with last run, next run and result; recent jobs the user
        may see."""
        recent = db.session.scalars(sa.select(Job).where(
            runner.visible_to(current_user.username, current_user.role))
            .order_by(Job.id.desc()).limit(50)).all()
        planned = []
        if current_user.role == "admin":
            runs = {row.name: row for row in db.session.scalars(sa.select(ScheduleRun))}
            for item in schedule.SCHEDULES.values():
                row = runs.get(item.name)
                planned.append({
                    "name": item.name, "title": gettext(item.title),
                    "cron": str(item.cron), "when": schedule_words(item.cron),
                    "last": row.last_run_at if row else None,
                    "result": result_words(row.last_result if row else None),
                    "next": schedule.next_run(item)})
        return self.render("admin/jobs/index.html", planned=planned, recent=recent,
                           titles={name: k.title for name, k in runner.KINDS.items()},
                           statuses=STATUS)

    @expose("/<int:job_id>/")
    def show(self, job_id):
        job = self._job(job_id)
        found = runner.KINDS[job.kind]
        result = json.loads(job.result) if job.result else {}
        rows = kinds.plan_rows(result.get("rows", [])) if job.kind == "import_check" else []
        # a check offers the file's confirm, discard and error report while the file is kept
        kept = job.kind == "import_check" and uploads.kept(result.get("token", ""),
                                                           utcnow()) is not None
        return self.render(
            "admin/jobs/job.html", job=job, state=runner.status(job), result=result,
            rows=rows, title=gettext(found.title), result_page=found.result_page, kept=kept,
            status_text=gettext(STATUS[job.status]), error=error_text(job),
            retryable=job.error is not None and json.loads(job.error)["message"] in (
                runner.STOPPED, runner.FAILED, runner.CLASHED, runner.BROKE_A_RULE),
            reason=lambda m, p: gettext(m, **p), shown=kinds.SHOWN_ROWS)

    @expose("/<int:job_id>/status.json")
    def status(self, job_id):
        return jsonify(runner.status(self._job(job_id)))

    @expose("/<int:job_id>/download")
    def download(self, job_id):
        """The file an export job made."""
        job = self._job(job_id)
        if job.kind != "export" or job.status != "done":
            abort(404)
        result = json.loads(job.result)
        path = exports.stored(result)
        if path is None:
            abort(404)
        return send_file(path, mimetype=exports.TYPES[result["type"]], as_attachment=True,
                         download_name=result["name"])

    @expose("/<int:job_id>/retry/", methods=("POST",))
    def retry(self, job_id):
        job = self._job(job_id)
        found = runner.KINDS.get(job.kind)
        if found is None or not found.may_start(current_user.role):
            abort(403)
        if not runner.retry(db.session, job):
            flash(gettext("Only a failed job can be retried."), "error")
        return redirect(url_for(".show", job_id=job.id))
