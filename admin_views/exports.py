"""List exports (csv, xlsx) that carry values: a column's value, never the list's link or
badge; numbers and money as numbers; text made safe from formula injection
(services/cells.py). A csv starts with a UTF-8 byte order mark, so Excel on a Chinese Windows
reads it as UTF-8, not GBK; a file is named for what and when (需求工单_2026-11-27.csv).
Mixed into every generated view."""

from __future__ import annotations

import csv
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, stream_with_context
from flask_babel import gettext
from werkzeug.utils import secure_filename

from models.queries import company_today
from services import cells

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"


def attachment(name: str, fallback: str) -> dict:
    """Headers of a download named `name` (any language, RFC 6266), with an ASCII
    `fallback` for clients that read only the plain filename."""
    return {"Content-Disposition": f"attachment; filename={secure_filename(fallback)}; "
                                   f"filename*=UTF-8''{quote(name)}"}


class _Echo:
    def write(self, value):
        return value


# Rows read from the database at a time while a csv streams (a server-side cursor on
# PostgreSQL): memory stays flat however long the list.
STREAM_ROWS = 1000


class SafeExports:
    """Overrides Flask-Admin's export of a model view: the csv streams the whole list (as
    filtered, searched and sorted) from the database; the xlsx, built in memory, stops at
    `export_max_rows` and says so in its last row and on the list page."""

    def export_file_name(self, export_type: str) -> str:
        """What and when: the list's name in the user's language and today's date."""
        return f"{self.entity.label}_{company_today():%Y-%m-%d}.{export_type}"

    def _attachment(self, export_type: str) -> dict:
        fallback = f"{self.entity.name}_{company_today():%Y-%m-%d}.{export_type}"
        return attachment(self.export_file_name(export_type), fallback)

    def get_export_value(self, model, name):
        column = self.model.__table__.c.get(name) if isinstance(name, str) else None
        if (column is not None and isinstance(column.type, sa.Numeric | sa.Integer)
                and "choices" not in column.info and name not in self.entity.personal):
            return getattr(model, name)  # a number, money too: Excel can add it up
        value = super().get_export_value(model, name)
        if hasattr(value, "__html__"):  # the list's link or badge: the value itself instead
            value = self._get_list_value(None, model, name, {},
                                         self.column_type_formatters_export)
        return cells.cell(value)

    def _export_query(self):
        """The list's query as the page has it — scope, filters, search, sort — unpaged."""
        args = self._get_list_extra_args()
        sorted_by = self._get_column_by_idx(args.sort)
        return self.get_list(0, sorted_by[0] if sorted_by else None, args.sort_desc,
                             args.search, args.filters, execute=False, page_size=0)

    def _export_csv(self, return_url):
        _, query = self._export_query()
        writer = csv.writer(_Echo())
        columns = self._export_columns

        def generate():
            yield BOM + writer.writerow([cells.csv_cell(str(title)) for _, title in columns])
            for row in query.yield_per(STREAM_ROWS):
                yield writer.writerow([cells.csv_cell(self.get_export_value(row, name))
                                       for name, _ in columns])

        return Response(stream_with_context(generate()), mimetype="text/csv; charset=utf-8",
                        headers=self._attachment("csv"))

    def _export_tablib(self, export_type, return_url):
        count, data = self._export_data()
        columns = self._export_columns
        rows = [[self.get_export_value(row, name) for name, _ in columns] for row in data]
        if count is not None and count > len(data):
            rows.append([gettext("Only the first %(shown)s of %(count)s rows: download the "
                                 "csv for them all.", shown=len(data), count=count)]
                        + [""] * (len(columns) - 1))
        content = cells.xlsx([str(title) for _, title in columns], rows, title=None)
        return Response(content, mimetype=XLSX, headers=self._attachment(export_type))
