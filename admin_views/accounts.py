"""Login accounts: the generated view plus a password field that is hashed, never stored.
A new password ends every session of the account (User.set_password)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from wtforms import PasswordField, validators

from .auth import acceptable_password
from .generated import EntityView

_acceptable_password = acceptable_password(lambda form: form.username.data or "")


class AccountView(EntityView):
    form_extra_fields = {
        "password": PasswordField(
            _l("Password"),
            validators=[validators.Optional(), _acceptable_password],
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
