"""The four users' journeys in a real browser (Debian chromium through Playwright), on the
demo data, in Chinese. Each also tries a page its role may not open and sees it refused,
and each saves a screenshot of its landing page in test-artifacts/. No request may leave
the machine (the `tab` fixture blocks and fails on any).

Pickers built with select2 are set through their underlying input (`tab.set_value`); every
form is still submitted by the browser as a user would."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine

from extensions import db as database
from models import (
    MonthlyAssessment,
    Owner,
    Ownership,
    Staff,
    Ticket,
    TicketEvent,
    TrainingResult,
    TrainingSession,
    Unit,
    User,
)

from ..helpers import one

pytestmark = pytest.mark.screens  # the screens, not the database: the SQLite pass

REFUSED = "您没有权限执行此操作"


def refused(tab, path: str) -> None:
    response = tab.go(path)
    assert response.status == 403 and REFUSED in tab.page.content()


def save(tab) -> None:
    """Press the form's Save button (an open date picker may lie over it: close it first)."""
    tab.page.keyboard.press("Escape")
    with tab.page.expect_navigation():
        tab.page.locator("input[type=submit].btn-primary").first.dispatch_event("click")


def staff_of(app, username: str) -> int:
    with app.app_context():
        return database.session.scalar(sa.select(User.staff_id).where(User.username == username))


def test_office_admin_adds_an_owner_to_a_unit_and_edits_the_unit(app, tab):
    with app.app_context():
        unit = database.session.scalars(sa.select(Unit).order_by(Unit.id)).first()
        unit_id = unit.id
    tab.sign_in("admin")
    assert "物业管家后台" in tab.page.title()
    tab.screenshot("landing-admin")
    tab.go("/admin/owner/new/")
    tab.page.fill("#name", "浏览器业主")
    tab.page.fill("#phone", "13912340000")
    save(tab)
    owner = one(app, Owner, phone="13912340000")
    assert owner is not None and owner.name == "浏览器业主"
    tab.go("/admin/ownership/new/")
    tab.set_value("#owner", owner.id)
    tab.set_value("#unit", unit_id)
    # the unit has its primary owner: the newcomer is a co-owner (P-OWN-1, one at a time)
    tab.page.uncheck("#is_primary")
    tab.page.fill("#since", "2026-11-20")
    save(tab)
    with app.app_context():
        assert database.session.scalar(sa.select(sa.func.count(Ownership.id)).where(
            Ownership.owner_id == owner.id, Ownership.unit_id == unit_id)) == 1
    tab.go(f"/admin/unit/edit/?id={unit_id}")
    tab.page.fill("#area", "99.50")
    save(tab)
    assert one(app, Unit, id=unit_id).area == Decimal("99.50")
    refused(tab, "/admin/monthly-assessment/new/")


def test_hr_records_an_onboarding_exam_and_puts_the_steward_on_duty(app, tab):
    newcomer = staff_of(app, "steward7")
    with app.app_context():
        course = database.session.scalars(sa.select(TrainingSession.id).join(
            TrainingSession.program).where(sa.text("training_program.kind = 'onboarding'"))
            .order_by(TrainingSession.starts_on.desc())).first()
    tab.sign_in("hr")
    tab.screenshot("landing-hr")
    tab.page.click("#waiting-exam a:has-text('登记考试成绩')")
    tab.page.wait_for_url("**/training-result/new/**")
    tab.set_value("#session", course)
    tab.page.fill("#taken_on", "2026-11-18")
    tab.page.fill("#exam_score", "86")
    save(tab)
    result = one(app, TrainingResult, staff_id=newcomer)
    assert (result.passed, result.attempt) == (True, 1)
    tab.go("/admin/staff/")
    tab.page.check(f"input.action-checkbox[value='{newcomer}']")
    tab.page.click("a.dropdown-toggle:has-text('批量操作')")
    tab.page.click("a:has-text('正式上岗')")
    tab.page.wait_for_load_state()
    assert "已正式上岗" in tab.page.content()
    assert one(app, Staff, id=newcomer).status == "on_duty"
    refused(tab, "/admin/ticket/")


def test_a_supervisor_confirms_one_of_the_months_assessments_P_ASM_1(app, tab):
    """November is confirmed once it is over: the app's clock stands at 2 December."""
    with time_machine.travel(datetime(2026, 12, 2, 2, 0, tzinfo=UTC)):
        _confirm_november(app, tab)


def _confirm_november(app, tab):
    tab.sign_in("supervisor1")
    tab.screenshot("landing-supervisor")
    tab.go("/admin/monthly-assessment/run/?period=2026-11")
    tab.page.click("#run-table a >> nth=0")
    tab.page.wait_for_url("**/sheet/**")
    assessment_id = int(tab.page.url.split("id=")[1])
    tab.page.fill("#task_score", "88")
    tab.page.click("#sheet-save button")
    tab.page.wait_for_load_state()
    tab.page.click("#sheet-confirm button")
    tab.page.wait_for_load_state()
    assert "已确认" in tab.page.inner_text("#sheet-status")
    done = one(app, MonthlyAssessment, id=assessment_id)
    assert (done.status, done.task_score, done.confirmed_by) == (
        "confirmed", Decimal("88.00"), "supervisor1")
    refused(tab, "/admin/user/")


def test_a_steward_takes_a_ticket_from_intake_to_closed(app, tab):
    me = staff_of(app, "steward1")
    with app.app_context():
        unit_id = database.session.scalar(sa.select(Unit.id).where(Unit.steward_id == me))
    tab.sign_in("steward1")
    tab.screenshot("landing-steward")
    tab.go("/admin/ticket/new/")
    tab.page.fill("#code", "TB-0001")
    tab.set_value("#unit", unit_id)
    tab.page.fill("#contact_name", "李女士")
    tab.page.fill("#contact_phone", "13600001111")
    tab.set_value("#category", "repair")
    tab.page.check("#urgent")
    tab.page.fill("#description", "卫生间漏水")
    save(tab)
    ticket = one(app, Ticket, code="TB-0001")
    assert (ticket.status, ticket.priority, ticket.steward_id) == ("new", "P2", me)
    tab.go("/admin/ticket/")
    tab.page.click("a:has-text('TB-0001')")
    tab.page.wait_for_url("**/ticket/step/**")

    def engineering_does_its_part():
        """P-TKT-3: the engineer takes the work from the department's queue and marks it
        done; then the steward resolves."""
        handling = tab.page.url
        tab.page.context.clear_cookies()
        tab.sign_in("engineer1")
        tab.screenshot("landing-department")
        tab.page.click("#queue-waiting a:has-text('TB-0001')")
        tab.page.wait_for_url("**/dispatch/step/**")
        tab.page.click("#dispatch-take button[type=submit]")
        tab.page.wait_for_load_state()
        tab.page.fill("#dispatch-note-text", "更换了角阀")
        tab.page.click("#dispatch-done")
        tab.page.wait_for_load_state()
        assert "已完成" in tab.page.inner_text("#dispatch-status")
        tab.page.context.clear_cookies()
        tab.sign_in("steward1")
        tab.page.goto(handling)
        assert "更换了角阀" in tab.page.inner_text("#ticket-dispatches")

    steps = [("accept", None), ("start", lambda: tab.page.select_option("#department",
                                                                        "engineering")),
             ("department", engineering_does_its_part),
             ("resolve", lambda: tab.page.fill("#resolution", "更换了角阀")),
             ("feedback", lambda: (tab.page.select_option("#rating", "5"),
                                   tab.page.fill("#note", "很满意"))),
             ("close", None)]
    for name, fill in steps:
        if fill:
            fill()
        if name == "department":
            continue
        tab.page.click(f"#step-{name} button[type=submit]")
        tab.page.wait_for_load_state()
    assert "已关闭" in tab.page.inner_text("#ticket-status")
    closed = one(app, Ticket, code="TB-0001")
    assert (closed.status, closed.satisfaction, closed.department) == ("closed", 5, "engineering")
    with app.app_context():
        assert database.session.scalar(sa.select(sa.func.count(TicketEvent.id)).where(
            TicketEvent.ticket_id == closed.id)) == 7  # 5 steps, engineering's 2
    refused(tab, "/admin/staff/new/")
