"""Which pages bench/pages.py measures for a role, and the hand-written floor of each list page.

A page is (name, method, path, floor): the list pages of every entity the role reads (page 1,
page 1000, a search, a filter, each sortable column), a details page, the start page and the
work pages. The floor is one hand-written SELECT of the same page's rows: the entity's own
columns, with the role's scope, the same order, offset and limit, no count and no names of
related records (the least any list page can cost). Lists sorted by a related record's
column, searches and filters have no floor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa

SEARCH_TERMS = ("王", "12")  # a name's character where names are searched, else digits
PERIOD, YEAR = "2026-11", "2026"


@dataclass
class Page:
    name: str
    path: str
    method: str = "GET"
    floor: sa.Select | None = None
    data: dict = field(default_factory=dict)


def entity_views(app) -> dict:
    from admin_views.generated import EntityView

    admin = app.extensions["admin"][0]
    return {view.entity.name: view for view in admin._views if isinstance(view, EntityView)}


def _order(view, model, sort_name: str | None) -> list | None:
    """ORDER BY of the floor: the view's sort column on the model's own table, or None."""
    table = model.__table__
    if sort_name is None:
        sort = view.column_default_sort
        if isinstance(sort, list):
            sort = sort[0]
        name, desc = (sort, False) if isinstance(sort, str) else (sort[0], sort[1])
    else:
        column = view._sortable_columns.get(sort_name)
        name = getattr(column, "key", column) if not isinstance(column, str) else column
        parent = getattr(getattr(column, "class_", None), "__table__", table)
        if parent is not table:
            return None
        desc = False
    if not isinstance(name, str) or name not in table.c:
        return None
    key = table.c[name]
    return [key.desc() if desc else key, table.c.id.desc() if desc else table.c.id]


def _floor(view, condition, sort_name: str | None, page: int):
    model = view.entity.model
    order = _order(view, model, sort_name)
    if order is None:
        return None
    query = sa.select(model.__table__).order_by(*order)
    if condition is not None:
        query = query.where(condition)
    return query.offset(page * view.page_size).limit(view.page_size)


def _filter_arg(view) -> tuple[str, str] | None:
    """(URL argument, value) of the first of the view's filters that offers choices."""
    for index, flt in enumerate(view._filters or ()):
        try:
            options = flt.get_options(view)
        except Exception:  # noqa: BLE001 - a filter without choices is skipped
            options = None
        if options:
            return f"flt0_{view.get_filter_arg(index, flt)}", str(options[0][0])
    return None


def list_pages(app, role: str, condition_for) -> list[Page]:
    """Every list page the role reads. `condition_for(model, scope)` gives the scope's
    WHERE condition (None: every row)."""
    pages = []
    for name, view in entity_views(app).items():
        grant = view.entity.grant(role)
        if not grant.allows("R"):
            continue
        condition = condition_for(view.entity.model, grant.scope)
        base = view.url + "/"
        pages.append(Page(f"{name} list", base, floor=_floor(view, condition, None, 0)))
        pages.append(Page(f"{name} page 1000", base + "?page=999",
                          floor=_floor(view, condition, None, 999)))
        if view.column_searchable_list:
            searched = " ".join(map(str, view.column_searchable_list))
            term = SEARCH_TERMS[0] if "name" in searched else SEARCH_TERMS[1]
            pages.append(Page(f"{name} search", f"{base}?search={term}"))
        found = _filter_arg(view)
        if found:
            pages.append(Page(f"{name} filter", f"{base}?{found[0]}={found[1]}"))
        listed = [column for column, _ in view._list_columns]
        for sort_name in view._sortable_columns or ():
            if sort_name in listed:
                pages.append(Page(f"{name} sort {sort_name}",
                                  f"{base}?sort={listed.index(sort_name)}",
                                  floor=_floor(view, condition, sort_name, 0)))
    return pages


def first_id(html: str, view_url: str) -> str | None:
    """The id of the first row linked to `view_url`'s details page in a rendered list."""
    found = re.search(re.escape(view_url) + r"/details/\?id=(\d+)", html)
    return found.group(1) if found else None


def work_pages(app, role: str, open_ids: dict[str, str | None]) -> list[Page]:
    """The start page and the work pages the role may open. `open_ids` holds the id of a
    record the role works on for the step pages (ticket, dispatch, return_visit)."""
    from admin_views.dashboard import CHARTS

    views = entity_views(app)
    pages = [Page("start page", "/admin/")]
    if role in CHARTS:
        pages.append(Page("dashboard", "/admin/dashboard/"))

    def may(name: str, letter: str = "R") -> bool:
        return name in views and views[name].entity.grant(role).allows(letter)

    def url(name: str) -> str:
        return views[name].url

    if may("bill"):
        pages += [Page("arrears", f"{url('bill')}/arrears/"),
                  Page("collection by project",
                       f"{url('bill')}/collection/?year={YEAR}&by=project"),
                  Page("collection by steward",
                       f"{url('bill')}/collection/?year={YEAR}&by=steward")]
    if may("bill", "C"):
        pages.append(Page("bill run (page)", f"{url('bill')}/run/"))
    if may("fee_standard"):
        pages.append(Page("fee sheet", f"{url('fee_standard')}/sheet/?id=1"))
    if may("monthly_assessment"):
        pages += [Page("month run (page)", f"{url('monthly_assessment')}/run/?period={PERIOD}"),
                  Page("bonus sheet", f"{url('monthly_assessment')}/bonus/?period={PERIOD}")]
    if may("monthly_assessment", "C"):
        pages.append(Page("month run (team, POST)", f"{url('monthly_assessment')}/run/",
                          method="POST", data={"period": PERIOD}))
    if may("annual_assessment"):
        pages.append(Page("year run (page)", f"{url('annual_assessment')}/run/?period={YEAR}"))
    for name in ("ticket", "dispatch", "return_visit"):
        if may(name) and open_ids.get(name):
            pages.append(Page(f"{name} handling", f"{url(name)}/step/?id={open_ids[name]}"))
    return pages


def open_record_ids(session, condition_for, role: str, views: dict) -> dict[str, str | None]:
    """The newest open ticket, dispatched part and planned return visit the role works on."""
    from models import Dispatch, ReturnVisit, Ticket

    wanted = {
        "ticket": (Ticket, Ticket.status.in_(("new", "accepted", "in_progress"))),
        "dispatch": (Dispatch, Dispatch.status.in_(("waiting", "taken"))),
        "return_visit": (ReturnVisit, ReturnVisit.visited_at.is_(None)),
    }
    found = {}
    for name, (model, open_condition) in wanted.items():
        view = views.get(name)
        if view is None or not view.entity.grant(role).allows("R"):
            continue
        query = sa.select(model.id).where(open_condition).order_by(model.id.desc()).limit(1)
        scope = condition_for(model, view.entity.grant(role).scope)
        if scope is not None:
            query = query.where(scope)
        value = session.scalar(query)
        found[name] = str(value) if value is not None else None
    return found
