"""Each role lands on the work waiting for it, with working links."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa
import time_machine

from extensions import db as database
from models import RewardPenalty, Staff, Ticket, User

from .conftest import login


def links(html: str) -> list[str]:
    return re.findall(r'href="(/admin/[^"]+)"', html)


def staff_id(app, username: str) -> int:
    with app.app_context():
        return database.session.scalar(sa.select(User.staff_id).where(User.username == username))


def test_a_steward_lands_on_their_open_tickets_visits_and_arrears(app, db):
    client = login(app.test_client(), "steward1")
    page = client.get("/admin/").get_data(as_text=True)
    me = staff_id(app, "steward1")
    with app.app_context():
        expected = list(database.session.scalars(sa.select(Ticket.code).where(
            Ticket.steward_id == me,
            Ticket.status.in_(("new", "accepted", "in_progress", "resolved")))
            .order_by(Ticket.due_at)))
    table = page.split('id="my-tickets"')[1].split("</table>")[0]
    assert re.findall(r">(T\d{6}-\d{4})<", table) == expected[:15]
    assert 'id="my-arrears"' in page and 'id="visits-due"' in page
    for href in links(table) + links(page.split('id="my-arrears"')[1].split("</div>")[0]):
        assert client.get(href).status_code == 200, href


def test_a_supervisor_lands_on_the_teams_overdue_tickets_and_drafts_P_ASM_1(app, db):
    """The demo's November drafts are previews while November runs and wait to be
    confirmed once it is over."""
    with time_machine.travel(datetime(2026, 11, 27, 2, 0, tzinfo=UTC), tick=False):
        client = login(app.test_client(), "supervisor1")
        page = client.get("/admin/").get_data(as_text=True)
        drafts = page.split('id="drafts"')[1].split("</ul>")[0]
        assert drafts.count("/admin/monthly-assessment/sheet/") == 0
    with time_machine.travel(datetime(2026, 12, 2, 2, 0, tzinfo=UTC), tick=False):
        client = login(app.test_client(), "supervisor1")
        page = client.get("/admin/").get_data(as_text=True)
        drafts = page.split('id="drafts"')[1].split("</ul>")[0]
        assert drafts.count("/admin/monthly-assessment/sheet/") == 3  # November's, one each
        overdue = page.split('id="team-overdue"')[1].split("</table>")[0]
        for href in links(drafts) + links(overdue):
            assert client.get(href).status_code == 200, href


def test_hr_lands_on_the_newcomer_and_the_suggestions_to_decide(app, db):
    with app.app_context():
        person = database.session.scalar(sa.select(Staff).where(Staff.employee_no == "E104"))
        database.session.add(RewardPenalty(staff=person, kind="warning", reason="测试",
                                           status="pending"))
        database.session.commit()
    client = login(app.test_client(), "hr")
    page = client.get("/admin/").get_data(as_text=True)
    waiting = page.split('id="waiting-exam"')[1].split("</table>")[0]
    assert "郑晓雨" in waiting
    decide = page.split('id="to-decide"')[1].split("</ul>")[0]
    assert "测试" in decide
    for href in links(waiting) + links(decide):
        assert client.get(href).status_code == 200, href
    form = client.get(links(waiting)[-1]).get_data(as_text=True)  # the exam form, prefilled
    assert re.search(rf'<option selected value="{staff_id(app, "steward7")}">', form)


def test_the_admin_lands_on_the_records_with_counts(app, db):
    client = login(app.test_client(), "admin")
    page = client.get("/admin/").get_data(as_text=True)
    section_html = page.split('id="landing-admin"')[1]
    hrefs = links(section_html)
    assert "/admin/owner/" in hrefs and len(hrefs) >= 30
    for href in hrefs[:5]:
        assert client.get(href).status_code == 200


def test_the_admins_counts_are_one_statement_capped_at_ten_thousand(app, db, monkeypatch):
    """Issue 16: the records' counts cost one statement whatever the company's size, each
    exact up to the cap and shown as "cap+" above it (3,600 bills with a cap of 1,000)."""
    import admin_views
    from tests.helpers import counted_queries

    client = login(app.test_client(), "admin")
    client.get("/admin/")
    with counted_queries() as statements:
        page = client.get("/admin/").get_data(as_text=True)
    counting = [s for s in statements if "count(" in s.lower()]
    assert len(counting) == 1, counting
    cards = page.split('id="landing-admin"')[1]
    assert ">300</span>" in cards.split('href="/admin/unit/"')[1][:200]  # exact below the cap
    monkeypatch.setattr(admin_views, "OVERVIEW_CAP", 1000)
    page = client.get("/admin/").get_data(as_text=True)
    cards = page.split('id="landing-admin"')[1]
    assert ">1,000+</span>" in cards.split('href="/admin/bill/"')[1][:200]
