"""Training results: the exam form offers the current onboarding session first (P-TRN-2)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import request

from extensions import db
from models import TrainingProgram, TrainingSession
from models.queries import company_today
from rules.staffing import ONBOARDING_RUNS_DAYS, current_onboarding_session

from .generated import EntityView


def current_session_id() -> int | None:
    """The onboarding session in progress, else the nearest one to come
    (rules.staffing.current_onboarding_session)."""
    today = company_today()
    starts = db.session.execute(
        sa.select(TrainingSession.id, TrainingSession.starts_on)
        .join(TrainingSession.program)
        .where(TrainingProgram.kind == "onboarding",
               TrainingSession.starts_on > today - timedelta(days=ONBOARDING_RUNS_DAYS))
        .order_by(TrainingSession.starts_on).limit(200)).all()
    return current_onboarding_session(starts, today)


class TrainingResultView(EntityView):
    """An exam or attendance: HR records most of them for the onboarding session running,
    so it comes first in the session select and is chosen on a new form."""

    def create_form(self, obj=None):
        form = super().create_form(obj)
        field = form._fields.get("session")
        current = current_session_id() if field is not None else None
        if current is None:
            return form
        field.query = field.query.order_by(
            sa.case((TrainingSession.id == current, 0), else_=1),
            TrainingSession.starts_on.desc(), TrainingSession.id.desc())
        if request.method == "GET" and field.data is None:
            field.data = db.session.get(TrainingSession, current)
        return form
