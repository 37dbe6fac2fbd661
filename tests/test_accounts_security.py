"""Secrets, sessions, sign-in throttling and password changes, attacked through the web client
(issue 17 items 1, 3, 4; issue 10 items 4 and 8). Each attack fails and changes nothing."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from config import kept_secret
from models import AuditEntry, User
from models.base import utcnow

from .conftest import PASSWORD, login
from .helpers import flashes, one

WRONG = "not-the-password"


def _sign(secret: str, data: dict) -> str:
    """A session cookie as Flask would sign it with `secret`."""
    forger = Flask("forger")
    forger.secret_key = secret
    return SecureCookieSessionInterface().get_signing_serializer(forger).dumps(data)


def _cookie(client, name: str) -> str | None:
    found = client.get_cookie(name)
    return found.value if found else None


def _with_cookie(app, name: str, value: str):
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def _signed_in(client) -> bool:
    """Whether the client's session opens a page only signed-in users see."""
    return client.get("/admin/").status_code == 200


# ---- item 1: the secret key --------------------------------------------------------------
def test_the_app_refuses_to_start_without_a_configured_secret(monkeypatch, store):
    from app import create_app

    monkeypatch.delenv("STEWARD_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="export STEWARD_SECRET_KEY="):
        create_app({"SQLALCHEMY_DATABASE_URI": store.url, "SECRET_KEY": None})


def test_the_secret_from_the_environment_is_used(monkeypatch, store):
    from app import create_app

    monkeypatch.setenv("STEWARD_SECRET_KEY", "from-the-environment-0123456789")
    # TESTING keeps this second app from taking over the process's job queue; a configured
    # secret wins over the tests' throwaway one all the same.
    app = create_app({"SQLALCHEMY_DATABASE_URI": store.url, "SECRET_KEY": None,
                      "TESTING": True})
    assert app.secret_key == "from-the-environment-0123456789"


def test_the_demo_keeps_a_random_secret_readable_by_its_owner_only(tmp_path):
    first = kept_secret(tmp_path)
    assert first == kept_secret(tmp_path)  # kept across restarts
    assert len(first) >= 64 and first != "dev-only-change-me"
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600
    assert kept_secret(tmp_path / "other") != first


def test_a_cookie_signed_with_the_old_constant_does_not_open_the_accounts(app, client):
    """The attack of issue 17 item 1: {"_user_id": "1", "_fresh": true} signed with the old
    default. Signed with the app's own key and the account's token the same cookie works
    (so the check can fail)."""
    admin = one(app, User, username="admin")
    for user_id in ("1", f"{admin.id}", f"{admin.id}.{admin.session_token}"):
        forged = _sign("dev-only-change-me", {"_user_id": user_id, "_fresh": True})
        response = _with_cookie(app, "session", forged).get("/admin/user/")
        assert response.status_code == 302 and "/login" in response.location
    genuine = _sign(app.secret_key, {"_user_id": f"{admin.id}.{admin.session_token}",
                                     "_fresh": True})
    assert _with_cookie(app, "session", genuine).get("/admin/user/").status_code == 200


# ---- item 4: sessions end -----------------------------------------------------------------
def test_a_session_cookie_copied_before_sign_out_fails_after_it(app, client):
    login(client, "steward1")
    copied = _cookie(client, "session")
    assert _signed_in(_with_cookie(app, "session", copied))
    client.post("/logout")
    thief = _with_cookie(app, "session", copied)
    response = thief.get("/admin/ticket/")
    assert response.status_code == 302 and "/login" in response.location


def test_sign_out_ends_every_session_of_the_account_and_remember_me(app, client):
    laptop, phone = app.test_client(), app.test_client()
    laptop.post("/login", data={"username": "steward1", "password": PASSWORD, "remember": "y"})
    remembered = _cookie(laptop, "remember_token")
    assert remembered
    assert _signed_in(_with_cookie(app, "remember_token", remembered))
    login(phone, "steward1")
    phone.post("/logout")
    assert not _signed_in(laptop)
    assert not _signed_in(_with_cookie(app, "remember_token", remembered))
    assert _signed_in(login(app.test_client(), "steward1"))  # a new sign-in works


def test_signing_out_in_a_tab_already_signed_out_lands_on_the_sign_in_page(app, client):
    """Two tabs: signed out in one, the other's "sign out" ends on the sign-in page with its
    message, not on a 405 after signing in again (the page it came from was the sign-out)."""
    tab = login(app.test_client(), "steward1")
    other = _with_cookie(app, "session", _cookie(tab, "session"))  # the same session
    tab.post("/logout")
    response = other.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "您已退出登录" in other.get("/login").get_data(as_text=True)


def test_remember_me_lasts_at_most_fourteen_days(app, client):
    response = client.post("/login", data={"username": "steward1", "password": PASSWORD,
                                           "remember": "y"})
    header = next(h for h in response.headers.getlist("Set-Cookie")
                  if h.startswith("remember_token="))
    from email.utils import parsedate_to_datetime

    expires = parsedate_to_datetime(header.split("Expires=")[1].split(";")[0])
    assert timedelta(days=13) < expires - utcnow() <= timedelta(days=14)


def test_an_admins_password_change_ends_the_users_sessions(app, as_role):
    steward = as_role("steward1")
    admin = as_role("admin")
    user = one(app, User, username="steward1")
    from .helpers import form_data

    data = form_data(app, "user", user.id, "admin") | {"password": "brand-new-pass-1"}
    response = admin.post(f"/admin/user/edit/?id={user.id}", data=data)
    assert response.status_code == 302, flashes(response)
    assert not _signed_in(steward)
    assert _signed_in(login(app.test_client(), "steward1", "brand-new-pass-1"))
    # the reset is in the audit trail as the admin's, by name only (issue 10 item 8)
    from extensions import db

    with app.app_context():
        entry = db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.entity == "user_account", AuditEntry.entity_id == user.id,
            AuditEntry.action == "update")).one()
    assert entry.username == "admin" and json.loads(entry.changes) == {
        "password": [None, "changed"]}


def test_users_change_their_own_password_and_their_other_sessions_end(app, as_role):
    """P-REQ-5: the page linked from the top bar; old + new, at least 8 characters, not the
    username; this session goes on, the others end."""
    here, elsewhere = as_role("steward1"), as_role("steward1")
    page = here.get("/admin/").get_data(as_text=True)
    assert 'id="change-password"' in page
    before = one(app, User, username="steward1")
    refusals = [
        ({"current": WRONG, "new": "good-password-2", "repeat": "good-password-2"},
         "This is not your current password."),
        ({"current": PASSWORD, "new": "short", "repeat": "short"}, "At least 8 characters."),
        ({"current": PASSWORD, "new": "Steward1", "repeat": "Steward1"},
         "The password may not be the username."),
        ({"current": PASSWORD, "new": "good-password-2", "repeat": "good-password-3"},
         "The two new passwords differ."),
    ]
    for data, message in refusals:
        response = here.get("/admin/account/password/?lang=en") and here.post(
            "/admin/account/password/?lang=en", data=data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
        assert one(app, User, username="steward1").password_hash == before.password_hash
    response = here.post("/admin/account/password/", data={
        "current": PASSWORD, "new": "good-password-2", "repeat": "good-password-2"})
    assert response.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert app.test_client().post("/login", data={"username": "steward1",
                                                  "password": PASSWORD}).status_code == 200
    assert _signed_in(login(app.test_client(), "steward1", "good-password-2"))


def test_a_password_change_is_audited_as_changed_never_the_hash(app, as_role):
    """Issue 10 item 8."""
    here = as_role("steward1")
    user = one(app, User, username="steward1")
    here.post("/admin/account/password/", data={
        "current": PASSWORD, "new": "good-password-2", "repeat": "good-password-2"})
    after = one(app, User, username="steward1")
    entry = one(app, AuditEntry, entity="user_account", entity_id=user.id, action="update")
    assert entry.username == "steward1"
    assert json.loads(entry.changes) == {"password": [None, "changed"]}
    assert after.version == user.version + 1 and after.updated_by == "steward1"
    from extensions import db

    with app.app_context():
        texts = db.session.scalars(sa.select(AuditEntry.changes)).all()
    assert not any(after.password_hash in (t or "") or "scrypt:" in (t or "") for t in texts)


# ---- issue 10 item 4/8: sign-in leaves the version alone ------------------------------------
def test_sign_in_does_not_bump_the_version_and_is_in_the_audit_trail(app, client):
    before = one(app, User, username="supervisor1")
    login(client, "supervisor1")
    client.post("/logout")
    after = one(app, User, username="supervisor1")
    assert after.version == before.version
    assert after.updated_by == before.updated_by and after.updated_by
    assert after.last_login_at is not None and after.last_login_at != before.last_login_at
    from extensions import db

    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEntry.action).where(
            AuditEntry.entity == "user_account", AuditEntry.entity_id == before.id)
            .order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["sign_in", "sign_out"]


# ---- item 3: brute force and enumeration ----------------------------------------------------
def _try(client, username, password):
    return client.post("/login?lang=en", data={"username": username, "password": password})


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(app, client):
    with time_machine.travel(utcnow(), tick=False) as clock:
        for _ in range(5):
            assert "Wrong username or password." in flashes(_try(client, "admin", WRONG))
        response = _try(client, "admin", PASSWORD)
        assert response.status_code == 429
        [message] = flashes(response)
        assert message.startswith("Too many failed sign-ins for this account.")
        assert "locked until" in message
        assert not _signed_in(client)
        # another address cannot use the account either, until the lock ends
        other = app.test_client()
        assert _try(other, "admin", PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=app.config["SIGN_IN_LOCK_MINUTES"] + 1))
        assert _try(other, "admin", PASSWORD).status_code == 302


def test_the_lock_message_says_until_when_in_company_time(app, client):
    from datetime import UTC, datetime

    with time_machine.travel(datetime(2026, 11, 27, 2, 0, tzinfo=UTC), tick=False):
        for _ in range(5):
            _try(client, "hr", WRONG)
        [message] = flashes(_try(client, "hr", WRONG))
    assert "2026-11-27 10:15" in message  # 02:00 UTC + 15 minutes, Asia/Shanghai


def test_unknown_usernames_are_throttled_and_answered_like_known_ones(app, client, monkeypatch):
    import admin_views.auth as auth

    checked = []
    real = auth.check_password_hash
    monkeypatch.setattr(auth, "check_password_hash",
                        lambda hashed, password: checked.append(hashed) or real(hashed, password))
    known = flashes(_try(client, "admin", WRONG))
    unknown = flashes(_try(client, "nobody-here", WRONG))
    assert known == unknown == ["Wrong username or password."]
    assert len(checked) == 2 and checked[1].split("$")[0] == checked[0].split("$")[0]
    for _ in range(4):
        _try(client, "nobody-here", WRONG)
    assert _try(client, "nobody-here", WRONG).status_code == 429


def test_an_unknown_username_takes_as_long_as_a_known_one(client):
    def timed(username):
        started = time.perf_counter()
        _try(client, username, WRONG)
        return time.perf_counter() - started

    known = sorted(timed("steward2") for _ in range(3))[1]
    unknown = sorted(timed(f"ghost{i}") for i in range(3))[1]
    assert unknown > known / 3, (known, unknown)


def test_many_failures_from_one_address_lock_that_address(app, client):
    limit = app.config["SIGN_IN_ADDRESS_FAILURES"]
    with time_machine.travel(utcnow(), tick=False):
        for i in range(limit):
            _try(client, f"guess{i}", WRONG)  # a different name each time
        response = _try(client, "steward3", PASSWORD)
        assert response.status_code == 429
        assert flashes(response)[0].startswith("Too many failed sign-ins from this address.")
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
        assert _try(other, "steward3", PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_accounts_failures(app, client):
    for _ in range(4):
        _try(client, "steward4", WRONG)
    login(client, "steward4")
    other = app.test_client()
    for _ in range(4):
        _try(other, "steward4", WRONG)
    assert _try(other, "steward4", PASSWORD).status_code == 302


def test_guessing_the_current_password_on_the_change_page_is_throttled_too(app, as_role):
    """A stolen session cannot brute-force the password through the change page."""
    here = as_role("steward6")
    before = one(app, User, username="steward6")
    with time_machine.travel(utcnow(), tick=False):
        for _ in range(app.config["SIGN_IN_ACCOUNT_FAILURES"]):
            here.post("/admin/account/password/", data={
                "current": WRONG, "new": "good-password-2", "repeat": "good-password-2"})
        response = here.post("/admin/account/password/?lang=en", data={
            "current": PASSWORD, "new": "good-password-2", "repeat": "good-password-2"})
        assert response.status_code == 429
        assert "locked until" in " ".join(flashes(response))
    assert one(app, User, username="steward6").password_hash == before.password_hash


# ---- issue 10 item 4: two sign-ins at once ---------------------------------------------------
@pytest.mark.postgres
def test_simultaneous_sign_ins_to_one_account_all_succeed(app, db):
    """Before: StaleDataError on last_login_at → 500 for all but one. Threads released
    together by a barrier, each its own connection; repeated."""
    before = one(app, User, username="steward5")
    threads_per_round, rounds = 6, 5
    for _ in range(rounds):
        barrier = threading.Barrier(threads_per_round)
        statuses: list[int] = []

        def sign_in(barrier=barrier, statuses=statuses):
            client = app.test_client()
            barrier.wait()
            statuses.append(client.post("/login", data={
                "username": "steward5", "password": PASSWORD}).status_code)

        threads = [threading.Thread(target=sign_in) for _ in range(threads_per_round)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [302] * threads_per_round
    after = one(app, User, username="steward5")
    assert after.version == before.version and after.updated_by == before.updated_by


def test_the_create_user_command_applies_the_same_password_rules(app, db):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["create-user", "clerk9", "--role", "hr",
                                  "--password", "clerk9"])
    assert refused.exit_code != 0 and "At least 8 characters." in refused.output
    refused = runner.invoke(args=["create-user", "clerk9long", "--role", "hr",
                                  "--password", "CLERK9LONG"])
    assert refused.exit_code != 0 and "may not be the username" in refused.output
    assert one(app, User, username="clerk9long") is None
    made = runner.invoke(args=["create-user", "clerk9long", "--role", "hr",
                               "--password", "a-good-password"])
    assert made.exit_code == 0, made.output
    assert _signed_in(login(app.test_client(), "clerk9long", "a-good-password"))


def test_a_form_sent_after_the_session_ended_says_it_was_not_saved(app, client):
    """An edit sent from a tab whose session another tab ended is not saved, and the
    sign-in page says so (before, the user came back to a blank sign-in page and the edit
    was silently gone)."""
    tab = login(app.test_client(), "admin")
    other = _with_cookie(app, "session", _cookie(tab, "session"))
    tab.post("/logout")
    response = other.post("/admin/owner/edit/?id=1", data={"name": "改名"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = other.get(response.headers["Location"]).get_data(as_text=True)
    assert "没有保存" in page
    assert "改名" not in other.get("/admin/owner/").get_data(as_text=True)
