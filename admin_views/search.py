"""The lists' search box: each word the user types is looked for, as typed, in any of the
view's search fields. A "%" or "_" is a character to find, not a wildcard (Flask-Admin's
own search passes them to LIKE, so "100%" or "_" matched every row).

A word is found anywhere in a field — through PostgreSQL's trigram indexes for words of
three characters or more. A word of one or two characters has no trigram: in a list of
more than LARGE rows (the planner's count of the table, on PostgreSQL) it is matched from
the start of the field instead, an index range (models.base.prefix), and the page says so;
in smaller lists, and on SQLite, it is found anywhere, which reading them whole allows
(`王` finds 王芳 everywhere, and 芳 finds 王芳 among 100,000 owners in 0.2 s, but among 5.7
million audit entries a whole read took 4 s). So in a large list `T2` finds the tickets
numbered T2…, `王` the contacts surnamed 王, and a given name needs its surname or a third
character.
"""

from __future__ import annotations

import time
from itertools import product

import sqlalchemy as sa
from flask import flash, g
from flask_babel import gettext

from extensions import db

ESCAPE = "\\"
SHORT = 3  # a word shorter than this has no trigram
LARGE = 200_000  # rows: a list this long matches a short word from the start
_SIZES: dict[str, tuple[float, int]] = {}  # table → (when read, planner's row count)
SIZE_KEPT_S = 600


def _escaped(word: str) -> str:
    for special in (ESCAPE, "%", "_"):
        word = word.replace(special, ESCAPE + special)
    return word


def contains_pattern(word: str) -> str:
    """A LIKE pattern matching `word` anywhere, its wildcards and escape taken literally."""
    return f"%{_escaped(word)}%"


def _prefix_patterns(word: str) -> list[str]:
    """LIKE patterns matching `word` at the start of a field in any letter case (at most
    four for a two-letter word), each an index range."""
    cases = product(*({c.lower(), c.upper()} for c in word))
    return sorted({f"{_escaped(''.join(chars))}%" for chars in cases})


def is_large(table: str) -> bool:
    """Whether `table` holds more than LARGE rows, by PostgreSQL's statistics (read again
    every SIZE_KEPT_S seconds); never on other databases."""
    session = db.session
    if session.get_bind().dialect.name != "postgresql":
        return False
    now = time.monotonic()
    kept = _SIZES.get(table)
    if kept is None or now - kept[0] > SIZE_KEPT_S:
        rows = session.scalar(sa.text("SELECT reltuples FROM pg_class WHERE relname = :name"
                                      " AND relkind = 'r'"), {"name": table})
        kept = _SIZES[table] = (now, int(rows or 0))
    return kept[1] > LARGE


class LiteralSearch:
    """Mixed into a Flask-Admin SQLAlchemy view before ModelView."""

    def _apply_search(self, query, count_query, joins, count_joins, search):
        if not self._search_fields:
            return query, count_query, joins, count_joins
        large, short_words = is_large(self.model.__tablename__), []
        for word in search.split():
            from_start = large and len(word) < SHORT
            if from_start:
                short_words.append(word)
            matches, count_matches = [], []
            for field, path in self._search_fields or []:
                query, joins, alias = self._apply_path_joins(query, joins, path,
                                                             inner_join=False)
                column = field if alias is None else getattr(alias, field.key)
                matches.append(_match(column, word, from_start))
                if count_query is not None:
                    count_query, count_joins, count_alias = self._apply_path_joins(
                        count_query, count_joins, path, inner_join=False)
                    counted = field if count_alias is None else getattr(count_alias, field.key)
                    count_matches.append(_match(counted, word, from_start))
            query = query.filter(sa.or_(*matches))
            if count_query is not None:
                count_query = count_query.filter(sa.or_(*count_matches))
        if short_words:
            g.short_search_words = short_words
        return query, count_query, joins, count_joins

    def render(self, template, **kwargs):
        """The list page says how it matched a short word; an export, which searches the
        same way but renders no page, says nothing that would surface on the next page."""
        words = g.pop("short_search_words", None)
        if words and template == self.list_template:
            flash(gettext("In a list this long, %(words)s (under three characters) is matched "
                          "at the start of each field; type a third character to find it "
                          "anywhere.", words=gettext(", ").join(words)), "info")
        return super().render(template, **kwargs)


def _match(column, word: str, from_start: bool):
    """A text column as it is, so PostgreSQL's trigram or prefix index on it serves the
    match; other columns (numbers, dates) as text."""
    if not isinstance(getattr(column, "type", None), sa.String):
        column = sa.cast(column, sa.Unicode)
    if from_start:
        return sa.or_(*(column.like(pattern, escape=ESCAPE)
                        for pattern in _prefix_patterns(word)))
    return column.ilike(contains_pattern(word), escape=ESCAPE)
