"""Move-in, renovation and move-out procedures (P-COORD-3): the steps page, where each step of
the procedure's checklist is marked done with a note (or undone while it is open) and the
procedure is completed — changing its unit and ownership — or cancelled."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from extensions import db
from models.property import UNIT_USAGE
from models.service import PROCEDURE_KIND, PROCEDURE_STATUS
from rules import procedures
from services import procedures as service

from .generated import EntityView, as_id

# Fields the procedure's steps follow from: chosen when it is opened, then fixed.
FIXED_FIELDS = ("kind", "unit", "started_on")
TONES = {"open": "info", "completed": "success", "cancelled": "secondary"}


def _kind_formatter(view, context, model, name):
    return Markup('<a href="{}">{}</a>').format(url_for(".step_view", id=model.id),
                                                PROCEDURE_KIND.label(model.kind))


class ProcedureView(EntityView):
    """Procedures of the user's units; their steps are worked on the steps page."""

    work_page = ("step_view", _l("Steps"))
    endpoint_letters = {"step_view": "R"}

    def __init__(self, entity, **declared):
        declared["column_formatters"] = {**declared.get("column_formatters", {}),
                                         "kind": _kind_formatter}
        super().__init__(entity, **declared)

    def write_refusal(self, obj, name):
        if obj is not None and name in FIXED_FIELDS:
            return gettext("A procedure's kind, unit and start date are fixed once it is "
                           "opened: its steps follow from them. Cancel it and open another.")
        return super().write_refusal(obj, name)

    # ---- the steps page ---------------------------------------------------------------------
    @expose("/step/", methods=("GET", "POST"))
    def step_view(self):
        procedure = self.get_one(request.args.get("id"))
        if procedure is None:
            abort(404)
        if request.method == "GET":
            return self._render(procedure, {})
        if not self.allows("U"):
            abort(403)
        operation = request.form.get("op", "")
        if operation in ("done", "undo"):
            step = next((s for s in procedure.steps
                         if s.id == as_id(request.form.get("step"))), None)
            if step is None:
                abort(404)
            name = step.name
            if operation == "done":
                saved = self.commit_or_refuse(lambda: service.mark_done(
                    db.session, step, current_user.staff, request.form.get("note")))
                done = gettext("Step “%(step)s” is done.", step=name)
            else:
                saved = self.commit_or_refuse(lambda: service.undo(db.session, step))
                done = gettext("Step “%(step)s” is to do again.", step=name)
        elif operation == "complete":
            changes = []
            saved = self.commit_or_refuse(
                lambda: changes.append(service.complete(db.session, procedure)))
            done = gettext("The procedure is completed.")
            if saved:
                procedure = self.get_one(procedure.id)
                done = " ".join([done, *self._changes_done(procedure, changes[0])])
        elif operation == "cancel":
            saved = self.commit_or_refuse(lambda: service.cancel(db.session, procedure))
            done = gettext("The procedure is cancelled.")
        else:
            abort(400)
        if not saved:
            return self._render(self.get_one(procedure.id), request.form), 200
        flash(done, "success")
        return redirect(url_for(".step_view", id=procedure.id))

    def _changes_done(self, procedure, change: procedures.Completion) -> list[str]:
        """What a completion changed, in words."""
        unit, owner = str(procedure.unit), str(procedure.owner or "")
        said = []
        if change.usage is not None:
            said.append(gettext("%(unit)s is now %(usage)s.", unit=unit,
                                usage=UNIT_USAGE.label(change.usage)))
        if change.owner_joins:
            said.append(gettext("%(owner)s now owns %(unit)s.", owner=owner, unit=unit))
        if change.owner_leaves:
            said.append(gettext("%(owner)s no longer owns %(unit)s.", owner=owner, unit=unit))
        return said

    def _render(self, procedure, entered):
        open_ = procedure.status == procedures.OPEN
        preview = service.what_completion_changes(db.session, procedure) if open_ else None
        left = procedures.steps_left([(s.name, s.done_at is not None) for s in procedure.steps])
        return self.render(
            "admin/work/procedure.html", procedure=procedure, entered=entered,
            can_work=open_ and self.allows("U"), preview=preview, left=left,
            kind_label=PROCEDURE_KIND.label(procedure.kind),
            status_label=PROCEDURE_STATUS.label(procedure.status),
            tone=TONES.get(procedure.status, "secondary"), usage_label=UNIT_USAGE.label,
            return_url=self.get_url(".index_view"))
