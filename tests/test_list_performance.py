"""Each list page runs the same few statements at 20 and at 100 rows a page, for every role:
the signed-in account, the count and the rows (a supervisor's team and a department
member's department are subqueries of those, not statements of their own); a list that
badges rows by the policy (a ticket's deadline, a candidate's hiring check) reads the policy
in force once more (issue 16)."""

from __future__ import annotations

import re

import pytest

from access import ENTITIES

from .conftest import login
from .helpers import ACCOUNT, count, counted_queries, url

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


def test_only_indexed_columns_are_sortable_and_every_default_sort_is_indexed(app):
    """Issue 16: a sort the database would answer by reading the whole table is not offered;
    each list's usual order is served by an index."""
    from admin_views.generated import is_indexed

    from .helpers import view_for

    for entity in ENTITIES:
        view = view_for(app, entity)
        table = view.model.__table__
        sortable = set(view.__dict__.get("_all_sortable_columns") or {})
        listed = {name for name, _ in view._list_columns}
        offered = {c.name for c in table.columns if c.name in listed and is_indexed(c)}
        assert sortable == offered, entity
        defaults = view.column_default_sort
        for item in defaults if isinstance(defaults, list) else [defaults]:
            name = item[0] if isinstance(item, tuple) else item
            assert is_indexed(table.c[name]), f"{entity} sorts by {name} without an index"
    # a trigram or prefix index matches words but does not sort (its order is not the
    # column's): the audit trail's record and person are searched, not sorted
    audit = view_for(app, "audit_entry")
    assert not {"record_label", "actor_name"} & set(
        audit.__dict__.get("_all_sortable_columns") or {})


@pytest.mark.postgres
def test_a_list_longer_than_the_cap_shows_an_estimate_and_pages_on(app, db, as_role,
                                                                    monkeypatch):
    """Above COUNT_CAP rows the list reads no more than the cap to count, then shows the
    planner's estimate as "about N"; the pager goes past the cap's pages; below it the count
    is exact (issue 16)."""
    from admin_views import counting

    client = as_role("admin")
    exact = client.get("/admin/bill/?lang=en").get_data(as_text=True)
    total = count(app, "bill")
    assert f"List ({total})" in exact
    monkeypatch.setattr(counting, "COUNT_CAP", 5)
    page = client.get("/admin/bill/?lang=en").get_data(as_text=True)
    shown = re.search(r"List \(about ([\d,]+)\)", page)
    assert shown and int(shown.group(1).replace(",", "")) > 5
    assert client.get("/admin/bill/?page=2&lang=en").status_code == 200


def _contact_names(page: str) -> list[str]:
    return re.findall(r'<td class="col-contact_name">\s*([^<\s][^<]*?)\s*</td>', page)


@pytest.mark.postgres
def test_a_short_word_in_a_large_list_matches_from_the_start_and_says_so(app, db, as_role,
                                                                          monkeypatch):
    """A word of one or two characters has no trigram: in a list of more than LARGE rows it
    matches the start of a field, an index range, and the page says so; three characters
    match anywhere; a smaller list matches a short word anywhere (issue 16)."""
    import sqlalchemy as sa

    from admin_views import search
    from extensions import db as database
    from models import Ticket

    with app.app_context():
        names = list(database.session.scalars(sa.select(Ticket.contact_name).distinct()))
        database.session.execute(sa.text("ANALYZE ticket"))  # the planner's row count
        database.session.commit()
    name = next(n for n in names if len(n) == 3)
    surname, given = name[0], name[1:]
    client = as_role("admin")

    def shown(word: str) -> tuple[set[str], str]:
        page = client.get(f"/admin/ticket/?search={word}&page_size=100&lang=en")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        return set(_contact_names(text)), text

    anywhere, text = shown(given)
    assert name in anywhere and "matched at the start" not in text
    monkeypatch.setattr(search, "LARGE", 0)
    monkeypatch.setattr(search, "_SIZES", {})
    from_start, text = shown(given)
    assert name not in from_start and "matched at the start" in text
    assert all(n.startswith(given) for n in from_start)
    by_surname, _ = shown(surname)
    assert name in by_surname and all(n.startswith(surname) for n in by_surname)
    whole, text = shown(name)
    assert name in whole and "matched at the start" not in text
    # an export searches the same way and leaves no notice for the next page opened
    assert client.get(f"/admin/ticket/export/csv/?search={surname}").status_code == 200
    assert "matched at the start" not in client.get("/admin/").get_data(as_text=True)
