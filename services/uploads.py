"""Uploaded import files, kept only while the dry run and its confirmation need them.

A file is stored under a random token (nothing personal in its name, readable by the app's
user only) and deleted when the import is confirmed or abandoned, or at the latest
`IMPORT_UPLOAD_RETENTION_MINUTES` after the upload, by `purge_expired_uploads(now)` (the
hourly scheduled job `purge-uploads`, jobs/schedule.py). Undo reads the audit trail, not the
file; the error report is served only while its file is kept.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

TOKEN = re.compile(r"^[0-9a-f]{32}$")
NAME_SUFFIX = ".name"  # the original file name, shown on the dry run's page


def folder() -> Path:
    from flask import current_app

    found = Path(current_app.instance_path) / "imports"
    found.mkdir(parents=True, exist_ok=True, mode=0o700)
    return found


def retention() -> timedelta:
    from flask import current_app

    return timedelta(minutes=current_app.config["IMPORT_UPLOAD_RETENTION_MINUTES"])


def _write(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def store(content: bytes, filename: str) -> str:
    """Keep an upload for its confirmation; its token."""
    token = uuid.uuid4().hex
    _write(folder() / token, content)
    _write(folder() / f"{token}{NAME_SUFFIX}", filename.encode("utf-8"))
    return token


def _uploaded_at(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def kept(token: str, now: datetime) -> Path | None:
    """The file of a kept upload; None when unknown, gone or expired (then deleted)."""
    if not TOKEN.match(token or ""):
        return None
    path = folder() / token
    try:
        if now - _uploaded_at(path) <= retention():
            return path
    except FileNotFoundError:
        return None
    discard(token)
    return None


def load(token: str, now: datetime) -> tuple[str, bytes] | None:
    """(original name, content) of a kept upload; None when unknown, gone or expired."""
    path = kept(token, now)
    try:
        return None if path is None else (
            (folder() / f"{token}{NAME_SUFFIX}").read_text(encoding="utf-8"), path.read_bytes())
    except FileNotFoundError:
        return None


def discard(token: str) -> None:
    """Delete an upload (confirmed, abandoned or expired)."""
    if not TOKEN.match(token or ""):
        return
    for path in (folder() / token, folder() / f"{token}{NAME_SUFFIX}"):
        path.unlink(missing_ok=True)


def purge_expired_uploads(now: datetime) -> int:
    """Delete every upload older than the retention (and any stray file in the folder);
    the number of uploads deleted. Needs an app context (the instance folder, the setting)."""
    deleted = 0
    for path in folder().iterdir():
        token = path.name.removesuffix(NAME_SUFFIX)
        if not TOKEN.match(token):
            path.unlink(missing_ok=True)  # nothing the app wrote: it has no business here
            continue
        upload = folder() / token
        if not upload.exists() or now - _uploaded_at(upload) > retention():
            if path == upload:
                deleted += 1
            path.unlink(missing_ok=True)
    return deleted
