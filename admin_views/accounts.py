"""Login accounts: the generated view plus a password field that is hashed, never stored."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, validators

from .generated import EntityView

PASSWORD_LENGTH = validators.Length(min=8, max=128)


class AccountView(EntityView):
    form_extra_fields = {
        "password": PasswordField(
            _l("Password"),
            validators=[validators.Optional(), PASSWORD_LENGTH],
            description=_l("Leave empty to keep the current password."),
        )
    }

    def create_form(self, obj=None):
        form = super().create_form(obj)
        form.password.validators = [validators.InputRequired(), PASSWORD_LENGTH]
        return form

    def on_model_change(self, form, model, is_created):
        if form.password.data:
            model.set_password(form.password.data)
        super().on_model_change(form, model, is_created)
