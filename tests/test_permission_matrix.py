"""The permission matrix, generated from the access declaration (access.py).

For every entity and role, every operation is tried through the real endpoints: what the
declaration allows succeeds, what it forbids answers 403 and leaves the database unchanged,
and a scoped role can reach no row outside its scope.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from access import ENTITIES, ROLES
from admin_views.labels import FIELD_LABELS

from .conftest import login
from .helpers import (
    ACCOUNT,
    all_ids,
    count,
    editable_text_field,
    form_data,
    overrides,
    row,
    scoped_ids,
    url,
    view_for,
)

CASES = [(entity, role) for entity in ENTITIES for role in ROLES]


def expect(allowed: bool) -> int:
    return 200 if allowed else 403


@pytest.mark.parametrize(("entity", "role"), CASES, ids=[f"{e}-{r}" for e, r in CASES])
def test_permission_matrix(app, db, entity, role):
    grant = ENTITIES[entity].grant(role)
    may = {letter: grant.allows(letter) for letter in "CRUDE"}
    username = ACCOUNT[role]
    client = login(app.test_client(), username)
    everything = all_ids(app, entity)
    visible = scoped_ids(app, entity, username) if may["R"] else []
    # a row to act on: one of the role's own, or any row when the role may not read at all
    sample = _sample(app, entity, visible if may["R"] else everything,
                     changes=may["U"] or may["D"])

    # every case acts on a real row: without one, the edit and delete checks would pass unseen
    assert sample is not None, f"no {entity} row for {username} to act on: add one to the demo"

    assert client.get(url(entity)).status_code == expect(may["R"])
    assert client.get(url(entity, "export/csv/")).status_code == expect(may["E"])
    assert client.get(url(entity, "new/")).status_code == expect(may["C"])
    assert client.get(url(entity, f"details/?id={sample}")).status_code == expect(may["R"])
    assert client.get(url(entity, f"edit/?id={sample}")).status_code == expect(may["U"])

    source = username if may["R"] else "admin"
    data = form_data(app, entity, sample, source) | overrides(app, entity)
    text_field = editable_text_field(entity, role)

    # create
    before = count(app, entity)
    response = client.post(url(entity, "new/"), data=data)
    if may["C"]:
        assert response.status_code == 302, _flashes(client, response)
        assert count(app, entity) == before + 1
        created = max(all_ids(app, entity))
    else:
        assert response.status_code == 403
        assert count(app, entity) == before
        created = None

    # edit: the new row if there is one, else an existing in-scope row
    target = created or sample
    version = row(app, entity, target).get("version")
    edited = form_data(app, entity, target, source)
    if text_field and text_field in edited:
        edited[text_field] = "矩阵测试"
    response = client.post(url(entity, f"edit/?id={target}"), data=edited)
    if may["U"]:
        assert response.status_code == 302, _flashes(client, response)
        if text_field and text_field in edited:
            assert row(app, entity, target)[text_field] == "矩阵测试"
    else:
        assert response.status_code == 403
        assert row(app, entity, target).get("version") == version

    # inline (ajax) edit of the first editable list column
    view = view_for(app, entity)
    editable = list(view.column_editable_list or [])
    if editable:
        column = editable[0]
        value = _another_choice(view, column, row(app, entity, target)[column])
        current = row(app, entity, target).get("version")  # what the list page gave
        response = client.post(
            url(entity, "ajax/update/"),
            data={"list_form_pk": f"{target}:{current}", column: value},
        )
        assert response.status_code == expect(may["U"]), response.data
        assert (row(app, entity, target)[column] == value) == may["U"]
    else:
        response = client.post(url(entity, "ajax/update/"), data={"list_form_pk": str(target)})
        assert response.status_code in ((404,) if may["U"] else (403,))

    # delete through the row button, then through the list action
    response = client.post(url(entity, "delete/"), data={"id": str(target)})
    if may["D"]:
        assert response.status_code == 302
        assert row(app, entity, target) is None, _flashes(client, response)
        client.post(url(entity, "new/"), data=data)
        target = max(all_ids(app, entity))
    else:
        assert response.status_code == 403
        assert row(app, entity, target) is not None
    response = client.post(url(entity, "action/"), data={"action": "delete", "rowid": str(target)})
    assert response.status_code == (302 if may["D"] else 403)
    assert (row(app, entity, target) is None) == may["D"]


def _sample(app, entity: str, ids: list[int], changes: bool) -> int | None:
    """A row to act on; for a role that changes assessments a draft, as confirmed ones are
    frozen (P-ASM-1)."""
    if changes and entity in ("monthly_assessment", "annual_assessment"):
        ids = [pk for pk in ids if row(app, entity, pk)["status"] == "draft"]
    return ids[0] if ids else None


SCOPED = [
    (entity, role)
    for entity, access in ENTITIES.items()
    for role, grant in access.grants.items()
    if grant.scope != "all" and grant.letters
]


@pytest.mark.parametrize(("entity", "role"), SCOPED, ids=[f"{e}-{r}" for e, r in SCOPED])
def test_rows_outside_the_scope_cannot_be_reached(app, db, entity, role):
    """A steward or supervisor opening, editing, deleting or exporting another steward's row
    is refused; lists and exports show only in-scope rows."""
    username = ACCOUNT[role]
    grant = ENTITIES[entity].grant(role)
    client = login(app.test_client(), username)
    visible = set(scoped_ids(app, entity, username))
    outside = [pk for pk in all_ids(app, entity) if pk not in visible]
    assert outside, f"the demo data has no {entity} outside {username}'s scope"
    foreign = outside[0]

    assert client.get(url(entity, f"details/?id={foreign}")).status_code == 403
    assert client.get(url(entity, f"edit/?id={foreign}")).status_code == 403
    if grant.allows("U"):
        before = row(app, entity, foreign)["version"]
        data = form_data(app, entity, foreign, "admin")
        assert client.post(url(entity, f"edit/?id={foreign}"), data=data).status_code == 403
        assert row(app, entity, foreign)["version"] == before
    assert client.post(url(entity, "delete/"), data={"id": str(foreign)}).status_code == 403
    assert row(app, entity, foreign) is not None

    page = client.get(url(entity, "?page_size=100")).get_data(as_text=True)
    listed = {int(pk) for pk in re.findall(r'name="rowid" value="(\d+)"', page)}
    shown = set(re.findall(r"details/\?id=(\d+)", page)) | {str(p) for p in listed}
    assert {int(pk) for pk in shown} <= visible

    if grant.allows("E"):
        exported = client.get(url(entity, "export/csv/")).get_data(as_text=True)
        rows = list(csv.reader(io.StringIO(exported)))
        assert len(rows) - 1 == len(visible)


def test_a_steward_cannot_save_a_row_into_another_stewards_scope(app, db):
    """Changing a ticket's steward to someone else is refused: the row would leave the scope."""
    from models import Staff

    client = login(app.test_client(), "steward1")
    mine = scoped_ids(app, "ticket", "steward1")[0]
    with app.app_context():
        other = db.session.scalar(sa.select(Staff.id).where(Staff.employee_no == "E102"))
    before = row(app, "ticket", mine)
    data = form_data(app, "ticket", mine, "admin") | {"steward": str(other)}
    response = client.post(url("ticket", f"edit/?id={mine}"), data=data)
    assert response.status_code == 200  # the form again, saying why
    page = response.get_data(as_text=True)
    field = re.search(r'name="steward".*?(?=<div class="form-group|</form>)', page, re.S)
    assert field and "请从可选记录中选择。" in field.group(0), _flashes(client, response)
    assert row(app, "ticket", mine) == before


# ---- field-level write permission (access.FIELD_WRITERS) -----------------------------------
def _settable(entity: str, field: str) -> bool:
    column = ENTITIES[entity].model.__table__.columns.get(field)
    return column is not None and (isinstance(column.type, sa.String | sa.Text | sa.Date)
                                   or "choices" in column.info)


FIELD_CASES = [
    (entity, role, field)
    for entity, access in ENTITIES.items() if access.writes is not None
    for role in ROLES if access.grant(role).allows("C") or access.grant(role).allows("U")
    for field in sorted(set().union(*access.writes.values()))
    if _settable(entity, field)
]


def _chinese(app, text) -> str:
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("zh_Hans_CN"):
        return str(text)


def _new_value(app, entity: str, field: str, current):
    column = ENTITIES[entity].model.__table__.columns[field]
    if "choices" in column.info:
        return _another_choice(view_for(app, entity), field, current)
    if isinstance(column.type, sa.Date):
        return "2030-02-02"
    return "字段权限测试"


@pytest.mark.parametrize(("entity", "role", "field"), FIELD_CASES,
                         ids=[f"{e}.{f}-{r}" for e, r, f in FIELD_CASES])
def test_a_role_writes_only_the_fields_the_declaration_gives_it(app, db, entity, role, field):
    """Edit form, create form and inline edit: a field the role writes is saved; a field it
    does not write is not on its form, and posting it anyway is refused with the reason,
    saving nothing (issue 17, item 7)."""
    access = ENTITIES[entity]
    writes = access.may_write(role, field)
    username = ACCOUNT[role]
    client = login(app.test_client(), username)
    sample = _sample(app, entity, scoped_ids(app, entity, username), changes=True)
    assert sample is not None
    page = client.get(url(entity, f"edit/?id={sample}" if access.grant(role).allows("U")
                          else "new/")).get_data(as_text=True)
    assert (f'name="{field}"' in page) == writes

    before = row(app, entity, sample)
    value = _new_value(app, entity, field, before[field])
    if access.grant(role).allows("U"):
        data = form_data(app, entity, sample, username) | {field: value}
        response = client.post(url(entity, f"edit/?id={sample}"), data=data)
        if writes:
            assert response.status_code == 302, _flashes(client, response)
            assert str(row(app, entity, sample)[field]) == value
        else:
            assert response.status_code == 200
            assert f"您的角色不能在此填写“{_chinese(app, FIELD_LABELS[field])}”。" in (
                response.get_data(as_text=True)), _flashes(client, response)
            assert row(app, entity, sample) == before
            response = client.post(url(entity, "ajax/update/"),
                                   data={"list_form_pk": str(sample), field: value})
            assert response.status_code == 403
            assert row(app, entity, sample) == before
    if access.grant(role).allows("C") and not writes:
        data = form_data(app, entity, sample, username) | overrides(app, entity)
        total = count(app, entity)
        response = client.post(url(entity, "new/"), data=data | {field: value})
        assert response.status_code == 200
        assert f"您的角色不能在此填写“{_chinese(app, FIELD_LABELS[field])}”。" in (
            response.get_data(as_text=True)), _flashes(client, response)
        assert count(app, entity) == total
        # the same form without the field is saved: the refusal was the field's
        assert client.post(url(entity, "new/"), data=data).status_code == 302
        assert count(app, entity) == total + 1


def test_the_declaration_separates_the_stewards_text_from_the_supervisors_comment():
    """A steward writes their own log and summary text, not the comment on it; a supervisor
    writes the comment, not the steward's text (P-LOG-1 daily log, P-LOG-2 summaries
    reported to the superior)."""
    for entity in ("work_log", "summary"):
        access = ENTITIES[entity]
        assert access.may_write("supervisor", "supervisor_comment")
        assert not access.may_write("steward", "supervisor_comment")
        # (the figures a summary keeps are counted from the records, nobody's text)
        text = [c.name for c in access.model.__table__.columns
                if isinstance(c.type, sa.Text) and c.name != "supervisor_comment"
                and not c.info.get("derived")]
        assert text and all(access.may_write("steward", name) for name in text)
        assert not any(access.may_write("supervisor", name) for name in text)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for entity in ENTITIES:
        response = client.get(url(entity))
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    response = client.post(url("project", "new/"), data={"code": "X", "name": "X"})
    assert response.status_code == 302


def _another_choice(view, column, current):
    choices = [value for value, _label in view.form_choices[column]]
    return next(value for value in choices if value != current)


def _flashes(client, response) -> str:
    text = response.get_data(as_text=True)
    found = re.findall(r'class="alert[^"]*"[^>]*>(.*?)</div>', text, re.S)
    errors = re.findall(
        r'class="[^"]*(?:invalid-feedback|help-block)[^"]*"[^>]*>(.*?)<', text, re.S
    )
    return f"status {response.status_code}; flashes {found}; errors {errors}"


def _work_pages():
    """Every page a view adds to the generated ones, with the letter it needs."""
    from admin_views import VIEW_CLASSES

    return [(entity, endpoint, letter, view_class.endpoint_roles.get(endpoint, ROLES))
            for entity, view_class in VIEW_CLASSES.items()
            for endpoint, letter in view_class.endpoint_letters.items()]


WORK_PAGES = [(e, p, letter, role, role in roles)
              for e, p, letter, roles in _work_pages() for role in ROLES]


@pytest.mark.parametrize(("entity", "endpoint", "letter", "role", "role_named"), WORK_PAGES,
                         ids=[f"{e}.{p}-{r}" for e, p, _, r, _n in WORK_PAGES])
def test_work_pages_follow_the_same_declaration(app, db, entity, endpoint, letter, role,
                                                role_named):
    """The handling page, the runs, sheets and fee pages answer 200 to a role with the
    page's letter on one of its own rows, and 403 to every other role; a page the policy
    keeps to some roles (a supervisor's intake correction) to those roles only."""
    grant = ENTITIES[entity].grant(role)
    allowed = grant.allows(letter) and role_named
    username = ACCOUNT[role]
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == f"{entity}.{endpoint}")
    ids = scoped_ids(app, entity, username) if grant.allows("R") else all_ids(app, entity)
    sample = ids[0] if ids else None
    query = f"?id={sample}" if endpoint in ("step_view", "sheet_view", "correct_view",
                                            "handover_view", "done_view", "file_view") else ""
    if query and sample is None:
        pytest.skip(f"no {entity} row for {username}")
    response = login(app.test_client(), username).get(rule.rule + query)
    assert response.status_code == (200 if allowed else 403)
