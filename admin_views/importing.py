"""The import workbench page: upload → dry run → confirm → done, with the error report, a
template to start from, and undo of a whole import."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext
from flask_login import current_user

from access import ENTITIES
from extensions import db
from models import ImportBatch
from models.base import utcnow
from rules.refusal import Refused
from services import importing, uploads

from .generated import REFUSALS, mask, refusal_text

SHOWN_ROWS = 300
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OUTCOMES = ("error", "create", "update", "unchanged")


def _stored(token: str) -> tuple[str, bytes]:
    """The uploaded file kept between the dry run and the confirmation (services/uploads)."""
    found = uploads.load(token, utcnow())
    if found is None:
        flash(gettext("The uploaded file is no longer kept. Upload it again."), "error")
        abort(redirect(url_for(".index")))
    return found


def _read(filename: str, content: bytes) -> list[dict[str, str]]:
    config = current_app.config
    return importing.read_rows(filename, content, importing.Limits(
        max_expanded_bytes=config["IMPORT_MAX_EXPANDED_MB"] * 1024 * 1024,
        max_cells=config["IMPORT_MAX_CELLS"]))


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
            content = upload.read()
            try:
                plan = importing.plan(db.session, _read(upload.filename, content))
            except Refused as refusal:
                flash(refusal_text(refusal), "error")
                return redirect(url_for(".index"))
            token = uploads.store(content, upload.filename)
            return self._render_plan(plan, token, upload.filename)
        batches = db.session.scalars(sa.select(ImportBatch).order_by(
            ImportBatch.id.desc()).limit(20)).all()
        return self.render("admin/work/import.html", batches=batches)

    def _render_plan(self, plan, token, filename):
        ordered = sorted(plan.rows, key=lambda r: (OUTCOMES.index(r.outcome), r.line))
        return self.render(
            "admin/work/import_plan.html", plan=plan, token=token, filename=filename,
            rows=ordered[:SHOWN_ROWS], counts={o: plan.count(o) for o in OUTCOMES},
            reason=lambda m, p: gettext(m, **p), shown=SHOWN_ROWS, mask=mask)

    @expose("/confirm/", methods=("POST",))
    def confirm(self):
        token = request.form.get("token", "")
        filename, content = _stored(token)
        try:
            plan = importing.plan(db.session, _read(filename, content))
            batch = importing.apply(db.session, plan, filename)
            db.session.commit()
        except REFUSALS as refusal:
            db.session.rollback()
            flash(refusal_text(refusal), "error")
            return redirect(url_for(".index"))
        uploads.discard(token)  # imported: the file is not needed any more
        flash(gettext("Imported %(file)s: %(created)s rows created, %(updated)s updated, "
                      "%(unchanged)s unchanged.", file=filename, created=batch.created,
                      updated=batch.updated, unchanged=batch.unchanged), "success")
        return redirect(url_for(".index"))

    @expose("/abandon/", methods=("POST",))
    def abandon(self):
        uploads.discard(request.form.get("token", ""))
        flash(gettext("The uploaded file is deleted; nothing was imported."), "info")
        return redirect(url_for(".index"))

    @expose("/errors/<token>.xlsx")
    def errors(self, token):
        filename, content = _stored(token)
        try:
            plan = importing.plan(db.session, _read(filename, content))
        except Refused as refusal:
            flash(refusal_text(refusal), "error")
            return redirect(url_for(".index"))
        return Response(importing.error_report(plan, gettext), mimetype=XLSX, headers={
            "Content-Disposition": "attachment; filename=import-errors.xlsx"})

    @expose("/template.xlsx")
    def template(self):
        return Response(importing.template(), mimetype=XLSX, headers={
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
