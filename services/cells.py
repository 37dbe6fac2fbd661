"""The cells of every csv and xlsx the app writes (list exports, fee reports, the import's
error report and template): plain values, never a page's markup, and text a spreadsheet
would run as a formula written as text.

A text cell starting with = + - @, a tab or a carriage return gets an apostrophe in front
(the usual defence against formula injection: Excel and LibreOffice then show it as text).
Numbers — money included — stay numbers, so totals still add up in Excel.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TAGS = re.compile(r"<[^>]*>")


def text(value: str) -> str:
    """A text cell that no spreadsheet will evaluate."""
    return "'" + value if value.startswith(FORMULA_START) else value


def cell(value):
    """One value as a cell: numbers as numbers, dates as dates, everything else as safe text
    (markup, if any slipped through, as its text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | Decimal | float | date | datetime):
        return value
    found = str(value)
    if hasattr(value, "__html__"):
        found = _TAGS.sub("", found)
    return text(found)


def csv_cell(value) -> str:
    value = cell(value)
    return value if isinstance(value, str) else str(value)


def dataset(headers: Iterable, rows: Iterable[Iterable], title: str | None = None):
    """A tablib Dataset of safe cells (export it as xlsx)."""
    import tablib

    sheet = tablib.Dataset(title=title)
    sheet.headers = [csv_cell(h) for h in headers]
    for row in rows:
        sheet.append([cell(v) for v in row])
    return sheet


def xlsx(headers: Iterable, rows: Iterable[Iterable], title: str | None = None) -> bytes:
    return dataset(headers, rows, title).export("xlsx")


def csv_text(headers: Iterable, rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()
