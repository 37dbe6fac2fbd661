"""Login accounts: the generated view plus a password field that is hashed, never stored.
A new password ends every session of the account (User.set_password)."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from wtforms import PasswordField, ValidationError, validators

from rules.accounts import PASSWORD_MAX_LENGTH, password_problems

from .generated import EntityView


def _acceptable_password(form, field) -> None:
    if not field.data:
        return
    problems = password_problems(field.data, form.username.data or "",
                                 current_app.config["PASSWORD_MIN_LENGTH"])
    if problems:
        raise ValidationError(" ".join(gettext(m, **p) for m, p in problems))


class AccountView(EntityView):
    form_extra_fields = {
        "password": PasswordField(
            _l("Password"),
            validators=[validators.Optional(), validators.Length(max=PASSWORD_MAX_LENGTH),
                        _acceptable_password],
            description=_l("Leave empty to keep the current password."),
        )
    }

    def create_form(self, obj=None):
        form = super().create_form(obj)
        form.password.validators = [validators.InputRequired(), _acceptable_password]
        return form

    def on_model_change(self, form, model, is_created):
        if form.password.data:
            model.set_password(form.password.data)
        super().on_model_change(form, model, is_created)

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        if form.password.data and model.id == current_user.id:
            login_user(model)  # the admin's own session goes on with the new token
