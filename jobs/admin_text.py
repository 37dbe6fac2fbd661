"""A failed job's message in plain English, for commands (pages translate it)."""

from __future__ import annotations

import json

from models import Job


def error_line(job: Job) -> str:
    if not job.error:
        return ""
    error = json.loads(job.error)
    params = error.get("params") or {}
    return error["message"] % params if params else error["message"]
