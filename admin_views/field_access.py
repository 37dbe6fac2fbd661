"""Field-level write permission in the generated views.

A role writes only the fields the access declaration gives it (access.FIELD_WRITERS), and no
field a rule has fixed on this row (an accepted ticket's intake, rules/corrections.py). Such
fields leave the create and edit forms and are shown above them, read-only; a posted value
for one of them — in a form or through inline edit — is refused with the reason and nothing
is saved, never silently written.
"""

from __future__ import annotations

from flask import flash, request
from flask_babel import gettext

from .context import current_role

# Posted names that are no field of the record.
NOT_FIELDS = frozenset({"csrf_token", "seen_version", "list_form_pk", "_continue_editing",
                        "_add_another", "url"})


class FieldWrites:
    """Mixed into EntityView: which fields the signed-in role may write on a row, and the
    forms and inline edit following it."""

    def write_refusal(self, obj, name: str) -> str | None:
        """Why the signed-in role may not write field `name` of `obj` (None for a new
        record), or None when it may."""
        if not self.entity.may_write(current_role(), name):
            return gettext("Your role does not write %(field)s here.",
                           field=str(self.column_labels.get(name, name)))
        return None

    def is_editable(self, name: str) -> bool:
        # the list offers inline editing only of fields the role writes
        return super().is_editable(name) and self.entity.may_write(current_role(), name)

    def lock_fields(self, form, obj=None):
        """Take out of `form` the fields the role may not write on `obj`, keeping them to
        show read-only and to refuse when posted anyway."""
        form.read_only, form.locked = [], {}
        for field in list(form):
            if field.name in NOT_FIELDS:
                continue
            reason = self.write_refusal(obj, field.name)
            if reason is None:
                continue
            form.read_only.append((field.label.text, _shown(field)))
            form.locked[field.name] = reason
            del form[field.name]
        return form

    def refuse_locked_posts(self, form) -> bool:
        """False, with the reasons shown, when the request posts a locked field."""
        reasons = [reason for name, reason in getattr(form, "locked", {}).items()
                   if name in request.form]
        for reason in dict.fromkeys(reasons):
            flash(reason, "error")
        return not reasons

    def inline_refusal(self, row) -> str | None:
        """Why an inline edit of `row` may not be saved: a posted field the role does not
        write on it."""
        for name in request.form:
            if name not in NOT_FIELDS:
                reason = self.write_refusal(row, name)
                if reason is not None:
                    return reason
        return None


def _shown(field) -> str:
    """A form field's current value as text, for a read-only display."""
    if field.type == "BooleanField":
        return gettext("Yes") if field.data else gettext("No")
    if hasattr(field, "query") or field.type in ("AjaxSelectField", "Select2Field"):
        data = field.data
        if field.type == "Select2Field":
            return str(dict(field.choices or []).get(data, data or ""))
        return "" if data is None else str(data)
    return field._value() or ""
