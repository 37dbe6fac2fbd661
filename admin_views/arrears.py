"""The arrears page's parts (P-FEE-2): its filters from the URL, the choices they offer
within what the user may read, and its download — one row per household, money as numbers.
The figures come from models/arrears.py."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from extensions import db
from models import Building, Project, Staff, arrears
from services import cells

from .exports import BOM, XLSX, attachment
from .formats import moment
from .generated import as_id, scope_condition, scoped_query
from .masking import personal_value

BUCKET_LABELS = {"0-30": _l("≤ 30 days"), "31-90": _l("31–90 days"),
                 "91-180": _l("91–180 days"), "180+": _l("> 180 days")}


def filters_from_request() -> arrears.Filters:
    """The page's filters as typed in the URL; one that is not a choice is dropped, saying so."""
    bucket = request.args.get("bucket") or None
    if bucket is not None and bucket not in BUCKET_LABELS:
        flash(gettext("Choose an aging bucket from the list."), "error")
        bucket = None
    return arrears.Filters(project_id=as_id(request.args.get("project")),
                           building_id=as_id(request.args.get("building")),
                           steward_id=as_id(request.args.get("steward")), bucket=bucket)


def filter_args(filters: arrears.Filters) -> dict:
    """The filters as URL arguments, for the page's links (pages, downloads)."""
    return {name: value for name, value in (
        ("project", filters.project_id), ("building", filters.building_id),
        ("steward", filters.steward_id), ("bucket", filters.bucket)) if value is not None}


def choices(filters: arrears.Filters, role: str) -> dict:
    """What each filter offers: the projects the user may read, the chosen project's
    buildings, and the stewards of the user's scope (none for a steward: it is them)."""
    projects = scoped_query(Project).order_by(Project.name).all()
    buildings = (scoped_query(Building).filter(Building.project_id == filters.project_id)
                 .order_by(Building.name_key).all() if filters.project_id else [])
    stewards = (scoped_query(Staff).filter(Staff.position == "steward")
                .order_by(Staff.employee_no).all() if role in ("admin", "supervisor") else [])
    return {"projects": projects, "buildings": buildings, "stewards": stewards}


HEADERS = (_l("Project"), _l("Building"), _l("Room"), _l("Owner"), _l("Phone"), _l("Steward"),
           _l("Bills"), _l("Owed"), _l("Oldest due date"), _l("Days overdue"),
           _l("Aging"), _l("Last reminder"))


def download(kind: str, entity, today: date, filters: arrears.Filters) -> Response:
    """Every household in arrears the page would list, as xlsx or csv (UTF-8 with a BOM):
    bills and money as numbers, the phone masked as on the screen."""
    scope = scope_condition(entity)
    found, _ = arrears.households(db.session, today, filters, scope, limit=None,
                                  with_bills=False)
    last = arrears.last_reminded(db.session, today, filters, scope)
    rows = [[h.unit.building.project.name, h.unit.building.name, h.unit.number,
             h.owner.name if h.owner else "",
             personal_value(h.owner, "phone") if h.owner else "",
             str(h.unit.steward or ""), h.bill_count, h.owed, h.oldest_due, h.days(today),
             str(BUCKET_LABELS[h.bucket(today)]),
             moment(last.get((h.unit.id, h.owner.id if h.owner else None)))]
            for h in found]
    headers = [str(h) for h in HEADERS]
    name = f"{gettext('Arrears')}_{today:%Y-%m-%d}.{kind}"
    fallback = f"arrears_{today:%Y-%m-%d}.{kind}"
    if kind == "xlsx":
        return Response(cells.xlsx(headers, rows, title=str(today)), mimetype=XLSX,
                        headers=attachment(name, fallback))
    return Response(BOM + cells.csv_text(headers, rows), mimetype="text/csv; charset=utf-8",
                    headers=attachment(name, fallback))


