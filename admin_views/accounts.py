"""Login accounts: the generated view plus a password field that is hashed, never stored."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, validators

from .generated import EntityView

MIN_PASSWORD = 8


class AccountView(EntityView):
    form_extra_fields = {
        "password": PasswordField(
            _l("Password"),
            validators=[validators.Optional(), validators.Length(min=MIN_PASSWORD, max=128)],
            description=_l("Leave empty to keep the current password."),
        )
    }

    def validate_form(self, form) -> bool:
        valid = super().validate_form(form)
        if "password" in form and request_is_create() and not form.password.data:
            form.password.errors = [
                *form.password.errors, gettext("A new account needs a password.")
            ]
            return False
        return valid

    def on_model_change(self, form, model, is_created):
        if getattr(form, "password", None) is not None and form.password.data:
            model.set_password(form.password.data)
        super().on_model_change(form, model, is_created)


def request_is_create() -> bool:
    from flask import request

    return request.endpoint is not None and request.endpoint.endswith("create_view")
