"""Natural order of room numbers and building names: 101, 102, …, 1001 and 2栋 before 10栋,
as people count them rather than as text compares them.

A record keeps its name's key in a column of its own (kept by the model, indexed), so the
database sorts by it on SQLite and PostgreSQL alike and a list's order is served by an
index: each run of digits is padded with zeros to DIGITS places, letters are compared
without case ("b101" beside "B101").
"""

from __future__ import annotations

import re

# Room numbers and building names hold no run of more digits than this.
DIGITS = 10
# The key column's length: a longer key (a name of many short digit runs) is cut there, which
# only leaves names alike up to that point in an order of their own.
KEY_LENGTH = 100

_DIGIT_RUN = re.compile(r"\d+")


def natural_key(text: str | None) -> str:
    """The sort key of `text`: "801" → "0000000801", "8栋" → "0000000008栋",
    "A-12b" → "a-0000000012b"."""
    if not text:
        return ""
    padded = _DIGIT_RUN.sub(lambda run: run.group().zfill(DIGITS), text.strip().casefold())
    return padded[:KEY_LENGTH]
