"""Bad input gets a clear form error and changes nothing; nothing a user types is a 500."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from .conftest import login
from .helpers import count, form_data, scoped_ids, url


def _errors(page: str) -> list[str]:
    """The error messages shown under form fields."""
    blocks = re.findall(r'class="invalid-feedback">(.*?)</div>', page, re.S)
    return [e.strip() for block in blocks for e in re.findall(r"<li>(.*?)</li>", block, re.S)]


def _unit_copy(app):
    unit = scoped_ids(app, "unit", "admin")[0]
    return form_data(app, "unit", unit, "admin")


CASES = {
    "duplicate unit number in a building": ("unit", {}, "already has this"),
    "negative area": ("unit", {"number": "X1", "area": "-12.5"}, "at least 0.01"),
    "malformed phone": ("owner", {"phone": "12345", "id_number": ""}, "mobile number"),
    "malformed ID number": ("owner", {"id_number": "3101"}, "18 characters"),
    "missing required name": ("owner", {"name": "", "id_number": ""}, "required"),
    "over-long text": ("project", {"code": "N1", "name": "长" * 101}, "longer than 100"),
    "duplicate project code": ("project", {"name": "另一个项目"}, "already exists"),
    "month not YYYY-MM": ("bill", {"period": "2026/13"}, "YYYY-MM"),
    "rating outside 1-5": ("return_visit", {"rating_attitude": "9"}, "between 1 and 5"),
    # a unique choice: refused as a choice before any check asks the database about it
    "unknown department": ("department", {"code": "1.005"}, "Not a valid choice"),
    "not a number": ("unit", {"number": "X2", "area": "大约一百"}, "Not a valid decimal"),
    "not a date": ("ownership", {"since": "去年"}, "Not a valid date"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_a_form_error_and_changes_nothing(app, db, case):
    entity, overrides, message = CASES[case]
    client = login(app.test_client(), "admin")
    client.get("/admin/?lang=en")  # the messages below are the English ones
    source = scoped_ids(app, entity, "admin")[0]
    data = form_data(app, entity, source, "admin") | overrides
    before = count(app, entity)
    response = client.post(url(entity, "new/"), data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert any(message.lower() in e.lower() for e in _errors(page)), _errors(page)
    assert count(app, entity) == before


def test_editing_into_a_duplicate_is_refused_too(app, db):
    from extensions import db as database
    from models import Unit

    client = login(app.test_client(), "admin")
    client.get("/admin/?lang=en")
    with app.app_context():
        first, second = database.session.scalars(
            sa.select(Unit).order_by(Unit.id).limit(2)).all()
        second_id, taken = second.id, first.number
    data = form_data(app, "unit", second_id, "admin") | {"number": taken}
    response = client.post(url("unit", f"edit/?id={second_id}"), data=data)
    assert response.status_code == 200
    assert any("already has this" in e for e in _errors(response.get_data(as_text=True)))


@pytest.mark.parametrize("path", [
    "unit/edit/?id=abc",
    "unit/details/?id=99999999",
    "unit/details/?id=1%27%20OR%201=1",
    "unit/?page=abc",
    "unit/?page=-3",
    "unit/?sort=999",
    "unit/?page_size=100000",
    "ticket/?flt0_0=not-a-date",
    "ticket/?flt1_41=2026-13-45",
    "ticket/?search=%25%27%22",
    "unit/export/pdf/",
    "unit/ajax/lookup/?name=nothing",
])
def test_odd_urls_never_answer_500(app, db, path):
    client = login(app.test_client(), "admin")
    assert client.get("/admin/" + path).status_code < 500


def test_odd_posts_never_answer_500(app, db):
    client = login(app.test_client(), "admin")
    for path, data in [
        ("unit/delete/", {"id": "abc"}),
        ("unit/delete/", {}),
        ("unit/action/", {"action": "no-such-action", "rowid": "1"}),
        ("unit/action/", {"action": "delete", "rowid": "x"}),
        ("unit/ajax/update/", {"list_form_pk": "abc", "usage": "vacant"}),
        ("unit/ajax/update/", {"list_form_pk": "1", "usage": "flying"}),
        ("owner/new/", {"name": "x" * 5000}),
    ]:
        assert client.post("/admin/" + path, data=data).status_code < 500, path
