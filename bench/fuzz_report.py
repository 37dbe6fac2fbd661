"""What the fuzz harness (bench/fuzz.py) records and reads: its report, the application's
logged errors, and the POST forms of a page."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Failure:
    kind: str  # 5xx, sql, unexpected
    method: str
    path: str
    detail: str


@dataclass
class Report:
    submissions: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)  # form, edit, inline, list, ...
    failures: list[Failure] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.broken

    def summary(self) -> str:
        lines = [f"{self.submissions} submissions in {self.seconds:.0f} s",
                 "by status: " + ", ".join(f"{k} × {v}" for k, v in sorted(
                     self.by_status.items())),
                 "by kind: " + ", ".join(f"{k} × {v}" for k, v in sorted(
                     self.by_kind.items())),
                 "failures: " + (", ".join(f"{k} × {v}" for k, v in sorted(Counter(
                     f.kind for f in self.failures).items())) or "none")]
        seen = set()
        for failure in self.failures:
            key = (failure.kind, re.sub(r"\d+", "N", failure.path.split("?")[0]),
                   failure.detail[:80])
            if key not in seen and len(seen) < 40:
                seen.add(key)
                lines.append(f"  {failure.kind} {failure.method} {failure.path[:120]} — "
                             f"{failure.detail[:300]}")
        lines.append("invariants: " + ("whole" if not self.broken else "; ".join(self.broken)))
        return "\n".join(lines)


class ErrorCount(logging.Handler):
    """Counts the errors the application logs (an exception behind a message)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class PageForms(HTMLParser):
    """The POST forms of a page: action and (name, value, options) of each field."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}, "options": {},
                          "files": False}
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self._form["files"] = True
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"][a["name"]] = a.get("value") or "y"
            elif kind not in ("submit", "button"):
                self._form["fields"][a["name"]] = a.get("value") or ""
        elif tag in ("textarea",):
            self._form["fields"][a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
            self._form["fields"][a["name"]] = ""
        if tag == "option" and self._select and self._form is not None:
            options = self._form["options"].setdefault(self._select, [])
            options.append(a.get("value") or "")
            if len(options) == 1 or "selected" in a:
                self._form["fields"][self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
