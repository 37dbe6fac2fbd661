"""What a create form fills in for the user, and what a record's page offers as buttons.

- A number the series gives (a ticket's code, a payment's receipt number) may be left empty
  on the create form: the flush gives the month's next one (models/numbering.py). A number
  typed in is kept when no other record has it.
- A field that records when something happened (declared per entity as `happened_fields`
  in admin_views/entities.py) starts at now, or today, in the company's calendar.
- A list action that concerns one record (HR's "Put on duty", "Confirm", "Reject") is also a
  button on that record's details and edit pages (`record_actions`): the same action, the
  same check of role and row, posted with the form's CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import request
from flask_babel import gettext
from wtforms import validators

from models.base import UTCDateTime, utcnow
from models.numbering import NUMBERED, numbered_column
from models.queries import company_today
from rules.numbering import SERIES


def now_to_the_minute() -> datetime:
    return utcnow().replace(second=0, microsecond=0)


class FormHelp:
    """Defaults and optional numbers on create forms; one-record action buttons."""

    # fields recording when something happened: a new record starts at now / today
    happened_fields: tuple[str, ...] = ()
    # (static script, endpoint it calls) a create form loads, e.g. the ticket's owner fill
    form_script: tuple[str, str] | None = None
    # (list action, whether a record can take it now): offered as buttons on the record
    record_actions: tuple[tuple[str, Callable], ...] = ()

    def create_form(self, obj=None):
        form = super().create_form(obj)
        self._number_optional(form)
        if request.method == "GET":
            self._happened_now(form)
        return form

    def _number_optional(self, form) -> None:
        name = numbered_column(self.model)
        if name is None or name not in form:
            return
        field = form[name]
        field.validators = [validators.Optional(), *(
            v for v in field.validators
            if not isinstance(v, validators.InputRequired | validators.DataRequired))]
        field.flags.required = False
        series = SERIES[NUMBERED[self.model][0]]
        field.description = gettext(
            "Leave empty for the month's next number (%(example)s); a number typed in is "
            "kept if no other record has it.", example=series.number(company_today(), 1))

    def _happened_now(self, form) -> None:
        columns = self.model.__table__.columns
        for name in self.happened_fields:
            if name not in form or form[name].data is not None:
                continue
            kind = columns[name].type
            if isinstance(kind, UTCDateTime):
                form[name].data = now_to_the_minute()
            elif isinstance(kind, sa.Date):
                form[name].data = company_today()

    # ---- one record's actions -------------------------------------------------------------
    def record_actions_for(self, model) -> list[tuple[str, str, str]]:
        """(action, label, confirmation) of the actions the user may take on `model` now."""
        offered = []
        for name, fits in self.record_actions:
            if model is None or not self.is_action_allowed(name) or not fits(model):
                continue
            _handler, label, confirmation = self._actions_data[name]
            offered.append((name, str(label), str(confirmation or "")))
        return offered

