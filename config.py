"""Configuration: defaults for the demo, overridden by environment or a test config."""

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


class Config:
    # No default: see ensure_secret_key() (docs/security.md, "Sessions").
    SECRET_KEY = os.environ.get("STEWARD_SECRET_KEY")
    # None means "a SQLite file in the instance folder", resolved in create_app().
    SQLALCHEMY_DATABASE_URI = os.environ.get("STEWARD_DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Cookies travel over HTTPS only in production (STEWARD_COOKIE_SECURE=false for plain
    # http on a trusted network); the demo on 127.0.0.1 serves plain http.
    # (tests and the demo default to off: see apply_security_settings).
    SESSION_COOKIE_SECURE = _flag("STEWARD_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    # Sign-in throttling: this many failures within the window lock for the lock's minutes.
    SIGN_IN_ACCOUNT_FAILURES = 5
    SIGN_IN_ADDRESS_FAILURES = 20
    SIGN_IN_WINDOW_MINUTES = 15
    SIGN_IN_LOCK_MINUTES = 15
    PASSWORD_MIN_LENGTH = 8
    # Uploaded import files are deleted on confirm or abandon, and at the latest after this.
    IMPORT_UPLOAD_RETENTION_MINUTES = 120
    # An upload's limits before it is parsed (zip bombs): expanded size and cells.
    IMPORT_MAX_EXPANDED_MB = 20
    IMPORT_MAX_CELLS = 250_000
    WTF_CSRF_TIME_LIMIT = None  # a clerk's form may stay open all morning
    # The owner's page: where owners reach the app, and how long their links last
    PUBLIC_URL = "http://localhost:5000"
    OWNER_LINK_DAYS = 30
    # The owner's page throttle: this many requests within the window (from one address, or
    # with one link) lock it for the lock's minutes.
    OWNER_PAGE_ADDRESS_HITS = 120
    OWNER_PAGE_LINK_HITS = 60
    OWNER_PAGE_WINDOW_MINUTES = 10
    OWNER_PAGE_LOCK_MINUTES = 10
    # Reverse proxies in front of the app (nginx, a load balancer): their X-Forwarded-For and
    # -Proto are trusted, so sign-in and owner's page throttles see the client's address.
    PROXIES = 0
    # How an owner pays, printed on every arrears notice (催缴通知单); the company's own
    # words replace it (STEWARD_PAYMENT_INSTRUCTIONS, docs/operations.md, "Printing").
    PAYMENT_INSTRUCTIONS = (
        "请于收到本通知后 7 日内缴清欠费。缴费方式：\n"
        "1. 到物业服务中心前台缴费（现金、微信、支付宝、银行卡），工作时间 8:30–17:30；\n"
        "2. 在物业公众号“缴费”菜单在线缴费；\n"
        "3. 银行转账至物业公司对公账户，附言请注明“项目 楼栋-房号 物业费”。\n"
        "如已缴费，请忽略本通知；如有疑问，请联系您的物业管家。")
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    COMPANY_TIMEZONE = "Asia/Shanghai"  # times are stored in UTC, shown in this zone
    BABEL_DEFAULT_TIMEZONE = COMPANY_TIMEZONE
    FLASK_ADMIN_SWATCH = "cerulean"  # loads no web fonts: works offline
    FLASK_ADMIN_RAISE_ON_VIEW_EXCEPTION = False
    STEWARD_LOG_LEVEL = "INFO"  # logging_setup.py; the environment's through settings.py
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024  # an import file of 20,000 rows is well below


SECRET_FILE = "secret_key"
MISSING_SECRET = (
    "STEWARD_SECRET_KEY is not set. Set it to a long random value before starting the app, "
    "e.g.  export STEWARD_SECRET_KEY=\"$(python3 -c 'import secrets; "
    "print(secrets.token_hex(32))')\"  (keep it the same across restarts and workers; "
    "see docs/security.md). `python app.py` (the demo) makes one of its own."
)


def kept_secret(folder: Path) -> str:
    """The demo's secret: generated once, kept in the instance folder, readable by its owner
    only."""
    path = Path(folder) / SECRET_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secret)
    return secret


def apply_security_settings(app, *, demo: bool = False) -> None:
    """The secret key and the cookies' Secure flag, once the app's configuration is read."""
    if (demo or app.config.get("TESTING")) and "STEWARD_COOKIE_SECURE" not in os.environ:
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = False
    ensure_secret_key(app, demo=demo)
    trust_proxies(app)


def trust_proxies(app) -> None:
    """With PROXIES set, the client's address and scheme are the ones the proxies forward
    (werkzeug's ProxyFix, trusting that many hops and no more)."""
    hops = int(app.config.get("PROXIES") or 0)
    if hops > 0 and not getattr(app.wsgi_app, "steward_proxies", 0):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
        app.wsgi_app.steward_proxies = hops


def ensure_secret_key(app, *, demo: bool = False) -> None:
    """A configured secret, or the demo's kept one, or (tests, CLI commands other than
    `flask run`) a throwaway one; a server without one refuses to start."""
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or os.environ.get(
        "STEWARD_SECRET_KEY")
    if app.config["SECRET_KEY"]:
        return
    if demo:
        app.config["SECRET_KEY"] = kept_secret(Path(app.instance_path))
        return
    if app.config.get("TESTING") or _cli_command_without_server():
        app.config["SECRET_KEY"] = secrets.token_hex(32)  # signs nothing that outlives it
        return
    raise RuntimeError(MISSING_SECRET)


def _cli_command_without_server() -> bool:
    import click

    context = click.get_current_context(silent=True)
    return context is not None and context.info_name not in (None, "run")
