"""Helpers for tests that drive the generated views as a given user."""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa
from flask_admin.contrib.sqla.fields import QuerySelectField
from flask_admin.model.fields import AjaxSelectField
from flask_login import login_user

from access import ENTITIES
from admin_views.generated import EntityView, entity_url
from extensions import db
from models import User

# One demo account per role.
ACCOUNT = {"admin": "admin", "hr": "hr", "supervisor": "supervisor1", "steward": "steward1",
           "department": "engineer1"}

# New values for the unique keys when a test creates a copy of an existing record.
UNIQUE_OVERRIDES = {
    "project": {"code": "NEW1", "name": "新项目甲"},
    "building": {"name": "新楼"},
    "unit": {"number": "N999"},
    "owner": {"id_number": "", "name": "新业主"},
    # a co-owner: the unit's primary owner then is the one copied (P-OWN-1, one at a time)
    "ownership": {"since": "2030-01-01", "is_primary": ""},
    "ticket": {"code": "TNEW-0001"},
    # a copy of a visit made in a confirmed month would change its satisfaction: November's
    # assessments are drafts in the demo
    "return_visit": {"visited_at": "2026-11-19 10:00:00"},
    # the demo has each event's template for any channel (and one SMS variant): a copy is
    # the email variant
    "message_template": {"channel": "email"},
    "bill": {"period": "2031-01"},
    "payment": {"receipt_no": "RNEW000001"},
    "work_log": {"day": "2030-01-01"},
    "summary": {"period_start": "2030-01-01"},
    "staff": {"employee_no": "ENEW"},
    # a copy of a supervisor's past promotion: the next step up, still to come (P-CAR-1)
    "career_move": {"to_position": "manager", "effective_on": "2030-01-01"},
    "user": {"username": "newuser", "staff": "__None", "password": "matrix-pass-1"},
    "training_program": {"name": "新课程"},
    "training_result": {"attempt": "9"},
    "monthly_assessment": {"period": "2031-01"},
    "annual_assessment": {"year": "2030"},
    "external_body": {"name": "新单位"},
    # the demo keeps records of the four departments tickets go to; marketing has none yet
    "department": {"code": "marketing", "head": "__None"},
    "policy_setting": {"effective_from": "2030-01-01"},
}


def overrides(app, entity: str) -> dict:
    """UNIQUE_OVERRIDES, plus what a copy must change to be allowed at all: a payment goes
    on a bill that still has something to pay (a paid bill refuses more, P-FEE-1); a
    procedure names what its edit form leaves out."""
    found = dict(UNIQUE_OVERRIDES.get(entity, {}))
    if entity == "payment":
        from models import Bill

        with app.app_context():
            unpaid = db.session.scalar(sa.select(Bill.id).where(Bill.status == "unpaid")
                                       .order_by(Bill.id))
        found |= {"bill": str(unpaid), "amount": "1.00"}
    if entity == "procedure":
        # kind, unit and start date are fixed once opened, so not on the edit form a copy
        # starts from: those of steward1's first procedure (admin and steward1 create them)
        from models import Procedure, Unit

        with app.app_context():
            steward = db.session.scalar(sa.select(User.staff_id).where(
                User.username == ACCOUNT["steward"]))
            first = db.session.scalars(sa.select(Procedure).join(Procedure.unit).where(
                Unit.steward_id == steward).order_by(Procedure.id)).first()
            found |= {"kind": first.kind, "unit": str(first.unit_id),
                      "started_on": first.started_on.isoformat()}
    return found


def view_for(app, entity: str) -> EntityView:
    admin = app.extensions["admin"][0]
    return next(v for v in admin._views if getattr(v, "endpoint", None) == entity)


def url(entity: str, action: str = "") -> str:
    return entity_url(entity) + action


@contextmanager
def acting_as(app, username: str):
    """A request context, with an app context of its own, in which `username` is signed in."""
    with app.app_context(), app.test_request_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        login_user(user)
        yield user


def scoped_ids(app, entity: str, username: str) -> list[int]:
    view = view_for(app, entity)
    with acting_as(app, username):
        return [pk for (pk,) in view.get_query().with_entities(view.model.id).order_by(
            view.model.id)]


def all_ids(app, entity: str) -> list[int]:
    model = ENTITIES[entity].model
    with app.app_context():
        return list(db.session.scalars(sa.select(model.id).order_by(model.id)))


def row(app, entity: str, row_id: int) -> dict | None:
    """A record's column values, read fresh from the database; None when it is gone."""
    model = ENTITIES[entity].model
    with app.app_context():
        found = db.session.get(model, row_id)
        if found is None:
            return None
        return {c.key: getattr(found, c.key) for c in sa.inspect(model).column_attrs}


def form_data(app, entity: str, row_id: int, username: str) -> dict:
    """What the edit form of `row_id` would post back unchanged, as `username` sees it."""
    view = view_for(app, entity)
    with acting_as(app, username):
        row = db.session.get(view.model, row_id)
        form = view.edit_form(obj=row)
        data = {}
        for field in form:
            if field.type == "CSRFTokenField":
                continue
            if field.type == "BooleanField":
                if field.data:
                    data[field.name] = "y"
            elif isinstance(field, QuerySelectField | AjaxSelectField):
                data[field.name] = str(field.data.id) if field.data is not None else "__None"
            elif field.type == "Select2Field":
                data[field.name] = field.data if field.data is not None else "__None"
            else:
                data[field.name] = field._value() or ""
        return data


def editable_text_field(entity: str, role: str | None = None) -> str | None:
    """A free-text field any edit may change without breaking a rule (and, given a role,
    one the role writes)."""
    model = ENTITIES[entity].model
    for column in model.__table__.columns:
        if role is not None and not ENTITIES[entity].may_write(role, column.name):
            continue
        if (
            column.nullable
            and isinstance(column.type, sa.String | sa.Text)
            and not isinstance(column.type, sa.Enum)
            and not column.unique
            and not column.info
        ):
            return column.name
    return None


def count(app, entity: str) -> int:
    model = ENTITIES[entity].model
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def flashes(response) -> list[str]:
    """The flashed messages a page shows, as plain text."""
    import re

    text = response.get_data(as_text=True)
    found = re.findall(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', text, re.S)
    return [" ".join(re.sub(r"<[^>]+>|&times;|×", " ", f).split()) for f in found]


def one(app, model, **where):
    """The row of `model` matching `where` (None if there is none), detached for reading."""
    with app.app_context():
        found = db.session.scalars(sa.select(model).filter_by(**where)).one_or_none()
        if found is not None:
            db.session.expunge(found)
        return found


def finish_dispatched(session, ticket) -> None:
    """The departments' open parts of `ticket` taken and done by a member of each (P-TKT-3),
    so that the steward may resolve it."""
    from models import Staff
    from services import dispatch

    for work in dispatch.open_work(ticket):
        member = session.scalars(sa.select(User).join(Staff, Staff.id == User.staff_id).where(
            User.role == "department", Staff.department == work.department.code)
            .order_by(User.id)).first()
        if work.status == "waiting":
            dispatch.take(session, work, member)
        taker = session.scalar(sa.select(User).where(User.staff_id == work.taken_by_id))
        dispatch.finish(session, work, taker, "已处理完成")


@contextmanager
def counted_queries():
    """The SQL statements sent to the database while the block runs."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
