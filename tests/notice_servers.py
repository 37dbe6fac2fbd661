"""Stand-ins for the providers, on localhost: a real SMTP server (aiosmtpd), and one HTTP
server answering as Aliyun's SendSms and WeChat's token and template-message APIs do
(their documented success and error bodies). Each records what it receives; a provider
recognises a message it has already taken by its idempotency key and answers as before."""

from __future__ import annotations

import json
import socket
import threading
import time
from email import message_from_bytes
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from aiosmtpd.controller import Controller

SMS_OK = {"Message": "OK", "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990",
          "BizId": "900619746936498440^0", "Code": "OK"}
SMS_LIMITED = {"Message": "触发小时级流控Permits:5", "RequestId": "B3A0E0D4-2C6A-4B5E",
               "Code": "isv.BUSINESS_LIMIT_CONTROL"}
WECHAT_TOKEN = {"access_token": "ACCESS_TOKEN_1", "expires_in": 7200}
WECHAT_OK = {"errcode": 0, "errmsg": "ok", "msgid": 200228332}
WECHAT_UNSUBSCRIBED = {"errcode": 43004, "errmsg": "require subscribe rid: 5f0e2b3c-1"}


class Mailbox:
    """aiosmtpd handler: every mail received, parsed."""

    def __init__(self) -> None:
        self.mails = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.mails.append(message_from_bytes(envelope.content, policy=email_policy))
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        return [str(mail["Message-ID"]) for mail in self.mails]


class SmtpServer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        with socket.socket() as probe:  # a free port (aiosmtpd checks it by connecting)
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class Providers(ThreadingHTTPServer):
    """SMS at /sms, WeChat at /cgi-bin/…; `sms_answer`, `wechat_answer` set what they say;
    `hang` makes the next SMS request wait until `release` is set (a worker killed while
    waiting for the provider)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.sms, self.wechat, self.tokens = [], [], 0
        self.sms_answer, self.wechat_answer = SMS_OK, WECHAT_OK
        self.taken: dict[str, dict] = {}  # idempotency key -> the first answer
        self.hang = False
        self.release = threading.Event()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.shutdown()
        self.server_close()

    def wait_for(self, what: str, count: int, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while len(getattr(self, what)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: {len(getattr(self, what))} requests, "
                                     f"expected {count}")
            time.sleep(0.05)

    def delivered(self, what: str) -> list[str]:
        """The distinct messages a provider took (by its idempotency key)."""
        key = "OutId" if what == "sms" else "client_msg_id"
        return sorted({r[key] for r in getattr(self, what) if r.get("_ok")})


class Handler(BaseHTTPRequestHandler):
    server: Providers

    def log_message(self, *args):
        pass

    def _answer(self, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _once(self, key: str, answer: dict) -> dict:
        """A key taken before gets the first answer again (recognised, not sent twice)."""
        with self.server.lock:
            if answer is SMS_OK or answer is WECHAT_OK:
                return self.server.taken.setdefault(key, answer)
            return answer

    def do_GET(self):  # noqa: N802
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query))
        if parts.path == "/cgi-bin/token":
            self.server.tokens += 1
            return self._answer(WECHAT_TOKEN)
        if parts.path == "/sms":
            hang = self.server.hang
            self.server.hang = False
            self.server.sms.append(query)
            if hang:
                self.server.release.wait(60)
                return None  # the worker is gone: nobody reads this answer
            answer = self._once(query.get("OutId", ""), self.server.sms_answer)
            query["_ok"] = answer.get("Code") == "OK"
            return self._answer(answer)
        self.send_error(404)
        return None

    def do_POST(self):  # noqa: N802
        parts = urlsplit(self.path)
        if parts.path != "/cgi-bin/message/template/send":
            return self.send_error(404)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        body["access_token"] = dict(parse_qsl(parts.query)).get("access_token")
        self.server.wechat.append(body)
        answer = self._once(body.get("client_msg_id", ""), self.server.wechat_answer)
        body["_ok"] = answer.get("errcode") == 0
        return self._answer(answer)
