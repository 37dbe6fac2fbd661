"""Uploaded files kept between a page and the job that reads them (instance/imports/)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from rules.refusal import N_, Refused

from .queue import app

TOKEN = re.compile(r"^[0-9a-f]{32}$")


def folder() -> Path:
    found = Path(app().instance_path) / "imports"
    found.mkdir(parents=True, exist_ok=True)
    return found


def keep(filename: str, content: bytes) -> str:
    """Store an upload; its token names it from now on."""
    token = uuid.uuid4().hex
    (folder() / token).write_bytes(content)
    (folder() / f"{token}.name").write_text(filename, encoding="utf-8")
    return token


def stored(token: str) -> tuple[str, bytes]:
    """The file kept under `token`: its name and content."""
    if not TOKEN.match(token or ""):
        raise Refused(N_("This upload is no longer kept; upload the file again."))
    try:
        name = (folder() / f"{token}.name").read_text(encoding="utf-8")
        return name, (folder() / token).read_bytes()
    except FileNotFoundError:
        raise Refused(N_("This upload is no longer kept; upload the file again.")) from None
