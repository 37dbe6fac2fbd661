"""List exports (csv, xlsx) that carry values: a column's value, never the list's link or
badge; numbers and money as numbers; text made safe from formula injection
(services/cells.py). Mixed into every generated view."""

from __future__ import annotations

import csv

import sqlalchemy as sa
from flask import Response, stream_with_context
from werkzeug.utils import secure_filename

from services import cells

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    def write(self, value):
        return value


class SafeExports:
    """Overrides Flask-Admin's export of a model view (csv streamed, xlsx through tablib)."""

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

    def _export_csv(self, return_url):
        count, data = self._export_data()
        writer = csv.writer(_Echo())
        columns = self._export_columns

        def generate():
            yield writer.writerow([cells.csv_cell(str(title)) for _, title in columns])
            for row in data:
                yield writer.writerow([cells.csv_cell(self.get_export_value(row, name))
                                       for name, _ in columns])

        filename = secure_filename(self.get_export_name(export_type="csv"))
        return Response(stream_with_context(generate()), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment;filename={filename}"})

    def _export_tablib(self, export_type, return_url):
        count, data = self._export_data()
        columns = self._export_columns
        content = cells.xlsx([str(title) for _, title in columns],
                             ([self.get_export_value(row, name) for name, _ in columns]
                              for row in data), title=None)
        filename = secure_filename(self.get_export_name(export_type))
        return Response(content, mimetype=XLSX,
                        headers={"Content-Disposition": f"attachment;filename={filename}"})
