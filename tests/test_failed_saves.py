"""A save the database refuses is a message that names the field and the rule, never a 500
and never SQL; the session is rolled back before the message is worded."""

from __future__ import annotations

import pytest

from .helpers import count, flashes, form_data, scoped_ids, url

SQL_WORDS = ("[SQL:", "INSERT INTO", "UPDATE ", "IntegrityError", "psycopg", "sqlite3")


def _english(client):
    client.get("/admin/?lang=en")
    return client


def _post_copy(app, client, entity, changes, edit=False):
    source = scoped_ids(app, entity, "admin")[0]
    data = form_data(app, entity, source, "admin") | changes
    path = url(entity, f"edit/?id={source}") if edit else url(entity, "new/")
    return client.post(path, data=data, follow_redirects=True)


# ordinary mistakes that the database's CHECK rules also refuse (issue 10, item 1)
MISTAKES = {
    "fee standard ending before it starts": (
        "fee_standard", {"effective_from": "2026-05-01", "effective_until": "2026-04-01"},
        "end date cannot be before the start date"),
    "ownership ending before it starts": (
        "ownership", {"since": "2031-05-01", "until": "2031-04-01"},
        "cannot end before it starts"),
    "policy version with the lowest age above the highest": (
        "policy_setting", {"effective_from": "2031-01-01", "age_min": "45", "age_max": "30"},
        "lowest age cannot be above the highest"),
    "building with 0 floors": ("building", {"name": "零层楼", "floors": "0"},
                               "floors must be more than zero"),
}


@pytest.mark.parametrize("case", MISTAKES)
def test_a_check_rule_is_a_form_message_naming_the_rule(app, as_role, case):
    entity, changes, words = MISTAKES[case]
    client = _english(as_role("admin"))
    before = count(app, entity)
    response = _post_copy(app, client, entity, changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert words.lower() in page.lower()
    assert not any(w in page for w in SQL_WORDS)
    assert count(app, entity) == before


@pytest.mark.parametrize("case", MISTAKES)
def test_the_database_check_itself_is_worded_when_the_form_lets_it_through(app, as_role,
                                                                            monkeypatch, case):
    """The form's own check switched off: the database's CHECK refuses, and the message still
    names the rule (not "someone else changed these records")."""
    from admin_views import form_checks

    monkeypatch.setattr(form_checks, "check_rules", lambda view, form, obj=None: True)
    entity, changes, words = MISTAKES[case]
    client = _english(as_role("admin"))
    before = count(app, entity)
    response = _post_copy(app, client, entity, changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    shown = " ".join(flashes(response))
    assert words.lower() in shown.lower(), shown
    assert "same moment" not in shown
    assert not any(w in page for w in SQL_WORDS)
    assert count(app, entity) == before


def test_a_duplicate_single_column_key_is_a_form_error(app, as_role):
    from models import Payment

    from .helpers import one

    client = _english(as_role("admin"))
    taken = one(app, Payment, id=scoped_ids(app, "payment", "admin")[0]).receipt_no
    from .helpers import overrides

    before = count(app, "payment")
    source = scoped_ids(app, "payment", "admin")[0]
    data = form_data(app, "payment", source, "admin") | overrides(app, "payment") | {
        "receipt_no": taken}
    response = client.post(url("payment", "new/"), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Already exists" in page
    assert count(app, "payment") == before


def test_a_second_login_account_for_a_staff_member_is_refused_in_words(app, as_role):
    """user.staff_id is unique: the form says so (a relationship's unique key is checked by
    the database; its refusal names the field, not a concurrent change)."""
    import sqlalchemy as sa

    from extensions import db as database
    from models import User

    from .helpers import overrides

    client = _english(as_role("admin"))
    with app.app_context():
        taken = database.session.scalar(sa.select(User.staff_id).where(
            User.staff_id.is_not(None)))
    source = scoped_ids(app, "user", "admin")[0]
    data = form_data(app, "user", source, "admin") | overrides(app, "user") | {
        "staff": str(taken)}
    before = count(app, "user")
    response = client.post(url("user", "new/"), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    shown = " ".join(flashes(response)) + page
    assert "already" in shown.lower() and "same moment" not in shown
    assert not any(w in page for w in SQL_WORDS)
    assert count(app, "user") == before


def test_every_check_constraint_has_its_words(app):
    """A model that gains a CHECK must say in errors.CHECK_MESSAGES what it means (a generic
    suffix — _positive, _non_negative, _range — or a closed set of choices says it itself)."""
    import sqlalchemy as sa

    import errors
    from models.base import Base

    with app.test_request_context("/?lang=en"):
        generic = errors._generic_check()
        unworded = [
            constraint.name for table in Base.metadata.tables.values()
            for constraint in table.constraints
            if isinstance(constraint, sa.CheckConstraint)
            and errors.check_words(constraint.name) == generic]
    assert unworded == []


def test_a_refused_form_says_so_in_the_users_language(app, db, as_role):
    """Flask-Admin's own banner over a refused form ("Failed to create record.") is in
    Chinese like the field's message under it."""
    client = as_role("admin")
    entity, changes, _words = MISTAKES["fee standard ending before it starts"]
    page = _post_copy(app, client, entity, changes).get_data(as_text=True)
    assert "未能新建记录。" in page and "Failed to create record" not in page
