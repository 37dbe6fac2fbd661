"""Values nobody should type, typed anyway: each is a 400/404 or a form error in words, never
a 500 and never SQL on screen, and nothing is saved (issue 10, items 5, 6, 8 and 9)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from .helpers import count, flashes, form_data, one, overrides, scoped_ids, url

SQL = re.compile(r"\[SQL:|\[parameters:|sqlite3\.|psycopg|IntegrityError|OperationalError|"
                 r"DataError|StatementError|Traceback")


def _errors(page: str) -> list[str]:
    blocks = re.findall(r'class="invalid-feedback">(.*?)</div>', page, re.S)
    return [e.strip() for block in blocks for e in re.findall(r"<li>(.*?)</li>", block, re.S)]


@pytest.fixture
def admin(as_role):
    client = as_role("admin")
    client.get("/admin/?lang=en")
    return client


def _create(app, client, entity, changes):
    source = scoped_ids(app, entity, "admin")[0]
    data = form_data(app, entity, source, "admin") | overrides(app, entity) | changes
    before = count(app, entity)
    response = client.post(url(entity, "new/"), data=data)
    page = response.get_data(as_text=True)
    assert not SQL.search(page), SQL.search(page)
    assert count(app, entity) == before
    return response, page


# ---- item 5: raw SQL on screen ------------------------------------------------------------
@pytest.mark.parametrize("entity, changes, words", [
    ("owner", {"name": "王\x00五", "id_number": ""}, "NUL character"),
    ("unit", {"number": "X9", "area": "1e10"}, "too large"),
    ("unit", {"number": "X9", "area": "sNaN"}, "ordinary number"),
    ("unit", {"number": "X9", "area": "9" * 400}, "too large"),
    ("ownership", {"since": "0001-01-01"}, "between 1900 and 2100"),
    ("ticket", {"code": "T-0001X", "intake_at": "0001-01-01 00:00"}, "between 1900 and 2100"),
    ("project", {"code": "ZZ", "name": "选项", "kind": "__None"}, "Not a valid choice"),
    ("project", {"code": "ZZ", "name": "选项", "kind": ""}, "required"),
    ("project", {"code": "ZZ", "name": "选项", "kind": "zzz"}, "Not a valid choice"),
])
def test_values_that_reached_the_database_are_refused_in_words(app, admin, entity, changes,
                                                                words):
    response, page = _create(app, admin, entity, changes)
    assert response.status_code in (200, 400)
    shown = " ".join(_errors(page) + flashes(response)) or page
    assert words.lower() in shown.lower(), shown[:500]


def test_a_refusal_page_shows_the_reference_the_log_files_it_under(app, admin, caplog):
    caplog.set_level("INFO", logger="steward.request")
    response = admin.get("/admin/unit/?search=%00")
    assert response.status_code == 400
    reference = response.headers["X-Request-Id"]
    assert reference in response.get_data(as_text=True)
    assert any(getattr(r, "request_id", None) == reference and "status=400" in r.getMessage()
               for r in caplog.records)


# ---- item 6: unvalidated values reaching the database -------------------------------------
@pytest.mark.parametrize("path, codes", [
    (f"unit/details/?id={2**31}", (302, 404)),
    (f"unit/details/?id={2**63}", (302, 404)),
    (f"unit/edit/?id={2**64}", (302, 404)),
    ("unit/?page=99999999999999999999", (200,)),
    ("unit/?page=2147483648", (200,)),
    ("unit/?page_size=-1", (200,)),
    ("unit/ajax/lookup/?name=building&query=a&limit=-1", (200, 404)),
    ("ownership/ajax/lookup/?name=unit&query=1&offset=-5", (200,)),
    ("ownership/ajax/lookup/?name=unit&query=1&limit=99999999999999999999", (200,)),
    (f"ownership/new/?unit={2**63}", (200,)),
    ("bill/collection/?year=99999999999999999999", (302,)),
    ("bill/collection/?by=zzz", (302,)),
    ("summary/?flt0_0=zzz", (200,)),
    ("bill/arrears/?page=99999999999999999999", (200,)),
    (f"jobs/{2**31}/", (404,)),  # `<int:…>` in any route: past any record's id is no record
    (f"jobs/{2**63}/status.json", (404,)),
    ("jobs/99999999999999999999/download", (404,)),
])
def test_odd_values_in_urls_are_a_400_404_or_an_ordinary_page(admin, path, codes):
    response = admin.get("/admin/" + path)
    assert response.status_code in codes
    assert not SQL.search(response.get_data(as_text=True))


@pytest.mark.parametrize("period", ["0000-01", "9999-12", "2026-13", "0001-01"])
def test_a_bill_run_for_an_impossible_month_is_refused_in_words(app, admin, period):
    from models import Bill

    response = admin.post("/admin/bill/run/", data={"period": period})
    assert response.status_code == 200
    assert any("month" in f for f in flashes(response)), flashes(response)
    assert one(app, Bill, period=period) is None


def test_huge_ids_in_inline_edits_actions_and_pickers_change_nothing(app, admin):
    before = count(app, "unit")
    for path, data in [
        ("unit/ajax/update/", {"list_form_pk": f"{2**63}:1", "usage": "vacant"}),
        ("unit/ajax/update/", {"list_form_pk": f"1:{2**63}", "usage": "vacant"}),
        ("unit/action/", {"action": "delete", "rowid": str(2**63)}),
        ("unit/delete/", {"id": str(2**63)}),
        ("payment/new/", {"bill": str(2**63), "amount": "1", "method": "cash",
                          "paid_at": "2026-11-01 10:00", "receipt_no": "HUGE1"}),
    ]:
        response = admin.post("/admin/" + path, data=data)
        assert response.status_code < 500, path
        assert not SQL.search(response.get_data(as_text=True))
    assert count(app, "unit") == before


# ---- item 8: an edit without the version it was opened at ---------------------------------
def test_an_edit_posted_without_its_version_is_refused(app, admin):
    from models import Owner

    owner_id = scoped_ids(app, "owner", "admin")[0]
    data = form_data(app, "owner", owner_id, "admin") | {"name": "无版本"}
    del data["seen_version"]
    response = admin.post(url("owner", f"edit/?id={owner_id}"), data=data)
    assert response.status_code == 200
    assert any("without the version" in f for f in flashes(response))
    assert one(app, Owner, id=owner_id).name != "无版本"


def test_an_inline_edit_posted_without_its_version_is_refused(app, admin):
    from models import Unit

    unit = one(app, Unit, id=scoped_ids(app, "unit", "admin")[0])
    response = admin.post(url("unit", "ajax/update/"), data={
        "list_form_pk": str(unit.id), "usage": "rented" if unit.usage != "rented" else "vacant"})
    assert response.status_code == 400
    assert one(app, Unit, id=unit.id).version == unit.version


# ---- item 9: length limits on free text ---------------------------------------------------
def test_a_hundred_thousand_character_note_is_a_form_error(app, admin):
    response, page = _create(app, admin, "project", {
        "code": "LONG1", "name": "长备注", "notes": "注" * 100_000})
    assert response.status_code == 200
    assert any("At most 2000 characters" in e for e in _errors(page)), _errors(page)


def test_a_note_within_the_limit_is_saved(app, admin):
    from models import Project

    source = scoped_ids(app, "project", "admin")[0]
    data = form_data(app, "project", source, "admin") | {
        "code": "LONG2", "name": "够长", "notes": "注" * 2000}
    assert admin.post(url("project", "new/"), data=data).status_code == 302
    assert len(one(app, Project, code="LONG2").notes) == 2000


def test_every_free_text_field_of_every_form_has_a_limit(app):
    """Every Text column gets the limit in its generated form (and its inline editor)."""
    import sqlalchemy as sa

    from access import ENTITIES
    from admin_views.form_checks import TextLength

    from .helpers import view_for

    missing = []
    for name, entity in ENTITIES.items():
        view = view_for(app, name)
        for column in entity.model.__table__.columns:
            if isinstance(column.type, sa.Text) and not column.info.get("derived"):
                found = (view.form_args or {}).get(column.name, {}).get("validators", [])
                if not any(isinstance(v, TextLength) for v in found):
                    missing.append(f"{name}.{column.name}")
    assert missing == []


def test_a_bill_run_whose_rate_would_overflow_a_bill_is_refused_in_words(app, admin):
    """A fee standard with an absurd rate (found by the fuzz harness): the run refuses and
    names it; no bill is written (PostgreSQL refused the amount; SQLite stored it)."""
    import sqlalchemy as sa

    from extensions import db as database
    from models import Bill, FeeStandard

    with app.app_context():
        standard = database.session.scalars(sa.select(FeeStandard).where(
            FeeStandard.basis == "per_m2")).first()
        standard.rate = 9_999_999_999
        database.session.commit()
    response = admin.post("/admin/bill/run/", data={"period": "2026-12"},
                          follow_redirects=True)  # to the run's job page, once it ended
    assert response.status_code == 200
    assert any("more than a bill can hold" in f for f in flashes(response)), flashes(response)
    with app.app_context():
        assert database.session.scalar(sa.select(sa.func.count(Bill.id)).where(
            Bill.period == "2026-12")) == 0


@pytest.mark.parametrize("path", [f"jobs/{2**63}/retry/", f"import/undo/{2**31}/"])
def test_a_post_to_an_id_past_any_record_is_a_404(admin, path):
    assert admin.post("/admin/" + path).status_code == 404


# ---- the search box: wildcards are characters -----------------------------------------------
@pytest.mark.parametrize("typed", ["%", "_", "\\", "%%_"])
def test_a_wildcard_in_the_search_box_is_a_character_to_find(app, admin, typed):
    """No demo owner's name or phone holds these characters: nothing is found (before, "%"
    and "_" reached LIKE as wildcards and matched every row)."""
    response = admin.get(f"/admin/owner/?search={quote(typed)}")
    assert response.status_code == 200
    assert "details/?id=" not in response.get_data(as_text=True)


def test_a_name_with_a_percent_sign_is_found_by_it(app, admin):
    with app.app_context():
        from extensions import db as database
        from models import Owner

        database.session.add(Owner(name="百分之百%业主", phone="13900000999"))
        database.session.commit()
        wanted = database.session.scalar(sa.select(Owner.id).where(Owner.name == "百分之百%业主"))
    page = admin.get(f"/admin/owner/?search={quote('百%业')}").get_data(as_text=True)
    assert set(re.findall(r"details/\?id=(\d+)", page)) == {str(wanted)}
    page = admin.get(f"/admin/owner/?search={quote('百分')}").get_data(as_text=True)
    assert str(wanted) in re.findall(r"details/\?id=(\d+)", page)
