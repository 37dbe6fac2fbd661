"""Each list page runs the same few statements at 20 and at 100 rows a page, for every role:
the signed-in account, the count and the rows (a supervisor's team and a department
member's department are subqueries of those, not statements of their own); a list that
badges rows by the policy (a ticket's deadline, a candidate's hiring check) reads the policy
in force once more (issue 16)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from access import ENTITIES

from .conftest import login
from .helpers import ACCOUNT, url


@contextmanager
def counted_queries():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


READERS = [
    (entity, role)
    for entity, access in ENTITIES.items()
    for role in ACCOUNT
    if access.grant(role).allows("R")
]
READS_THE_POLICY = {"ticket", "staff"}


@pytest.mark.parametrize(("entity", "role"), READERS, ids=[f"{e}-{r}" for e, r in READERS])
def test_list_query_count_does_not_grow_with_page_size(app, db, entity, role):
    client = login(app.test_client(), ACCOUNT[role])
    counts = {}
    for size in (20, 100):
        client.get(url(entity, f"?page_size={size}"))  # warm the per-process caches
        with counted_queries() as statements:
            response = client.get(url(entity, f"?page_size={size}"))
        assert response.status_code == 200
        counts[size] = len(statements)
    assert counts[20] == counts[100], counts
    assert counts[100] <= (4 if entity in READS_THE_POLICY else 3), counts
