"""Uploaded spreadsheets: zip bombs refused before they are parsed (issue 17 item 9), and
uploads kept only while the dry run and its confirmation need them (item 11)."""

from __future__ import annotations

import io
import os
import re
import stat
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine

from services import importing, uploads

from .helpers import flashes
from .test_nothing_lost import HEAD, good_rows, state, upload, xlsx


def _bomb(expanded_mb: int) -> bytes:
    """A valid workbook whose one sheet expands to `expanded_mb` MB of rows of zeros."""
    source = zipfile.ZipFile(io.BytesIO(xlsx(good_rows(1), HEAD)))
    row = "".join('<c t="n"><v>0</v></c>' for _ in range(50))
    rows = f"<row>{row}</row>" * ((expanded_mb * 1024 * 1024) // (len(row) + 11) + 1)
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
             'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             f"{rows}</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename.startswith("xl/worksheets/sheet"):
                data = sheet.encode()
            bomb.writestr(part.filename, data)
    return out.getvalue()


def _folder(app) -> Path:
    return Path(app.instance_path) / "imports"


def job_error(response) -> str:
    """The error a finished job's page shows."""
    found = re.search(r'id="job-error">(.*?)</div>', response.get_data(as_text=True), re.S)
    return found[1] if found else ""


def _token(page: str) -> str:
    return re.search(r'(?:name="token" value="|/errors/)([0-9a-f]{32})', page)[1]


def test_a_zip_bomb_is_refused_before_it_is_parsed(app, as_role):
    """A workbook of ~0.2 MB that expands past the 20 MB limit: a clear message, at once,
    and nothing kept or imported."""
    bomb = _bomb(55)
    assert len(bomb) < 400 * 1024
    client, before = as_role("admin"), state(app)
    kept = set(_folder(app).glob("*")) if _folder(app).exists() else set()
    started = time.perf_counter()
    response = upload(client, bomb, "owners.xlsx")  # the check's job page, once it ended
    elapsed = time.perf_counter() - started
    message = job_error(response)
    assert "该工作簿解压后为 55 MB，超过导入上限 20 MB" in message, message
    assert response.status_code == 200 and elapsed < 2, elapsed
    assert state(app) == before
    assert (set(_folder(app).glob("*")) if _folder(app).exists() else set()) == kept


def test_a_workbook_with_too_many_cells_is_refused(app, as_role, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_CELLS", 1000)
    client = as_role("admin")
    kept = set(_folder(app).glob("*")) if _folder(app).exists() else set()
    response = upload(client, xlsx(good_rows(150), HEAD))  # 151 rows × 10 columns
    message = job_error(response)
    assert "该文件超过 1000 个单元格" in message, message
    assert set(_folder(app).glob("*")) == kept  # a refused file is not kept


def test_cells_are_counted_while_streaming_whatever_the_sheet_declares():
    limits = importing.Limits(max_cells=100)
    rows = [["项目", "楼栋", "房号"]] + [["JX", "1栋", str(i)] for i in range(40)]
    content = "\n".join(",".join(r) for r in rows).encode()
    try:
        importing.read_rows("owners.csv", content, limits)
    except importing.Refused as refusal:
        assert refusal.params == {"limit": 100}
    else:
        raise AssertionError("123 cells passed a limit of 100")
    assert len(importing.read_rows("owners.csv", content, importing.Limits())) == 40


def test_an_upload_is_kept_private_and_deleted_on_confirm(app, as_role):
    client = as_role("admin")
    page = upload(client, xlsx(good_rows(2), HEAD), "张三的房产.xlsx").get_data(as_text=True)
    token = _token(page)
    stored = _folder(app) / token
    assert stored.exists() and stat.S_IMODE(os.stat(stored).st_mode) == 0o600
    assert all(re.fullmatch(r"[0-9a-f]{32}(\.name)?", p.name) for p in _folder(app).iterdir())
    client.post("/admin/import/confirm/", data={"token": token})
    assert not stored.exists() and not (_folder(app) / f"{token}.name").exists()


def test_an_abandoned_upload_is_deleted_and_its_report_gone(app, as_role):
    client = as_role("admin")
    rows = good_rows(2)
    rows[1][7] = "12345"
    page = upload(client, xlsx(rows, HEAD)).get_data(as_text=True)
    token = _token(page)
    assert client.get(f"/admin/import/errors/{token}.xlsx").status_code == 200
    client.post("/admin/import/abandon/", data={"token": token})
    assert not (_folder(app) / token).exists()
    response = client.get(f"/admin/import/errors/{token}.xlsx?lang=en")
    assert response.status_code == 302
    assert "no longer kept" in " ".join(flashes(client.get("/admin/import/?lang=en")))


def test_the_check_page_offers_nothing_for_a_discarded_file(app, as_role):
    """Back on a check's page after its file was discarded: no error report, no discard, no
    confirm; it says the file is gone."""
    import re

    client = as_role("admin")
    rows = good_rows(2)
    rows[1][7] = "12345"
    response = upload(client, xlsx(rows, HEAD))
    page, job_page = response.get_data(as_text=True), response.request.path
    assert 'id="error-report"' in page and 'id="import-abandon"' in page
    client.post("/admin/import/abandon/", data={"token": _token(page)})
    page = client.get(job_page).get_data(as_text=True)
    assert 'id="import-gone"' in page
    assert not re.search(r'id="(error-report|import-abandon|import-confirm)"', page)


def test_uploads_past_the_retention_are_purged_and_refused(app, as_role):
    client = as_role("admin")
    token = _token(upload(client, xlsx(good_rows(2), HEAD)).get_data(as_text=True))
    retention = timedelta(minutes=app.config["IMPORT_UPLOAD_RETENTION_MINUTES"])
    later = datetime.now(UTC) + retention + timedelta(minutes=1)
    with app.app_context():
        uploads.purge_expired_uploads(datetime.now(UTC))
        assert (_folder(app) / token).exists()  # still within the retention
        assert uploads.purge_expired_uploads(later) >= 1
    assert not (_folder(app) / token).exists()
    assert not (_folder(app) / f"{token}.name").exists()
    before = state(app)
    token = _token(upload(client, xlsx(good_rows(2), HEAD)).get_data(as_text=True))
    with time_machine.travel(later, tick=False):
        response = client.post("/admin/import/confirm/", data={"token": token})
    assert response.status_code == 302 and state(app) == before
    assert not (_folder(app) / token).exists()


def test_the_hourly_purge_deletes_old_uploads_and_the_rows_their_checks_showed(app, as_role):
    """The scheduled `purge-uploads` (also a command): past the retention the file goes, and
    the check's job keeps its counts but no longer the rows with owners' names and phones."""
    import json

    import sqlalchemy as sa

    from extensions import db
    from models import Job

    client = as_role("admin")
    token = _token(upload(client, xlsx(good_rows(2), HEAD)).get_data(as_text=True))
    later = datetime.now(UTC) + timedelta(
        minutes=app.config["IMPORT_UPLOAD_RETENTION_MINUTES"] + 1)

    def check_result() -> dict:
        with app.app_context():
            return json.loads(db.session.scalar(sa.select(Job.result).where(
                Job.kind == "import_check", Job.params.contains(token))))

    assert check_result()["rows"]
    local = later.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    result = app.test_cli_runner().invoke(args=["purge-uploads", "--at", local])
    assert result.exit_code == 0 and '"deleted": 1' in result.output, result.output
    assert not (_folder(app) / token).exists()
    found = check_result()
    assert found["rows"] == [] and found["errors"] == [] and found["total"] == 2
    assert client.get(f"/admin/import/errors/{token}.xlsx").status_code == 302
