"""Every csv and xlsx the app writes carries values, never a list's markup, and text that a
spreadsheet would run as a formula is written as text; numbers stay numbers (issue 17
items 5 and 10)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from extensions import db as database
from models import Bill, Owner, Project, Ticket
from services import cells

from .test_fees_web import small_project
from .test_nothing_lost import HEAD, good_rows, upload

HOSTILE = '=HYPERLINK("http://evil.example","click")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_starting_like_a_formula_is_prefixed_with_an_apostrophe(start):
    assert cells.text(f"{start}1+1") == f"'{start}1+1"
    assert cells.cell(f"{start}cmd") == f"'{start}cmd"


def test_numbers_stay_numbers_and_plain_text_stays_as_it_is():
    assert cells.cell(Decimal("-12.50")) == Decimal("-12.50")
    assert cells.cell(-3) == -3
    assert cells.cell("王小明 = 业主") == "王小明 = 业主"
    assert cells.cell(None) == ""
    from markupsafe import Markup

    assert cells.cell(Markup('<a href="/x">=T-1</a>')) == "'=T-1"


def _rows_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    data = response.get_data()
    assert data.startswith("\ufeff".encode())  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_an_export_is_named_for_what_and_when_and_excel_reads_it_as_utf8(app, db, as_role):
    """需求工单_<today>.csv (the list's name in the user's language, company date), with an
    ASCII name for old clients; the csv begins with a UTF-8 BOM."""
    from urllib.parse import unquote

    from models.queries import company_today

    client = as_role("admin")
    response = client.get("/admin/ticket/export/csv/")
    rows = _rows_csv(response)
    assert rows[0][0] and not rows[0][0].startswith("\ufeff")
    disposition = response.headers["Content-Disposition"]
    today = f"{company_today():%Y-%m-%d}"
    named = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    label = named.split("_")[0]
    assert named == f"{label}_{today}.csv" and label and label.isascii() is False
    assert f"filename=ticket_{today}.csv" in disposition
    response = client.get("/admin/ticket/export/xlsx/")
    assert f"_{today}.xlsx" in unquote(response.headers["Content-Disposition"])


def _sheet(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data)).active


def _hostile_owner(app) -> int:
    with app.app_context():
        owner = database.session.scalar(sa.select(Owner).order_by(Owner.id))
        owner.name, owner.notes = HOSTILE, "@SUM(A1:A9)"
        database.session.commit()
        return owner.id


def test_owner_exports_hold_formulas_as_text(app, as_role):
    """Issue 17 item 5: a steward names an owner =HYPERLINK(…); the admin's exports."""
    _hostile_owner(app)
    client = as_role("admin")
    rows = _rows_csv(client.get("/admin/owner/export/csv/?sort=0"))
    flat = [value for row in rows for value in row]
    assert f"'{HOSTILE}" in flat and "'@SUM(A1:A9)" in flat
    assert not any(value.startswith(("=", "+", "@")) for value in flat)
    sheet = _sheet(client.get("/admin/owner/export/xlsx/"))
    found = [c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert found and all(c.data_type == "s" and c.value == f"'{HOSTILE}" for c in found)
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_money_in_list_exports_stays_numeric(app, as_role):
    """The list shows ¥1,234.00; the export holds 1234.00 as a number Excel can add up."""
    client = as_role("admin")
    with app.app_context():
        amounts = {b.id: b.amount for b in database.session.scalars(sa.select(Bill))}
    sheet = _sheet(client.get("/admin/bill/export/xlsx/?lang=en"))
    header = [c.value for c in sheet[1]]
    column = header.index("Amount")
    exported = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert exported and all(c.data_type == "n" for c in exported)
    assert sorted(Decimal(str(c.value)) for c in exported) == sorted(amounts.values())
    rows = _rows_csv(client.get("/admin/bill/export/csv/?lang=en"))
    column = rows[0].index("Amount")
    assert sorted(Decimal(row[column]) for row in rows[1:]) == sorted(amounts.values())
    assert not any("¥" in value for row in rows[1:] for value in row)


def test_the_ticket_export_carries_codes_not_links(app, as_role):
    """Issue 17 item 10: the ticket csv's code column held <a href=…>."""
    client = as_role("admin")
    rows = _rows_csv(client.get("/admin/ticket/export/csv/"))
    text = "\n".join(",".join(row) for row in rows)
    assert "<a" not in text and "href" not in text and "badge" not in text
    with app.app_context():
        codes = set(database.session.scalars(sa.select(Ticket.code)))
    header = rows[0]
    column = next(i for i, title in enumerate(header) if rows[1][i] in codes)
    assert {row[column] for row in rows[1:]} <= codes
    sheet = _sheet(client.get("/admin/ticket/export/xlsx/"))
    assert not any("<a" in str(c.value) for row in sheet.iter_rows() for c in row)


def test_the_collection_report_holds_a_formula_named_project_as_text(app, db, as_role):
    small_project(app)
    with app.app_context():
        project = database.session.scalar(sa.select(Project).where(Project.code == "TP"))
        project.name = "=1+2"
        database.session.commit()
    sheet = _sheet(as_role("admin").get("/admin/bill/collection/?year=2026&by=project"
                                        "&export=xlsx&lang=en"))
    names = {row[0].value for row in sheet.iter_rows(min_row=2)}
    assert "'=1+2" in names
    amounts = [row[2] for row in sheet.iter_rows(min_row=2) if row[0].value == "'=1+2"]
    assert amounts and all(c.data_type == "n" for c in amounts)


def test_the_import_error_report_writes_the_files_text_as_text(app, db, as_role):
    rows = good_rows(3)
    rows[1][6] = "=cmd|' /C calc'!A0"
    rows[1][7] = "12345"  # a malformed phone: the row is an error
    client = as_role("admin")
    content = cells.csv_text(HEAD, rows).replace("'=cmd", "=cmd")  # the raw text, as typed
    page = upload(client, content.encode(), "owners.csv").get_data(as_text=True)
    import re

    token = re.search(r"/errors/([0-9a-f]{32})", page)[1]
    sheet = _sheet(client.get(f"/admin/import/errors/{token}.xlsx?lang=en"))
    values = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert "'=cmd|' /C calc'!A0" in [c.value for c in values]
    assert not any(c.data_type == "f" for c in values)
    assert [c.value for c in sheet[2]][0] == 3 and sheet[2][0].data_type == "n"
