"""The lists' search box: each word the user types is looked for, as typed, in any of the
view's search fields. A "%" or "_" is a character to find, not a wildcard (Flask-Admin's
own search passes them to LIKE, so "100%" or "_" matched every row)."""

from __future__ import annotations

import sqlalchemy as sa

ESCAPE = "\\"


def contains_pattern(word: str) -> str:
    """A LIKE pattern matching `word` anywhere, its wildcards and escape taken literally."""
    for special in (ESCAPE, "%", "_"):
        word = word.replace(special, ESCAPE + special)
    return f"%{word}%"


class LiteralSearch:
    """Mixed into a Flask-Admin SQLAlchemy view before ModelView."""

    def _apply_search(self, query, count_query, joins, count_joins, search):
        if not self._search_fields:
            return query, count_query, joins, count_joins
        for word in search.split():
            pattern = contains_pattern(word)
            matches, count_matches = [], []
            for field, path in self._search_fields or []:
                query, joins, alias = self._apply_path_joins(query, joins, path,
                                                             inner_join=False)
                column = field if alias is None else getattr(alias, field.key)
                matches.append(_like(column, pattern))
                if count_query is not None:
                    count_query, count_joins, count_alias = self._apply_path_joins(
                        count_query, count_joins, path, inner_join=False)
                    counted = field if count_alias is None else getattr(count_alias, field.key)
                    count_matches.append(_like(counted, pattern))
            query = query.filter(sa.or_(*matches))
            if count_query is not None:
                count_query = count_query.filter(sa.or_(*count_matches))
        return query, count_query, joins, count_joins


def _like(column, pattern: str):
    """A text column as it is, so PostgreSQL's trigram index on it serves the match; other
    columns (numbers, dates) as text."""
    if not isinstance(getattr(column, "type", None), sa.String):
        column = sa.cast(column, sa.Unicode)
    return column.ilike(pattern, escape=ESCAPE)
