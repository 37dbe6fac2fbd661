"""The owner's page /o/<token> (issue 14 items 4 and 5): the owner follows their request —
only the progress the steward shared (P-TKT-4) — and rates it on the policy's dimensions
(P-TKT-5, P-OWN-3, P-KPI-1); a poor rating reopens it with a rework (P-TKT-6); the owner
opts out of non-essential notices (P-COM-1). Refused links, CSRF and the throttle."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from extensions import db as database
from models import AuditEntry, Owner, Ticket, TicketEvent
from models.queries import activity_record, local_date
from rules import owner_feedback
from rules.refusal import Refused
from services import owner_links
from services.tickets import take_step

from .conftest import ROOT, login
from .owner_page_helpers import (
    INTERNAL,
    NOW,
    SHARED,
    link_to_a,
    rating_form,
    resolve_again,
    resolved_ticket,
)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _ticket(app, ticket_id: int) -> Ticket:
    with app.app_context():
        ticket = database.session.get(Ticket, ticket_id)
        database.session.expunge_all()
        return ticket


def test_the_owner_sees_the_request_and_only_the_shared_progress_P_TKT_4(app, client, frozen):
    prepared = resolved_ticket(app)
    response = client.get(prepared.path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    with app.app_context():
        ticket = database.session.get(Ticket, prepared.ticket_id)
        assert ticket.code in page and ticket.description in page
        assert f"{ticket.unit.building.name}-{ticket.unit.number}" in page
        assert "已解决" in page  # the status in words, in Chinese
        assert SHARED in page
        # never an internal note, the contact's or the steward's phone, a staff name
        assert INTERNAL not in page and "更换了漏水的水管" not in page
        assert ticket.contact_phone not in page
        if ticket.steward and ticket.steward.phone:
            assert ticket.steward.phone not in page
        assert "steward1" not in page
        # nobody else's data: no other owner's name
        others = database.session.scalars(sa.select(Owner.name).where(
            Owner.id != ticket.owner_id).limit(300)).all()
        assert not [name for name in others if name in page and name != ticket.owner.name]
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert 'name="rating_attitude"' in page


def test_a_rating_of_2_reopens_the_ticket_with_a_rework_P_TKT_6(app, client, frozen):
    prepared = resolved_ticket(app)
    rework_before = _ticket(app, prepared.ticket_id).rework_count
    response = client.post(prepared.path + "/rate", data=rating_form(4, 2, 3, "水还在漏"))
    assert response.status_code == 200
    assert "重新处理" in response.get_data(as_text=True)
    with app.app_context():
        ticket = database.session.get(Ticket, prepared.ticket_id)
        assert ticket.status == "in_progress" and ticket.rework_count == rework_before + 1
        assert ticket.satisfaction == 2  # the lowest of the three
        assert (ticket.rating_attitude, ticket.rating_efficiency, ticket.rating_solving) == (
            4, 2, 3)
        assert ticket.feedback_source == "owner" and ticket.feedback == "水还在漏"
        event = ticket.events[-1]
        assert event.actor == f"owner:{prepared.owner_id}" and event.note == "水还在漏"
        assert (event.from_status, event.to_status) == ("resolved", "in_progress")
    # the link is spent: it says so (410), and the reworked ticket's next link works
    used = client.get(prepared.path)
    assert used.status_code == 410 and "已用于评价" in used.get_data(as_text=True)
    again = client.post(prepared.path + "/rate", data=rating_form(5, 5, 5))
    assert again.status_code == 410
    fresh = resolve_again(app, prepared.ticket_id)
    assert client.post(fresh + "/rate", data=rating_form(5, 5, 4)).status_code == 200
    assert _ticket(app, prepared.ticket_id).status == "feedback_given"


def test_a_rating_of_5_lets_the_ticket_close_P_TKT_5(app, client, frozen):
    prepared = resolved_ticket(app)
    response = client.post(prepared.path + "/rate", data=rating_form(5, 5, 5, "很满意"))
    assert response.status_code == 200 and "感谢" in response.get_data(as_text=True)
    with app.test_request_context():
        ticket = database.session.get(Ticket, prepared.ticket_id)
        assert ticket.status == "feedback_given" and ticket.satisfaction == 5
        assert ticket.feedback_source == "owner"
        take_step(database.session, ticket, "close", actor="steward1")
        database.session.commit()
        assert ticket.status == "closed"


def test_the_owners_rating_counts_in_the_satisfaction_kpi_with_its_source_P_KPI_1(
        app, client, frozen):
    prepared = resolved_ticket(app)
    client.post(prepared.path + "/rate", data=rating_form(5, 4, 5))
    with app.test_request_context():
        ticket = database.session.get(Ticket, prepared.ticket_id)
        take_step(database.session, ticket, "close", actor="steward1")
        database.session.commit()
        day = local_date(ticket.closed_at)
        record = activity_record(database.session, ticket.steward, day, day, "Asia/Shanghai")
        assert ("ticket", ticket.code, 4, "owner") in record.ratings
        # a rating the steward records is the steward's
        other = database.session.scalars(sa.select(Ticket).where(
            Ticket.status == "resolved")).first()
        if other is not None:
            take_step(database.session, other, "feedback", actor="steward1", rating=4)
            assert other.feedback_source == "steward" and other.rating_solving is None


def test_the_rating_needs_all_three_dimensions_and_a_resolved_ticket_P_OWN_3(
        app, client, frozen):
    prepared = resolved_ticket(app)
    form = rating_form(5, 5, 5)
    del form["rating_solving"]
    response = client.post(prepared.path + "/rate", data=form)
    assert response.status_code == 400 and "解决问题" in response.get_data(as_text=True)
    assert _ticket(app, prepared.ticket_id).status == "resolved"
    bad = client.post(prepared.path + "/rate", data=rating_form(5, 9, 5))
    assert bad.status_code == 400
    # a request not waiting for a rating (here: closed) shows no form and takes none
    done = link_to_a(app, "closed")
    before = _ticket(app, done.ticket_id).satisfaction
    page = client.get(done.path).get_data(as_text=True)
    assert 'name="rating_attitude"' not in page and "已处理完毕" in page
    refused = client.post(done.path + "/rate", data=rating_form(1, 1, 1))
    assert refused.status_code == 409 and "无需评价" in refused.get_data(as_text=True)
    after = _ticket(app, done.ticket_id)
    assert (after.status, after.satisfaction) == ("closed", before)


def test_the_lowest_dimension_is_the_rating_the_workflow_judges_P_TKT_6():
    assert owner_feedback.combined_rating({"attitude": 5, "efficiency": 5, "solving": 1}) == 1
    assert owner_feedback.combined_rating({"attitude": 3, "efficiency": 4, "solving": 5}) == 3
    with pytest.raises(Refused):
        owner_feedback.combined_rating({"attitude": 3, "efficiency": 4})
    with pytest.raises(Refused):
        owner_feedback.combined_rating({"attitude": 3, "efficiency": 4, "solving": 0})


def test_tampered_and_expired_links_are_refused_with_a_clear_page(app, client, frozen):
    prepared = resolved_ticket(app)
    tampered = prepared.path[:-3] + ("xyz" if not prepared.path.endswith("xyz") else "abc")
    for path in (tampered, "/o/nonsense"):
        response = client.get(path)
        assert response.status_code == 404
        assert "链接无效" in response.get_data(as_text=True)
        assert client.post(path + "/rate", data=rating_form(5, 5, 5)).status_code == 404
    frozen.shift(timedelta(days=app.config["OWNER_LINK_DAYS"], minutes=1))
    expired = client.get(prepared.path)
    assert expired.status_code == 410 and "已过期" in expired.get_data(as_text=True)
    assert client.post(prepared.path + "/rate", data=rating_form(5, 5, 5)).status_code == 410
    assert _ticket(app, prepared.ticket_id).status == "resolved"


def test_a_form_without_its_csrf_token_gets_the_owners_page_not_the_staffs(
        app, client, frozen):
    prepared = resolved_ticket(app)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(prepared.path + "/rate", data=rating_form(5, 5, 5))
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert 'id="refused"' in page and "请重新打开" in page and "/admin" not in page
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _ticket(app, prepared.ticket_id).status == "resolved"


def test_a_double_tapped_rating_shows_the_owner_it_was_saved_P_TKT_5(
        app, client, frozen, monkeypatch):
    """Two taps at once: the first tap's rating is saved, the second meets a stale version.
    The second gets the owner's "used for your rating" page, not the staff's conflict page
    with a link to /admin/."""
    from sqlalchemy.orm.exc import StaleDataError

    import owner_page

    prepared = resolved_ticket(app)
    real_rate = owner_page.owner_service.rate

    def first_tap_won(session, ticket, ratings, comment):
        real_rate(session, ticket, ratings, comment)
        session.commit()
        raise StaleDataError("UPDATE statement on table 'ticket' expected to update 1 row")

    monkeypatch.setattr(owner_page.owner_service, "rate", first_tap_won)
    response = client.post(prepared.path + "/rate", data=rating_form(5, 5, 5))
    page = response.get_data(as_text=True)
    assert response.status_code == 410 and "已用于评价" in page
    assert "其他人同时修改" not in page and "/admin" not in page
    assert _ticket(app, prepared.ticket_id).status == "feedback_given"


def test_the_page_is_rate_limited_per_link(app, client, frozen):
    prepared = resolved_ticket(app)
    saved = {k: app.config[k] for k in ("OWNER_PAGE_LINK_HITS", "OWNER_PAGE_ADDRESS_HITS")}
    app.config.update(OWNER_PAGE_LINK_HITS=3, OWNER_PAGE_ADDRESS_HITS=3)
    try:
        assert [client.get(prepared.path).status_code for _ in range(3)] == [200] * 3
        limited = client.get(prepared.path)
        assert limited.status_code == 429 and "请求过于频繁" in limited.get_data(as_text=True)
        assert int(limited.headers["Retry-After"]) > 0
        # the rating is held too while the link is locked
        assert client.post(prepared.path + "/rate",
                           data=rating_form(5, 5, 5)).status_code == 429
        frozen.shift(timedelta(minutes=app.config["OWNER_PAGE_LOCK_MINUTES"] + 1))
        assert client.get(prepared.path).status_code == 200
    finally:
        app.config.update(saved)


def test_owners_behind_one_proxy_do_not_lock_each_other_out(app, client, frozen):
    """Every owner behind the same proxy has one address: their own links count per link;
    only links that name nothing (guessing) count against the address, and only they are
    refused once it is locked (review of issue 14, finding 8)."""
    links = [link_to_a(app, "closed").path]
    links.append(resolved_ticket(app).path)
    saved = {k: app.config[k] for k in ("OWNER_PAGE_LINK_HITS", "OWNER_PAGE_ADDRESS_HITS")}
    app.config.update(OWNER_PAGE_LINK_HITS=3, OWNER_PAGE_ADDRESS_HITS=2)
    try:
        opened = [client.get(path).status_code for path in links for _ in range(2)]
        assert opened == [200] * 4  # more than the address's 2
        guesses = [client.get(f"/o/{c * 10}").status_code for c in "234"]
        assert guesses == [404, 404, 429]
        assert client.get(links[0]).status_code == 200  # the owners' links still open
    finally:
        app.config.update(saved)


def test_behind_proxies_the_throttle_sees_the_clients_address(app, client, frozen):
    """STEWARD_PROXIES=1: X-Forwarded-For from the proxy names the client (ProxyFix)."""
    from config import trust_proxies
    from models import OwnerPageHit

    saved_app, saved_setting = app.wsgi_app, app.config["PROXIES"]
    app.config["PROXIES"] = 1
    trust_proxies(app)
    try:
        client.get("/o/2222222222", headers={"X-Forwarded-For": "203.0.113.7"},
                   environ_base={"REMOTE_ADDR": "127.0.0.1"})
        with app.app_context():
            assert database.session.scalars(sa.select(OwnerPageHit.address)).all()[-1] == (
                "203.0.113.7")
    finally:
        app.wsgi_app, app.config["PROXIES"] = saved_app, saved_setting


def test_the_owner_opts_out_and_back_in_recorded_as_the_owner_P_COM_1(app, client, frozen):
    prepared = resolved_ticket(app)
    response = client.post(prepared.path + "/notices", data={"opt_out": "1"})
    assert response.status_code == 302
    page = client.get(prepared.path).get_data(as_text=True)
    assert "不再接收" in page and "恢复接收" in page
    with app.app_context():
        assert database.session.get(Owner, prepared.owner_id).notices_opt_out is True
    client.post(prepared.path + "/notices", data={"opt_out": "0"})
    with app.app_context():
        assert database.session.get(Owner, prepared.owner_id).notices_opt_out is False
        entries = database.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.entity == "owner", AuditEntry.entity_id == prepared.owner_id,
            AuditEntry.action == "update",
            AuditEntry.changes.contains("notices_opt_out")).order_by(AuditEntry.id)).all()
        assert [e.username for e in entries] == [f"owner:{prepared.owner_id}"] * 2
        assert {e.source for e in entries} == {"owner"}
    # the owner record's history shows the consent and who changed it
    admin = login(app.test_client(), "admin")
    details = admin.get(f"/admin/owner/details/?id={prepared.owner_id}").get_data(as_text=True)
    assert f"业主 #{prepared.owner_id}" in details and "业主页面" in details


def test_the_token_stays_out_of_the_request_log(app, client, frozen, caplog):
    import logging

    prepared = resolved_ticket(app)
    logger = logging.getLogger("steward")
    logger.addHandler(caplog.handler)
    try:
        client.get(prepared.path)
    finally:
        logger.removeHandler(caplog.handler)
    lines = [r.getMessage() for r in caplog.records if r.name == "steward.request"]
    assert lines and all(prepared.token not in line for line in lines)
    assert any("GET /o/…" in line for line in lines)


def test_the_ticket_history_shows_the_owner_as_the_rater(app, client, frozen):
    prepared = resolved_ticket(app)
    client.post(prepared.path + "/rate", data=rating_form(5, 5, 5))
    admin = login(app.test_client(), "admin")
    page = admin.get(f"/admin/ticket/details/?id={prepared.ticket_id}").get_data(as_text=True)
    assert f"业主 #{prepared.owner_id}" in page
    with app.app_context():
        assert database.session.scalar(sa.select(sa.func.count(TicketEvent.id)).where(
            TicketEvent.ticket_id == prepared.ticket_id,
            TicketEvent.actor == f"owner:{prepared.owner_id}")) == 1


def test_the_assessment_sheet_names_who_gave_each_rating_P_KPI_1(app, client, frozen):
    """The satisfaction KPI's breakdown on the monthly sheet: each rating with its source,
    and the count given by owners on their page."""
    from models import MonthlyAssessment
    from services import assessments

    prepared = resolved_ticket(app)
    client.post(prepared.path + "/rate", data=rating_form(5, 4, 5))
    with app.test_request_context():
        ticket = database.session.get(Ticket, prepared.ticket_id)
        take_step(database.session, ticket, "close", actor="steward1")
        draft = database.session.scalars(sa.select(MonthlyAssessment).where(
            MonthlyAssessment.staff_id == ticket.steward_id,
            MonthlyAssessment.period == "2026-11")).one()
        assessments.rescore(database.session, draft)
        database.session.commit()
        code, sheet_id = ticket.code, draft.id
    sheet = login(app.test_client(), "admin").get(
        f"/admin/monthly-assessment/sheet/?id={sheet_id}").get_data(as_text=True)
    assert f"{code} (4 · 业主)" in sheet
    assert "其中业主在业主页面自评：1" in sheet


def test_gunicorns_access_log_keeps_no_owner_link_code():
    """The access log gunicorn.conf.py configures writes /o/… in place of an owner's link
    code, in the request line and the referrer (review of issue 14, finding 4)."""
    import runpy
    from datetime import timedelta as span
    from types import SimpleNamespace

    from gunicorn.config import Config

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", settings["access_log_format"] + ' "%(f)s" %(U)s')
    logger = settings["logger_class"](config)
    written = []
    logger.access_log = SimpleNamespace(info=lambda fmt, atoms: written.append(fmt % atoms))
    code = "abc23def45"
    environ = {"REQUEST_METHOD": "POST", "RAW_URI": f"/o/{code}/rate", "PATH_INFO":
               f"/o/{code}/rate", "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "10.0.0.9", "HTTP_REFERER": f"https://wy.jinxiu.cn/o/{code}"}
    request = SimpleNamespace(headers=[("REFERER", f"https://wy.jinxiu.cn/o/{code}")])
    response = SimpleNamespace(status="200 OK", sent=10, response_length=10, headers=[])
    logger.access(response, request, environ, span(milliseconds=12))
    [line] = written
    assert code not in line and '"POST /o/…/rate HTTP/1.1" 200' in line


def test_staff_revoke_an_owners_link_from_the_tickets_list_P_TKT_4(app, client, frozen,
                                                                    as_role):
    """Sent to the wrong number, or the unit sold: the link opens nothing from then on, the
    ticket's history says who revoked it, and the next message brings a new link."""
    prepared = resolved_ticket(app)
    assert client.get(prepared.path).status_code == 200
    staff = as_role("admin")
    assert "revoke_owner_link" in staff.get("/admin/ticket/").get_data(as_text=True)
    response = staff.post("/admin/ticket/action/", data={
        "action": "revoke_owner_link", "rowid": str(prepared.ticket_id)},
        follow_redirects=True)
    assert "1 条业主链接已撤销" in response.get_data(as_text=True)
    assert client.get(prepared.path).status_code == 404
    with app.app_context():
        event = database.session.scalars(sa.select(TicketEvent).where(
            TicketEvent.ticket_id == prepared.ticket_id).order_by(TicketEvent.id.desc())).first()
        assert (event.actor, event.shared_with_owner) == ("admin", False)
        assert "业主链接已撤销" in event.note
        fresh = "/o/" + owner_links.token_for(database.session.get(Ticket, prepared.ticket_id))
        database.session.commit()
    assert fresh != prepared.path and client.get(fresh).status_code == 200


def test_the_revoke_action_is_for_those_who_handle_the_ticket(app, frozen, as_role):
    prepared = resolved_ticket(app)
    response = as_role("hr").post("/admin/ticket/action/", data={
        "action": "revoke_owner_link", "rowid": str(prepared.ticket_id)})
    assert response.status_code == 403
    with app.app_context():
        assert database.session.get(Ticket, prepared.ticket_id).owner_link_nonce
