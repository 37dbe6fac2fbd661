"""Large list exports as jobs: the list's own export (same columns, row scope and masking),
run by a consumer as the user who asked, into a file the job's page offers for download.

A request for a list's export goes to the queue when the user's rows in that list number more
than STEWARD_EXPORT_INLINE_ROWS (default 20,000, the import's own maximum); smaller exports
download at once.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_app_context, redirect, request
from flask_login import current_user, login_user
from sqlalchemy.orm import Session

from models import User
from rules.refusal import N_, Refused

from .queue import app
from .runner import kind, start

TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument."
         "spreadsheetml.sheet"}


def folder() -> Path:
    found = Path(app().instance_path) / "exports"
    found.mkdir(parents=True, exist_ok=True)
    return found


def _view(endpoint: str):
    from admin_views.generated import EntityView

    admin = app().extensions["admin"][0]
    return next((v for v in admin._views
                 if isinstance(v, EntityView) and v.endpoint == endpoint), None)


def inline_rows() -> int:
    config = (current_app if has_app_context() else app()).config
    return int(config.get("EXPORT_INLINE_ROWS")
               or os.environ.get("STEWARD_EXPORT_INLINE_ROWS", "20000"))


def divert_large_exports():
    """Before a list's export: when the user's rows are many, start a job instead."""
    endpoint = request.endpoint or ""
    if not endpoint.endswith(".export") or not current_user.is_authenticated:
        return None
    view = _view(endpoint.rsplit(".", 1)[0])
    export_type = (request.view_args or {}).get("export_type")
    if (view is None or export_type not in TYPES or not view.is_accessible()
            or not view.can_export):
        return None  # the view itself answers (403, or its own refusal)
    if view.get_count_query().scalar() <= inline_rows():
        return None
    from admin_views.jobs import job_url
    from extensions import db

    job = start(db.session, "export", {
        "endpoint": view.endpoint, "type": export_type, "query": request.query_string.decode(),
        "user": current_user.username, "file": uuid.uuid4().hex},
        current_user.username, current_user.role)
    return redirect(job_url(job))


# Only the user who asked sees an export: their rows, their masks.
@kind("export", lambda role: False, N_("Export"))
def export_list(session: Session, params: dict, progress) -> dict:
    view = _view(params["endpoint"])
    user = session.scalar(sa.select(User).where(User.username == params["user"]))
    if view is None or user is None or not user.is_active:
        raise Refused(N_("This export can no longer be made."))
    progress(0, 1)
    with app().test_request_context(f"{view.url}/export/{params['type']}/",
                                    query_string=params["query"]):
        login_user(user)
        if not (view.is_accessible() and view.can_export):
            raise Refused(N_("This export can no longer be made."))
        response = view.export(params["type"])
        name = view.export_file_name(params["type"])
        size = 0
        # written as it streams: a csv of millions of rows never sits in memory whole
        with (folder() / f"{params['file']}.{params['type']}").open("wb") as out:
            for part in response.response:
                chunk = part if isinstance(part, bytes) else part.encode("utf-8")
                out.write(chunk)
                size += len(chunk)
    progress(1, 1)
    return {"file": params["file"], "type": params["type"], "name": name, "bytes": size}


def discard(params: dict) -> None:
    """Delete an export's file (its job record is going): owners' data kept no longer."""
    (folder() / f"{params['file']}.{params['type']}").unlink(missing_ok=True)


def stored(result: dict) -> Path | None:
    path = folder() / f"{result['file']}.{result['type']}"
    return path if path.is_file() else None
