"""Printing (issue 15, item 4): the assessment sheet and a ticket's service record are pages
for paper — the document only, with people's names, signature lines and the figures — opened
by the roles that may see what they are made of and refused to the others; every page prints
without its menus (static/print.css). The arrears notice: tests/test_printing_arrears.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from access import ENTITIES, ROLES
from admin_views.formats import money
from admin_views.generated import scoped_query
from admin_views.masking import mask
from extensions import db as database
from models import AnnualAssessment, Dispatch, MonthlyAssessment, Ticket

from .conftest import login
from .helpers import ACCOUNT, acting_as, all_ids, scoped_ids
from .printing_helpers import (
    assert_document_only,
    confirmed_month,
    dispatched_ticket,
    get,
    signed,
    staff_of,
    unit_in_arrears,
)
from .test_chinese_interface import english_words, visible_text

ROOT = Path(__file__).resolve().parents[1]


# ---- the assessment sheet -----------------------------------------------------------------
def test_the_monthly_sheet_prints_names_signature_lines_and_figures(app, db):
    """P-KPI-1…4: the supervisor prints the steward's confirmed month to sign."""
    sheet = confirmed_month(app, "steward1")
    steward, boss = staff_of(app, "steward1"), staff_of(app, "supervisor1")
    response = get(app, "supervisor1", f"/admin/print/monthly-sheet/?id={sheet}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert_document_only(page)
    assert "月度考核表" in page
    assert signed(steward) in page and signed(boss) in page
    assert "管家签字" in page and "主管签字" in page and page.count("日期") >= 2
    with app.app_context():
        row = database.session.get(MonthlyAssessment, sheet)
        total, period, who = row.total, row.period, row.confirmed_by
        bonus = row.bonus_amount
    assert f"<strong>{total}</strong>" in page and period in page
    if bonus is not None:
        with app.test_request_context():
            assert money(bonus) in page
    # people, not login names: the confirmer too
    assert who == "supervisor1" and ">supervisor1<" not in page and "steward1" not in page
    assert re.search(r"确认人</th><td>" + re.escape(signed(boss)) + r" · \d{4}-\d\d-\d\d \d\d:\d\d",
                     page)


def test_the_sheet_prints_for_who_may_see_it_and_no_one_else(app, db):
    """The same rows as the sheet: the steward their own confirmed months, the supervisor
    their team's, HR and the admin all; another team, another steward, a department and a
    draft the steward may not see yet are refused; an unknown sheet is not found."""
    sheet = confirmed_month(app, "steward1")
    steward = staff_of(app, "steward1")
    with app.app_context():
        draft = database.session.scalar(sa.select(MonthlyAssessment.id).where(
            MonthlyAssessment.staff_id == steward.id, MonthlyAssessment.status == "draft"))
    path = "/admin/print/monthly-sheet/?id={}"
    for username, code in (("steward1", 200), ("supervisor1", 200), ("hr", 200),
                           ("admin", 200), ("steward2", 403), ("supervisor2", 403),
                           ("engineer1", 403)):
        assert get(app, username, path.format(sheet)).status_code == code, username
    assert get(app, "steward1", path.format(draft)).status_code == 403
    assert get(app, "supervisor1", path.format(draft)).status_code == 200
    assert get(app, "admin", path.format(99999999)).status_code == 404
    assert get(app, "admin", path.format("x")).status_code == 404
    response = login(app.test_client(), "steward1").get(path.format(sheet))
    assert response.status_code == 200  # any day: the page reads no clock of its own


def test_the_annual_sheet_prints_for_the_team_and_not_elsewhere(app, db):
    """P-ASM-2: the year's parts, its confirmed months and the two signature lines."""
    steward = staff_of(app, "steward1")
    with app.app_context():
        row = database.session.scalar(sa.select(AnnualAssessment).where(
            AnnualAssessment.staff_id == steward.id))
        sheet, year = row.id, row.year
    path = f"/admin/print/annual-sheet/?id={sheet}"
    response = get(app, "supervisor1", path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert_document_only(page)
    assert "年度考核表" in page and str(year) in page and signed(steward) in page
    assert "管家签字" in page and "主管签字" in page
    assert f"{year}-01" in page  # the confirmed months of the year
    assert get(app, "supervisor2", path).status_code == 403
    assert get(app, "engineer1", path).status_code == 403


def test_the_sheet_page_and_its_details_link_to_the_print(app, db):
    sheet = confirmed_month(app, "steward1")
    client = login(app.test_client(), "supervisor1")
    for path in (f"/admin/monthly-assessment/sheet/?id={sheet}",
                 f"/admin/monthly-assessment/details/?id={sheet}"):
        page = client.get(path).get_data(as_text=True)
        assert f'href="/admin/print/monthly-sheet/?id={sheet}"' in page, path
        assert 'id="print-link"' in page


# ---- a ticket's service record ------------------------------------------------------------
def test_the_service_record_prints_the_ticket_its_history_and_signature_lines(app, db):
    """P-TKT-1…7 on paper: code, "项目 楼栋-房号", contact (in full for the owner's steward),
    category, description, the history in company time with people's names, departments'
    parts, resolution and satisfaction, and lines for the owner and the steward to sign."""
    ticket_id, _part = dispatched_ticket(app, "engineering", "steward1")
    response = get(app, "steward1", f"/admin/print/ticket/?id={ticket_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert_document_only(page)
    with app.app_context():
        ticket = database.session.get(Ticket, ticket_id)
        unit = ticket.unit
        expected_unit = f"{unit.building.project.name} {unit.building.name}-{unit.number}"
        code, phone, description = ticket.code, ticket.contact_phone, ticket.description
        first = ticket.events[0]
        first_at = first.at.astimezone(ZoneInfo("Asia/Shanghai"))
        actors = {e.actor for e in ticket.events}
        done_note = ticket.dispatches[0].done_note
    assert "服务记录单" in page and code in page and expected_unit in page
    assert f'id="record-phone">{phone}<' in page
    assert description in page and "工程部" in page and (done_note or "") in page
    assert first_at.strftime("%Y-%m-%d %H:%M") in page  # company time, not UTC
    assert "业主签字" in page and "管家签字" in page
    assert signed(staff_of(app, "steward1")) in page
    assert not any(f">{actor}<" in page for actor in actors if actor)  # names, not logins


def test_the_service_record_masks_the_phone_as_the_screen_does(app, db):
    """A supervisor and a department see a ticket's contact phone masked (docs/security.md)."""
    ticket_id, _part = dispatched_ticket(app, "engineering", "steward1")
    with app.app_context():
        phone = database.session.get(Ticket, ticket_id).contact_phone
    for username in ("supervisor1", "engineer1"):
        page = get(app, username, f"/admin/print/ticket/?id={ticket_id}").get_data(as_text=True)
        assert f'id="record-phone">{mask(phone)}<' in page, username
        assert phone not in page, username


def test_the_service_record_prints_for_who_may_see_the_ticket_and_no_one_else(app, db):
    """A steward their own units' tickets, the supervisor the team's, a department the
    tickets it has a part of (its part only); others are refused."""
    ticket_id, part = dispatched_ticket(app, "engineering", "steward1")
    path = f"/admin/print/ticket/?id={ticket_id}"
    for username, code in (("steward1", 200), ("supervisor1", 200), ("admin", 200),
                           ("engineer1", 200), ("steward2", 403), ("supervisor2", 403),
                           ("hr", 403), ("security1", 403)):
        assert get(app, username, path).status_code == code, username
    assert get(app, "steward1", "/admin/print/ticket/?id=99999999").status_code == 404
    # a department reads its part, not the ticket's whole history
    with app.app_context():
        other_notes = [e.note for e in database.session.get(Ticket, ticket_id).events
                       if e.dispatch_id != part and e.note]
    page = get(app, "engineer1", path).get_data(as_text=True)
    history = page[page.index('id="record-history"'):page.index('id="record-result"')]
    assert "工程部" in history
    assert other_notes and not any(note in history for note in other_notes)


def test_the_handling_page_details_and_the_departments_page_link_to_the_record(app, db):
    ticket_id, part = dispatched_ticket(app, "engineering", "steward1")
    target = f'href="/admin/print/ticket/?id={ticket_id}"'
    steward = login(app.test_client(), "steward1")
    assert target in steward.get(f"/admin/ticket/step/?id={ticket_id}").get_data(as_text=True)
    assert target in steward.get(f"/admin/ticket/details/?id={ticket_id}").get_data(
        as_text=True)
    engineer = login(app.test_client(), "engineer1")
    assert target in engineer.get(f"/admin/dispatch/step/?id={part}").get_data(as_text=True)


# ---- the declaration decides, for every role -------------------------------------------------
DOCUMENTS = [("monthly_assessment", "/admin/print/monthly-sheet/?id={}", ("monthly_assessment",)),
             ("annual_assessment", "/admin/print/annual-sheet/?id={}", ("annual_assessment",)),
             ("ticket", "/admin/print/ticket/?id={}", ("ticket",)),
             ("unit", "/admin/print/arrears/?unit={}", ("unit", "bill"))]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("entity", "path", "needs"), DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_every_document_follows_the_access_declaration(app, db, role, entity, path, needs):
    """A role prints one of its own records when access.py lets it read what the document
    is made of, and is refused (403) otherwise; a department prints a ticket it has a part
    of (its dispatched work, scope "department")."""
    username = ACCOUNT[role]
    allowed = all(ENTITIES[name].grant(role).allows("R") for name in needs)
    ids = scoped_ids(app, entity, username) if allowed else all_ids(app, entity)
    if entity == "ticket" and ENTITIES["dispatch"].grant(role).scope == "department":
        allowed, ids = True, sorted({t for (t,) in _parts_of(app, username)})
    assert ids, f"no {entity} row for {username}"
    assert get(app, username, path.format(ids[0])).status_code == (200 if allowed else 403)


def _parts_of(app, username: str):
    with acting_as(app, username):
        return scoped_query(Dispatch).with_entities(Dispatch.ticket_id).all()


# ---- every page on paper, and the words -----------------------------------------------------
def test_every_page_prints_without_its_menus(app, db):
    """static/print.css, linked from every page: A4 portrait, and in print no navigation,
    flashes, forms, buttons, filters or return links; links as text; rows kept whole."""
    page = login(app.test_client(), "admin").get("/admin/ticket/").get_data(as_text=True)
    assert '<link href="/static/print.css" rel="stylesheet">' in page
    css = (ROOT / "static" / "print.css").read_text(encoding="utf-8")
    assert "size: A4 portrait" in css
    rules = css[css.index("@media print"):]
    for selector in (".navbar", ".nav-tabs", ".alert-dismissable", "form", "button", ".btn",
                     ".filters", ".pagination", ".print-toolbar"):
        assert re.search(rf"^\s*{re.escape(selector)},?$", rules, re.M), selector
    assert "a[href]::after" in rules and "break-inside: avoid" in rules


@pytest.mark.screens
def test_the_printed_documents_are_in_chinese(app, db):
    sheet = confirmed_month(app, "steward1")
    ticket_id, _part = dispatched_ticket(app, "engineering", "steward1")
    unit_id = unit_in_arrears(app, "steward1")
    with app.app_context():
        annual = database.session.scalar(sa.select(AnnualAssessment.id).where(
            AnnualAssessment.staff_id == staff_of(app, "steward1").id))
    for path in (f"/admin/print/monthly-sheet/?id={sheet}",
                 f"/admin/print/annual-sheet/?id={annual}",
                 f"/admin/print/ticket/?id={ticket_id}", f"/admin/print/arrears/?unit={unit_id}"):
        page = get(app, ACCOUNT["supervisor"], path).get_data(as_text=True)
        assert english_words(visible_text(page), set()) == set(), path
