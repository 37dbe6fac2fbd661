"""Configuration: defaults for the demo, overridden by environment or a test config."""

import os


class Config:
    SECRET_KEY = os.environ.get("STEWARD_SECRET_KEY", "dev-only-change-me")
    # None means "a SQLite file in the instance folder", resolved in create_app().
    SQLALCHEMY_DATABASE_URI = os.environ.get("STEWARD_DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a clerk's form may stay open all morning
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    COMPANY_TIMEZONE = "Asia/Shanghai"  # times are stored in UTC, shown in this zone
    BABEL_DEFAULT_TIMEZONE = COMPANY_TIMEZONE
    FLASK_ADMIN_SWATCH = "cerulean"  # loads no web fonts: works offline
    FLASK_ADMIN_RAISE_ON_VIEW_EXCEPTION = False
    STEWARD_LOG_LEVEL = os.environ.get("STEWARD_LOG_LEVEL", "INFO")  # logging_setup.py
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024  # an import file of 20,000 rows is well below
