"""Sign-in, CSRF, cookie flags, masking of owners' personal data, scoped pickers."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from access import ENTITIES
from models import Owner, Unit

from .conftest import PASSWORD, login
from .helpers import count, flashes, scoped_ids, url


@pytest.fixture(scope="module")
def csrf_app(store):
    """The app exactly as configured for production: CSRF protection on."""
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": store.url, "TESTING": True})


def test_a_post_without_csrf_token_answers_400_and_changes_nothing(csrf_app, db):
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert (
        client.post("/login", data={"username": "admin", "password": PASSWORD}).status_code == 400
    )
    signed_in = client.post(
        "/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302
    before = count(csrf_app, "project")
    response = client.post(
        url("project", "new/"), data={"code": "C1", "name": "无令牌项目", "kind": "residential"}
    )
    assert response.status_code == 400
    assert count(csrf_app, "project") == before
    target = scoped_ids(csrf_app, "project", "admin")[0]
    assert client.post(url("project", "delete/"), data={"id": str(target)}).status_code == 400
    assert (
        client.post(
            url("unit", "ajax/update/"), data={"list_form_pk": "1", "usage": "vacant"}
        ).status_code
        == 400
    )
    assert count(csrf_app, "project") == before


def test_session_cookie_is_httponly_and_samesite(client):
    response = client.post("/login", data={"username": "admin", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_wrong_password_is_refused_with_a_message(client):
    response = client.post("/login", data={"username": "admin", "password": "nope-nope"})
    assert response.status_code == 200
    assert "用户名或密码错误。" in flashes(response)
    assert client.get("/admin/").status_code == 302


def test_sign_in_never_redirects_off_site(client):
    response = client.post(
        "/login?next=//evil.example/x", data={"username": "admin", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/admin/"


def test_sign_out_ends_the_session(client):
    login(client, "admin")
    assert client.get("/admin/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_inactive_account_cannot_sign_in(app, client):
    from extensions import db
    from models import User

    with app.app_context():
        db.session.execute(sa.update(User).where(User.username == "hr").values(active=False))
        db.session.commit()
    client.post("/login", data={"username": "hr", "password": PASSWORD})
    assert client.get("/admin/").status_code == 302


def _first_owner_phone(app, username):
    from extensions import db

    owner_id = scoped_ids(app, "owner", username)[0]
    with app.app_context():
        owner = db.session.get(Owner, owner_id)
        return owner_id, owner.name, owner.phone, owner.id_number


@pytest.mark.parametrize(
    ("username", "masked"),
    [
        ("admin", False),
        ("steward1", False),
        ("supervisor1", True),
    ],
)
def test_owner_phone_and_id_number_are_masked_for_roles_that_do_not_need_them(
    app, db, username, masked
):
    owner_id, name, phone, id_number = _first_owner_phone(app, username)
    client = login(app.test_client(), username)
    shown = phone[:3] + "****" + phone[-4:]
    for page in (
        client.get(url("owner", f"details/?id={owner_id}")),
        client.get(url("owner", "export/csv/")),
        client.get(url("owner", f"?search={name}")),
    ):
        text = page.get_data(as_text=True)
        assert (phone in text) is not masked
        assert (id_number in text) is not masked
        if masked:
            assert shown in text


def test_supervisor_edit_form_does_not_carry_the_contact_phone(app, db):
    ticket_id = scoped_ids(app, "ticket", "supervisor1")[0]
    client = login(app.test_client(), "supervisor1")
    page = client.get(url("ticket", f"edit/?id={ticket_id}")).get_data(as_text=True)
    assert 'name="contact_phone"' not in page


def test_ajax_picker_offers_only_the_stewards_own_units(app, db):
    client = login(app.test_client(), "steward1")
    own = set(scoped_ids(app, "unit", "steward1"))
    response = client.get(url("ticket", "ajax/lookup/?name=unit&query=0&limit=1000"))
    offered = {pk for pk, _label in json.loads(response.data)}
    assert offered and offered <= own
    with app.app_context():
        from extensions import db as database

        total = database.session.scalar(sa.select(sa.func.count(Unit.id)))
    assert len(offered) < total


def test_a_picked_unit_outside_the_scope_is_a_form_error(app, db):
    from .helpers import form_data

    client = login(app.test_client(), "steward1")
    own = set(scoped_ids(app, "unit", "steward1"))
    foreign = next(pk for pk in scoped_ids(app, "unit", "admin") if pk not in own)
    ticket = scoped_ids(app, "ticket", "steward1")[0]
    data = form_data(app, "ticket", ticket, "steward1") | {"unit": str(foreign)}
    response = client.post(url("ticket", f"edit/?id={ticket}"), data=data)
    assert response.status_code == 200  # the form again, with the error on the picker
    page = response.get_data(as_text=True)
    unit_field = re.search(r'name="unit".*?(?=<div class="form-group|</form>)', page, re.S)
    assert unit_field and "请从可选记录中选择。" in unit_field.group(0)
    from .helpers import row

    assert row(app, "ticket", ticket)["unit_id"] != foreign


def test_select_pickers_list_only_rows_in_scope(app, db):
    """The steward field of a work log offers the steward themself, nobody else."""
    client = login(app.test_client(), "steward1")
    page = client.get(url("work_log", "new/")).get_data(as_text=True)
    select = re.search(r'<select[^>]*name="steward".*?</select>', page, re.S).group(0)
    options = re.findall(r'<option[^>]*value="(\d+)"', select)
    assert options == [str(pk) for pk in scoped_ids(app, "staff", "steward1")]


def test_every_entity_in_the_declaration_has_a_menu_entry_for_its_readers(app, db):
    for role, username in {"admin": "admin", "steward": "steward1"}.items():
        client = login(app.test_client(), username)
        page = client.get("/admin/").get_data(as_text=True)
        for name, entity in ENTITIES.items():
            link = url(name)
            assert (link in page) == entity.grant(role).allows("R"), (role, name)


def test_a_new_account_needs_a_password_and_stores_only_its_hash(app, db):
    from extensions import db as database
    from models import User

    client = login(app.test_client(), "admin")
    form = {"username": "clerk2", "role": "admin", "staff": "__None", "active": "y"}
    assert client.post(url("user", "new/"), data=form).status_code == 200
    response = client.post(url("user", "new/"), data=form | {"password": "clerk-pass-2"})
    assert response.status_code == 302
    with app.app_context():
        user = database.session.scalar(sa.select(User).where(User.username == "clerk2"))
        assert user.password_hash != "clerk-pass-2"
        assert user.check_password("clerk-pass-2")
