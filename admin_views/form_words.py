"""What an empty picker says: the thing to choose, by its label ("请选择房屋", "请选择项目"),
instead of Flask-Admin's "Please select model" (请选择模型) on a searched picker and the bare
"__None" WTForms 3.3 writes for the empty choice of a plain one."""

from __future__ import annotations

from flask_admin.contrib.sqla.fields import QuerySelectField
from flask_admin.form import Select2Field
from flask_admin.model.fields import AjaxSelectField
from flask_babel import gettext


def choose(field) -> str:
    return gettext("Choose %(what)s", what=field.label.text)


def word_blank_choices(form) -> None:
    """Each optional picker's empty choice, and each searched picker's prompt, names what
    is to be chosen."""
    for field in form:
        if isinstance(field, AjaxSelectField):
            field.render_kw = {**(field.render_kw or {}), "data-placeholder": choose(field)}
        elif isinstance(field, QuerySelectField | Select2Field) and field.allow_blank:
            field.blank_text = choose(field)


class PickerWords:
    """Mixed into a model view: its create and edit forms' pickers say what they pick."""

    def create_form(self, obj=None):
        form = super().create_form(obj)
        word_blank_choices(form)
        return form

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        word_blank_choices(form)
        return form
