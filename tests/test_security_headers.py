"""Hardening headers and cookie settings (issue 17 item 8)."""

from __future__ import annotations

from datetime import timedelta

from .conftest import PASSWORD, login


def test_every_page_forbids_framing_sniffing_and_foreign_sources(client):
    for response in (client.get("/login"), login(client, "admin").get("/admin/owner/")):
        headers = response.headers
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
        assert "object-src 'none'" in policy


def test_signed_in_pages_are_not_cached_and_the_offline_assets_are(client):
    login(client, "admin")
    for path in ("/admin/", "/admin/owner/", "/admin/owner/details/?id=1",
                 "/admin/owner/export/csv/"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    asset = client.get("/admin/static/vendor/jquery.min.js")
    assert asset.status_code == 200 and "no-store" not in asset.headers.get("Cache-Control", "")


def test_cookies_are_secure_in_production_and_remember_me_lasts_fourteen_days(monkeypatch,
                                                                              store, db):
    from app import create_app

    monkeypatch.delenv("STEWARD_COOKIE_SECURE", raising=False)
    production = create_app({"SQLALCHEMY_DATABASE_URI": store.url, "SECRET_KEY": "x" * 32,
                             "WTF_CSRF_ENABLED": False})
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=14)
    response = production.test_client().post(
        "/login", base_url="https://localhost",
        data={"username": "admin", "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    assert response.status_code == 302
    assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies), cookies


def test_the_demo_serves_plain_http_cookies_on_the_loopback(store, tmp_path, monkeypatch):
    from app import create_app

    monkeypatch.delenv("STEWARD_COOKIE_SECURE", raising=False)
    demo = create_app({"SQLALCHEMY_DATABASE_URI": store.url, "SECRET_KEY": "x" * 32},
                      demo=True)
    assert demo.config["SESSION_COOKIE_SECURE"] is False
