"""The channels a message to an owner goes out on, each an adapter with the same face:
`configured(config)`, `address(owner)` and `send(message, address, config)`, which returns
the provider's id for the message or raises `DeliveryError`.

- email: SMTP (smtplib), the message id as the mail's Message-ID;
- sms: Aliyun's SendSms API shape (signed RPC over HTTPS), the message id as OutId;
- wechat: Official Account template messages, the access token fetched and cached until it
  expires, the message id as client_msg_id;
- capture: with NOTICE_CAPTURE on, every channel counts as configured and what would have
  been sent is appended to `instance/outbox-capture.jsonl` instead (the demo, development).

HTTP goes through httpx with timeouts. The message id is the idempotency key each provider
is given: a resend after a crash carries the same id, so the provider (and a reader of the
mailbox) can recognise it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import smtplib
import ssl
import threading
import time
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from urllib.parse import quote

import httpx

MOBILE = re.compile(r"^1[3-9]\d{9}$")
CAPTURE_FILE = "outbox-capture.jsonl"


class DeliveryError(Exception):
    """The provider did not take the message; `detail` says what it answered."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _timeout(config) -> httpx.Timeout:
    return httpx.Timeout(float(config.get("NOTICE_TIMEOUT_SECONDS") or 10))


def message_key(message) -> str:
    return f"steward-outbox-{message.id}"


# ---- email ------------------------------------------------------------------------------
class Email:
    name = "email"

    @staticmethod
    def configured(config) -> bool:
        return bool(config.get("SMTP_HOST") and config.get("MAIL_FROM"))

    @staticmethod
    def address(owner) -> str | None:
        return (owner.email or "").strip() or None

    @staticmethod
    def send(message, address: str, config) -> str:
        mail = EmailMessage()
        mail["From"] = config["MAIL_FROM"]
        mail["To"] = formataddr((message.owner.name, address))
        mail["Subject"] = message.subject or ""
        domain = config["MAIL_FROM"].rsplit("@", 1)[-1].strip(">") or "localhost"
        mail["Message-ID"] = f"<{message_key(message)}@{domain}>"
        mail.set_content(message.body or "")
        port = int(config.get("SMTP_PORT") or 465)
        security = (config.get("SMTP_TLS") or ("ssl" if port == 465 else "starttls")).lower()
        timeout = float(config.get("NOTICE_TIMEOUT_SECONDS") or 10)
        try:
            if security == "ssl":
                server = smtplib.SMTP_SSL(config["SMTP_HOST"], port, timeout=timeout,
                                          context=ssl.create_default_context())
            else:
                server = smtplib.SMTP(config["SMTP_HOST"], port, timeout=timeout)
            with server:
                if security == "starttls":
                    server.starttls(context=ssl.create_default_context())
                if config.get("SMTP_USER"):
                    server.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
                server.send_message(mail)
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"SMTP: {error}") from error
        return mail["Message-ID"]


# ---- SMS: Aliyun SendSms ----------------------------------------------------------------
def _aliyun_quote(value: str) -> str:
    return quote(str(value), safe="~")


def aliyun_signed(params: dict, secret: str) -> dict:
    """Aliyun RPC signature (HMAC-SHA1 over the sorted, percent-encoded query)."""
    query = "&".join(f"{_aliyun_quote(k)}={_aliyun_quote(v)}" for k, v in sorted(params.items()))
    to_sign = "GET&%2F&" + _aliyun_quote(query)
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return params | {"Signature": base64.b64encode(digest).decode()}


SMS_VARIABLE_LIMIT = 35  # Aliyun: characters per template variable


class Sms:
    name = "sms"

    @staticmethod
    def configured(config) -> bool:
        return bool(config.get("SMS_API_URL") and config.get("SMS_API_KEY")
                    and config.get("SMS_SIGNATURE"))

    @staticmethod
    def address(owner) -> str | None:
        phone = (owner.phone or "").replace(" ", "").replace("-", "")
        return phone if MOBILE.match(phone) else None

    @staticmethod
    def template_params(variables: dict) -> dict:
        """The template's variables as Aliyun takes them: each at most 35 characters. The
        owner's link is never cut (a cut link opens nothing): it is short by design
        (`PUBLIC_URL/o/<10-character code>`, services/owner_links.py); one that is still
        too long (a long PUBLIC_URL) fails the message saying so."""
        link = str(variables.get("link") or "")
        if len(link) > SMS_VARIABLE_LIMIT:
            raise DeliveryError(f"SMS: the owner's link is {len(link)} characters, over "
                                f"the provider's {SMS_VARIABLE_LIMIT}; shorten PUBLIC_URL")
        return {k: str(v) if k == "link" else str(v)[:SMS_VARIABLE_LIMIT]
                for k, v in variables.items()}

    @staticmethod
    def send(message, address: str, config) -> str:
        variables = Sms.template_params(json.loads(message.variables or "{}"))
        params = {
            "AccessKeyId": config["SMS_API_KEY"], "Action": "SendSms", "Format": "JSON",
            "RegionId": config.get("SMS_REGION") or "cn-hangzhou",
            "SignatureMethod": "HMAC-SHA1", "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0", "Version": "2017-05-25",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "PhoneNumbers": address, "SignName": config["SMS_SIGNATURE"],
            "TemplateCode": message.provider_template or "",
            "TemplateParam": json.dumps(variables, ensure_ascii=False),
            "OutId": message_key(message),
        }
        try:
            response = httpx.get(config["SMS_API_URL"],
                                 params=aliyun_signed(params, config.get("SMS_API_SECRET")
                                                      or ""), timeout=_timeout(config))
            answer = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise DeliveryError(f"SMS: {error}") from error
        if answer.get("Code") != "OK":
            raise DeliveryError(f"SMS {answer.get('Code')}: {answer.get('Message')}")
        return str(answer.get("BizId") or answer.get("RequestId") or "")


# ---- WeChat Official Account template messages --------------------------------------------
class _Tokens:
    """Access tokens, kept until shortly before they expire (per app id and base URL)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.kept: dict[tuple[str, str], tuple[str, float]] = {}

    def get(self, config, fresh: bool = False) -> str:
        base = config.get("WECHAT_API_URL") or "https://api.weixin.qq.com"
        key = (base, config["WECHAT_APP_ID"])
        with self.lock:
            token, until = self.kept.get(key, ("", 0.0))
            if token and not fresh and time.monotonic() < until:
                return token
            try:
                answer = httpx.get(f"{base.rstrip('/')}/cgi-bin/token", params={
                    "grant_type": "client_credential", "appid": config["WECHAT_APP_ID"],
                    "secret": config["WECHAT_APP_SECRET"]}, timeout=_timeout(config)).json()
            except (httpx.HTTPError, ValueError) as error:
                raise DeliveryError(f"WeChat token: {error}") from error
            if not answer.get("access_token"):
                raise DeliveryError(f"WeChat token {answer.get('errcode')}: "
                                    f"{answer.get('errmsg')}")
            lifetime = int(answer.get("expires_in") or 7200)
            self.kept[key] = (answer["access_token"], time.monotonic() + max(lifetime - 300, 60))
            return answer["access_token"]

    def clear(self) -> None:
        with self.lock:
            self.kept.clear()


TOKENS = _Tokens()
EXPIRED_TOKEN = {40001, 40014, 42001}


class WeChat:
    name = "wechat"

    @staticmethod
    def configured(config) -> bool:
        return bool(config.get("WECHAT_APP_ID") and config.get("WECHAT_APP_SECRET"))

    @staticmethod
    def address(owner) -> str | None:
        return (owner.wechat_openid or "").strip() or None

    @staticmethod
    def send(message, address: str, config) -> str:
        variables = json.loads(message.variables or "{}")  # WeChat takes the link whole
        payload = {
            "touser": address, "template_id": message.provider_template or "",
            "client_msg_id": message_key(message),
            "data": {name: {"value": str(value)[:20] if name != "link" else str(value)}
                     for name, value in variables.items() if name != "link"},
        }
        if variables.get("link"):
            payload["url"] = variables["link"]
        base = (config.get("WECHAT_API_URL") or "https://api.weixin.qq.com").rstrip("/")
        for fresh in (False, True):
            token = TOKENS.get(config, fresh=fresh)
            try:
                answer = httpx.post(f"{base}/cgi-bin/message/template/send",
                                    params={"access_token": token}, json=payload,
                                    timeout=_timeout(config)).json()
            except (httpx.HTTPError, ValueError) as error:
                raise DeliveryError(f"WeChat: {error}") from error
            if answer.get("errcode") in EXPIRED_TOKEN and not fresh:
                continue  # the kept token was revoked early: fetch a new one, once
            break
        if answer.get("errcode", 0) != 0:
            raise DeliveryError(f"WeChat {answer.get('errcode')}: {answer.get('errmsg')}")
        return str(answer.get("msgid", ""))


# ---- capture ------------------------------------------------------------------------------
class Capture:
    """Stands in for every channel: records what would have been sent."""

    name = "capture"
    lock = threading.Lock()

    @staticmethod
    def path(config) -> Path:
        return Path(config["CAPTURE_FOLDER"]) / CAPTURE_FILE

    @classmethod
    def send(cls, message, address: str, config) -> str:
        entry = {"id": message_key(message), "at": datetime.now(UTC).isoformat(),
                 "channel": message.channel, "to": address, "event": message.event,
                 "subject": message.subject, "body": message.body}
        path = cls.path(config)
        path.parent.mkdir(parents=True, exist_ok=True)
        with cls.lock, path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return f"captured:{message_key(message)}"


CHANNELS = {channel.name: channel for channel in (WeChat, Sms, Email)}
