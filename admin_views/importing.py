"""The import workbench page: upload → dry run (a job) → confirm (a job) → done, with the
error report, a template to start from, and undo of a whole import."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext
from flask_login import current_user

from access import ENTITIES
from extensions import db
from jobs import kinds, runner
from models import ImportBatch, Job
from models.base import utcnow
from services import importing, uploads

from .generated import REFUSALS, refusal_text
from .jobs import job_url

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportView(BaseView):
    """Owners, units and ownerships from a spreadsheet (admin: creates all three)."""

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and all(
            ENTITIES[name].grant(current_user.role).allows("C")
            for name in ("owner", "unit", "ownership"))

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)

    @expose("/", methods=("GET", "POST"))
    def index(self):
        if request.method == "POST":
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                flash(gettext("Choose a file to upload."), "error")
                return redirect(url_for(".index"))
            token = uploads.store(upload.read(), upload.filename)
            job = runner.start(db.session, "import_check", {"token": token},
                               current_user.username, current_user.role)
            return redirect(job_url(job))
        batches = db.session.scalars(sa.select(ImportBatch).order_by(
            ImportBatch.id.desc()).limit(20)).all()
        return self.render("admin/work/import.html", batches=batches)

    @expose("/confirm/", methods=("POST",))
    def confirm(self):
        token = request.form.get("token", "")
        if not uploads.TOKEN.match(token):
            abort(404)
        job = runner.start(db.session, "import_confirm", {"token": token},
                           current_user.username, current_user.role)
        return redirect(job_url(job))

    @expose("/abandon/", methods=("POST",))
    def abandon(self):
        token = request.form.get("token", "")
        if uploads.TOKEN.match(token):
            uploads.discard(token)
            kinds.forget_rows(db.session, token)
            db.session.commit()
        flash(gettext("The uploaded file is deleted; nothing was imported."), "info")
        return redirect(url_for(".index"))

    @expose("/errors/<token>.xlsx")
    def errors(self, token):
        """The error report of the file's latest check."""
        if not uploads.TOKEN.match(token):
            abort(404)
        if uploads.kept(token, utcnow()) is None:  # kept no longer than its upload
            flash(gettext("The uploaded file is no longer kept. Upload it again."), "error")
            return redirect(url_for(".index"))
        job = db.session.scalar(sa.select(Job).where(
            Job.kind == "import_check", Job.status == "done", Job.params.contains(token))
            .order_by(Job.id.desc()))
        if job is None or not runner.may_see(job, current_user.username, current_user.role):
            abort(404)
        found = importing.Plan(kinds.plan_rows(json.loads(job.result)["errors"]))
        return Response(importing.error_report(found, gettext), mimetype=XLSX, headers={
            "Content-Disposition": "attachment; filename=import-errors.xlsx"})

    @expose("/template.xlsx")
    def template(self):
        return Response(importing.template(gettext), mimetype=XLSX, headers={
            "Content-Disposition": "attachment; filename=import-template.xlsx"})

    @expose("/undo/<int:batch_id>/", methods=("POST",))
    def undo(self, batch_id):
        batch = db.session.get(ImportBatch, batch_id)
        if batch is None:
            abort(404)
        try:
            count = importing.undo(db.session, batch, current_user.username)
            db.session.commit()
        except REFUSALS as refusal:
            db.session.rollback()
            flash(refusal_text(refusal), "error")
        else:
            flash(gettext("Import undone: %(n)s changes reversed.", n=count), "success")
        return redirect(url_for(".index"))
