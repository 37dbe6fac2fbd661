"""Exports never cut off silently (issue 16): the csv streams the whole list as the page has
it — scope, search, sort — and the xlsx, built in memory, stops at its limit and says so,
in the file and on the page."""

from __future__ import annotations

import csv
import io

import openpyxl
import sqlalchemy as sa

from extensions import db as database
from models import Bill, Unit, User

from .helpers import view_for


def _csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_csv_holds_every_row_past_any_limit(app, db, as_role, monkeypatch):
    monkeypatch.setattr(view_for(app, "bill"), "export_max_rows", 100)
    with app.app_context():
        bills = database.session.scalar(sa.select(sa.func.count(Bill.id)))
    assert bills > 100
    rows = _csv_rows(as_role("admin").get("/admin/bill/export/csv/"))
    assert len(rows) == 1 + bills  # the header and every bill


def test_a_stewards_csv_is_their_scope_whole(app, db, as_role, monkeypatch):
    monkeypatch.setattr(view_for(app, "bill"), "export_max_rows", 10)
    with app.app_context():
        mine = database.session.scalar(sa.select(sa.func.count(Bill.id)).join(Unit).join(
            User, User.staff_id == Unit.steward_id).where(User.username == "steward1"))
    rows = _csv_rows(as_role("steward1").get("/admin/bill/export/csv/"))
    assert len(rows) == 1 + mine


def test_the_xlsx_says_where_it_stops_and_the_page_says_so(app, db, as_role, monkeypatch):
    monkeypatch.setattr(view_for(app, "bill"), "export_max_rows", 100)
    admin = as_role("admin")
    response = admin.get("/admin/bill/export/xlsx/")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 100 + 1
    assert "CSV" in rows[-1][0] and "100" in rows[-1][0]
    page = admin.get("/admin/bill/").get_data(as_text=True)
    assert 'id="export-limit"' in page
    # a list within the limit: no note
    monkeypatch.setattr(view_for(app, "bill"), "export_max_rows", 50_000)
    assert 'id="export-limit"' not in admin.get("/admin/bill/").get_data(as_text=True)
