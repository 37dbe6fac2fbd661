"""Arrears by household (P-FEE-2): one row per unit and owner billed, with what they owe, how
long, and the last reminder; filters by project, building, steward and aging; the download
in numbers Excel can add up — on the demo data, against the same figures counted by hand."""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import load_workbook

from extensions import db as database
from models import Bill, Building, Project, Unit
from models.queries import company_today
from rules import billing

from .helpers import flashes, scoped_ids

PAGE = "/admin/bill/arrears/"


def by_hand(app, **where) -> dict[tuple[str, str, str], tuple[int, Decimal, int]]:
    """(building, room, owner) → (bills, owed, oldest days) over every overdue unpaid bill."""
    with app.app_context():
        today = company_today()
        query = (sa.select(Bill).join(Bill.unit).join(Unit.building)
                 .where(Bill.status.in_(("unpaid", "partly_paid")), Bill.due_date < today))
        if "project_id" in where:
            query = query.where(Building.project_id == where["project_id"])
        found: dict = defaultdict(lambda: [0, Decimal(0), 0])
        for bill in database.session.scalars(query):
            days = billing.days_overdue(bill.due_date, today)
            if "bucket" in where and billing.aging_bucket(days) != where["bucket"]:
                continue
            key = (bill.unit.building.name, bill.unit.number, bill.owner.name if bill.owner else "")
            found[key][0] += 1
            found[key][1] += bill.amount - bill.paid_amount
            found[key][2] = max(found[key][2], days)
        return {key: tuple(value) for key, value in found.items()}


def downloaded(client, query: str = "") -> list[dict]:
    response = client.get(f"{PAGE}?export=xlsx&lang=en{query}")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_one_row_per_household_and_the_totals_add_up_P_FEE_2(app, db, as_role):
    client = as_role("admin")
    expected = by_hand(app)
    rows = downloaded(client)
    assert len(rows) == len(expected) > 0
    assert {(r["Building"], r["Room"], r["Owner"]): (r["Bills"], r["Owed"], r["Days overdue"])
            for r in rows} == {k: (n, float(owed), days) for k, (n, owed, days)
                               in expected.items()}
    assert all(isinstance(r["Owed"], int | float) for r in rows)  # numbers, not text
    page = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    totals = page.split('id="arrears-totals"')[1].split("</p>")[0]
    bills = sum(n for n, _, _ in expected.values())
    assert f"{len(expected):,} households, {bills:,} bills" in totals
    # the longest overdue household comes first
    first = page.split('id="arrears-list"')[1].split("<tbody>")[1].split("</tr>")[0]
    oldest = max(expected.items(), key=lambda item: item[1][2])
    assert f">{oldest[1][2]} <" in first


def test_filters_narrow_the_households_and_a_bad_one_is_explained(app, db, as_role):
    client = as_role("admin")
    with app.app_context():
        project = database.session.scalar(sa.select(Project).where(Project.code == "JX"))
    rows = downloaded(client, f"&project={project.id}")
    assert {r["Project"] for r in rows} == {project.name}
    assert len(rows) == len(by_hand(app, project_id=project.id))
    old = downloaded(client, "&bucket=31-90")
    assert old and len(old) == len(by_hand(app, bucket="31-90"))
    response = client.get(f"{PAGE}?bucket=999", follow_redirects=True)
    assert response.status_code == 200 and flashes(response)


def test_a_stewards_download_is_their_own_households_with_a_bom(app, db, as_role):
    client = as_role("steward1")
    response = client.get(f"{PAGE}?export=csv")
    assert response.status_code == 200 and response.data.startswith("\ufeff".encode())
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    own_bills = set(scoped_ids(app, "bill", "steward1"))
    with app.app_context():
        rooms = set(database.session.scalars(
            sa.select(Unit.number).join(Bill, Bill.unit_id == Unit.id)
            .where(Bill.id.in_(own_bills))))
    lines = response.data.decode("utf-8-sig").splitlines()[1:]
    assert lines and {line.split(",")[2] for line in lines} <= rooms


def test_each_household_links_its_arrears_notice_with_the_same_figures_P_FEE_2(
        app, db, as_role):
    """The household's "print an arrears notice" opens the notice for that unit and owner,
    and the notice owes what the row owes."""
    import re

    client = as_role("steward1")
    page = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    row = page.split('id="arrears-list"')[1].split("<tbody>")[1].split("</tr>")[0]
    link = re.search(r'href="(/admin/print/arrears/\?[^"]+)"', row).group(1).replace("&amp;", "&")
    owed = re.findall(r'<td class="text-right">([^<]*\d)</td>', row)[0]
    notice = client.get(link + "&lang=en")
    assert notice.status_code == 200 and owed in notice.get_data(as_text=True)
