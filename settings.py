"""Every setting the back office reads from the environment, in one list.

`flask check-config` prints this list: what is set, what is missing, and the default used
instead; a secret shows only as set or unset. `from_environment()` turns the variables that
are set into Flask config keys (create_app applies them over config.Config).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Setting:
    name: str
    meaning: str
    default: str = ""
    config: str | None = None  # the Flask config key it sets, if any
    secret: bool = False
    production: bool = False  # a deployment should set it
    kind: type = str
    blank: bool = False  # set but empty is a value of its own (no quiet hours), not unset


def flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def quiet_hours(value: str) -> str:
    """The quiet-hours setting as given, once it reads like 22:00-08:00 (else ValueError)."""
    from rules.notices import quiet_hours as parse

    parse(value)
    return value


SETTINGS = (
    # the app
    Setting("STEWARD_DATABASE_URL", "database URL (SQLAlchemy form)",
            "SQLite file instance/steward.sqlite", "SQLALCHEMY_DATABASE_URI", production=True),
    Setting("STEWARD_SECRET_KEY", "signs sessions and forms",
            "none: required outside the demo (which keeps its own)", "SECRET_KEY",
            secret=True, production=True),
    Setting("STEWARD_COOKIE_SECURE", "cookies over HTTPS only (false for plain http on a "
            "trusted network)", "on (off in the demo and tests)"),
    Setting("STEWARD_TIMEZONE", "the company's time zone", "Asia/Shanghai", "COMPANY_TIMEZONE"),
    Setting("STEWARD_LOG_LEVEL", "log level (DEBUG, INFO, WARNING, ERROR)", "INFO",
            "STEWARD_LOG_LEVEL"),
    Setting("STEWARD_MAX_UPLOAD_MB", "largest upload, in MB", "10", "MAX_UPLOAD_MB", kind=int),
    # serving (read by gunicorn.conf.py)
    Setting("STEWARD_BIND", "address gunicorn listens on", "127.0.0.1:8000"),
    Setting("STEWARD_WEB_WORKERS", "gunicorn worker processes", "2 × cores + 1", kind=int),
    Setting("STEWARD_WEB_THREADS", "threads per gunicorn worker", "4", kind=int),
    Setting("STEWARD_WEB_TIMEOUT", "seconds a request may take before its worker is "
            "restarted", "60", kind=int),
    Setting("STEWARD_ACCESS_LOG", "gunicorn access log file ('-' for stdout)", "-"),
    Setting("STEWARD_FORWARDED_ALLOW_IPS", "proxies whose X-Forwarded-* headers gunicorn "
            "trusts", "127.0.0.1"),
    # background work
    Setting("STEWARD_REDIS_URL", "Redis for the job queue (production)",
            "SQLite queue file beside the database", "REDIS_URL", secret=True),
    Setting("STEWARD_QUEUE_PATH", "the SQLite queue file when there is no Redis",
            "queue.sqlite beside the database"),
    Setting("STEWARD_QUEUE_NAME", "the queue's name (a key prefix in Redis)", "steward"),
    Setting("STEWARD_JOB_WORKERS", "worker threads of `flask worker`", "2", kind=int),
    Setting("STEWARD_JOB_STALE_SECONDS", "seconds without a heartbeat before a running job "
            "is shown failed", "60", kind=int),
    Setting("STEWARD_JOB_KEEP_DAYS", "days finished job records are kept", "30", kind=int),
    Setting("STEWARD_WORKER_SEEN_SECONDS", "seconds since a worker was last seen before "
            "/readyz says not ready", "180", kind=int),
    Setting("STEWARD_EXPORT_INLINE_ROWS", "rows above which a list export runs as a job",
            "20000", kind=int),
    Setting("STEWARD_INSTANCE_PATH", "the instance folder (uploads, exports; shared by the "
            "web and the worker)", "instance/ in the checkout"),
    Setting("STEWARD_BACKUP_DIR", "where `flask backup` writes", "instance/backups"),
    # the owner's page
    Setting("STEWARD_PUBLIC_URL", "the address owners reach the back office at (the links "
            "in their messages start with it)", "http://localhost:5000", "PUBLIC_URL",
            production=True),
    Setting("STEWARD_OWNER_LINK_DAYS", "days an owner's link to their request stays valid",
            "30", "OWNER_LINK_DAYS", kind=int),
    Setting("STEWARD_PAYMENT_INSTRUCTIONS", "how owners pay, printed on every arrears "
            "notice (line breaks kept)", "config.py's PAYMENT_INSTRUCTIONS: the front desk, "
            "the Official Account, a bank transfer", "PAYMENT_INSTRUCTIONS"),
    Setting("STEWARD_PROXIES", "reverse proxies in front of the app whose X-Forwarded-For "
            "and -Proto it trusts (the client's address for throttles and logs)", "0",
            "PROXIES", kind=int),
    # notifications to owners (docs/notices.md)
    Setting("STEWARD_NOTICE_CAPTURE", "record messages in instance/outbox-capture.jsonl "
            "instead of sending them (true/false)", "off (on in the demo)", "NOTICE_CAPTURE",
            kind=flag),
    Setting("STEWARD_NOTICE_QUIET_HOURS", "company hours non-urgent messages wait out "
            "(set but empty: none)", "22:00-08:00", "NOTICE_QUIET_HOURS", kind=quiet_hours,
            blank=True),
    Setting("STEWARD_NOTICE_MAX_ATTEMPTS", "tries before a message is failed", "5",
            "NOTICE_MAX_ATTEMPTS", kind=int),
    Setting("STEWARD_NOTICE_RETRY_SECONDS", "wait after the first failed try (×4 each "
            "further try)", "60", "NOTICE_RETRY_SECONDS", kind=int),
    Setting("STEWARD_NOTICE_LEASE_SECONDS", "seconds a worker holds a message it is "
            "sending before another may take it over", "300", "NOTICE_LEASE_SECONDS",
            kind=int),
    Setting("STEWARD_NOTICE_TIMEOUT_SECONDS", "timeout of a provider call", "10",
            "NOTICE_TIMEOUT_SECONDS", kind=int),
    Setting("STEWARD_SMTP_HOST", "mail server", "", "SMTP_HOST"),
    Setting("STEWARD_SMTP_PORT", "mail server port", "465", "SMTP_PORT", kind=int),
    Setting("STEWARD_SMTP_TLS", "ssl, starttls or none", "ssl on port 465, else starttls",
            "SMTP_TLS"),
    Setting("STEWARD_SMTP_USER", "mail account", "", "SMTP_USER"),
    Setting("STEWARD_SMTP_PASSWORD", "mail password", "", "SMTP_PASSWORD", secret=True),
    Setting("STEWARD_MAIL_FROM", "sender address of mail", "", "MAIL_FROM"),
    Setting("STEWARD_SMS_API_URL", "the SMS provider's API (Aliyun SendSms shape)", "",
            "SMS_API_URL"),
    Setting("STEWARD_SMS_API_KEY", "the SMS provider's AccessKey id", "", "SMS_API_KEY",
            secret=True),
    Setting("STEWARD_SMS_API_SECRET", "the SMS provider's AccessKey secret", "",
            "SMS_API_SECRET", secret=True),
    Setting("STEWARD_SMS_SIGNATURE", "the SMS signature (签名)", "", "SMS_SIGNATURE"),
    Setting("STEWARD_SMS_REGION", "the SMS provider's region", "cn-hangzhou", "SMS_REGION"),
    Setting("STEWARD_WECHAT_APP_ID", "WeChat Official Account app id", "", "WECHAT_APP_ID"),
    Setting("STEWARD_WECHAT_APP_SECRET", "WeChat Official Account secret", "",
            "WECHAT_APP_SECRET", secret=True),
    Setting("STEWARD_WECHAT_API_URL", "WeChat API base URL", "https://api.weixin.qq.com",
            "WECHAT_API_URL"),
)


def from_environment(environ=None) -> dict:
    """Flask config keys for the variables that are set."""
    environ = os.environ if environ is None else environ
    config = {}
    for setting in SETTINGS:
        value = environ.get(setting.name)
        if setting.config is None or value is None or (value == "" and not setting.blank):
            continue
        try:
            config[setting.config] = setting.kind(value)
        except ValueError as error:  # stop at startup, not in the first request using it
            raise RuntimeError(f"{setting.name}: {error}") from None
    if "COMPANY_TIMEZONE" in config:
        config["BABEL_DEFAULT_TIMEZONE"] = config["COMPANY_TIMEZONE"]
    if "MAX_UPLOAD_MB" in config:
        config["MAX_CONTENT_LENGTH"] = config.pop("MAX_UPLOAD_MB") * 1024 * 1024
    return config


def shown(setting: Setting, value: str) -> str:
    """A value as check-config prints it: never a secret, never a password in a URL."""
    if setting.secret:
        return "set"
    if "://" in value:
        parts = urlsplit(value)
        if parts.password:
            return value.replace(f":{parts.password}@", ":***@")
    return value


def report(environ=None) -> tuple[list[str], list[str]]:
    """Lines saying what is set and what is not; and the names a deployment still lacks."""
    environ = os.environ if environ is None else environ
    lines, missing = [], []
    for setting in SETTINGS:
        value = environ.get(setting.name, "")
        if setting.blank and setting.name in environ and not value.strip():
            lines.append(f"{setting.name} = (empty: none)")
        elif value:
            try:
                setting.kind(value)
            except ValueError as error:
                why = "not a number" if setting.kind is int else str(error)
                lines.append(f"{setting.name} = {shown(setting, value)}  INVALID: {why}")
                missing.append(setting.name)
                continue
            lines.append(f"{setting.name} = {shown(setting, value)}")
        else:
            default = f" (default: {setting.default})" if setting.default else ""
            flag = "  MISSING" if setting.production else ""
            lines.append(f"{setting.name} unset{default}{flag}  — {setting.meaning}")
            if setting.production:
                missing.append(setting.name)
    return lines, missing
