"""A list's row count that does not read millions of rows (issue 16).

Flask-Admin counts a list with `SELECT count(*)` over every row the user may see, filtered
and searched: at 2.4 M bills that is most of the page's time. Here the count stops at
COUNT_CAP (50,000: milliseconds to count, and more rows than the demo's longest list, so
a demo list page stays three statements): below it the count is exact; above it, on
PostgreSQL, the planner's estimate for the same query is shown as "about N" (one EXPLAIN,
no rows read) and the pager still reaches every page. SQLite databases are small; they
count exactly.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import format_decimal, gettext
from sqlalchemy.orm import Query

from extensions import db

COUNT_CAP = 50_000


class Estimate(int):
    """A row count from the planner's estimate, shown as such."""

    def __str__(self) -> str:
        return gettext("about %(count)s", count=format_decimal(int(self)))


class CappedCount:
    """Stands in for a list's count query while Flask-Admin adds the search, filters and
    joins to it, then counts at most COUNT_CAP + 1 rows of it."""

    def __init__(self, query: Query):
        self._query = query

    def __getattr__(self, name: str):
        found = getattr(self._query, name)
        if not callable(found):
            return found

        def call(*args, **kwargs):
            result = found(*args, **kwargs)
            return CappedCount(result) if isinstance(result, Query) else result
        return call

    def scalar(self) -> int:
        if db.session.get_bind().dialect.name != "postgresql":
            return self._query.scalar()
        rows = self._query.with_entities(sa.literal_column("1"))
        capped = rows.limit(COUNT_CAP + 1).subquery()
        exact = db.session.scalar(sa.select(sa.func.count()).select_from(capped))
        if exact <= COUNT_CAP:
            return exact
        return Estimate(max(_planned_rows(rows.statement), COUNT_CAP + 1))


def _planned_rows(statement) -> int:
    """The planner's row estimate for `statement` (EXPLAIN reads no rows)."""
    connection = db.session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    plan = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}",
                                      compiled.params).scalar()
    return int(plan[0]["Plan"]["Plan Rows"])
