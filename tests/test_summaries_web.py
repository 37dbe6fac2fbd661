"""Summaries written from the records (P-LOG-2) and the missing work log of the last working
day (P-LOG-1), through the pages."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
import time_machine

from extensions import db as database
from models import Summary, User

from .conftest import login
from .helpers import flashes, form_data, row, url

# 2026-11-20 10:00 in Shanghai: the demo's today
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
# October in company days, as stored (UTC): from 1 October 00:00 to 1 November 00:00 Shanghai
OCT_START, OCT_END = datetime(2026, 9, 30, 16, 0), datetime(2026, 10, 31, 16, 0)


def staff_id(app, username: str) -> int:
    with app.app_context():
        return database.session.scalar(sa.select(User.staff_id).where(User.username == username))


def one_value(app, sql: str, **params):
    with app.app_context():
        return database.session.execute(sa.text(sql), params).scalar()


def hand_count(app, steward: int) -> dict:
    """October's figures of `steward`, counted straight from the demo's rows."""
    window = {"s": steward, "start": OCT_START, "end": OCT_END}
    now = NOW.replace(tzinfo=None)
    ratings = [r for (r,) in _rows(app, """SELECT satisfaction FROM return_visit WHERE
        steward_id = :s AND visited_at >= :start AND visited_at < :end
        AND satisfaction IS NOT NULL""", **window)]
    bills = _rows(app, """SELECT b.amount, (SELECT COALESCE(SUM(p.amount), 0) FROM payment p
        WHERE p.bill_id = b.id AND p.paid_at < :end) FROM bill b JOIN unit u ON u.id = b.unit_id
        WHERE u.steward_id = :s AND b.status != 'waived'
        AND b.due_date >= '2026-10-01' AND b.due_date <= '2026-10-31'""", **window)
    return {
        "logs": one_value(app, """SELECT COUNT(*) FROM work_log WHERE steward_id = :s
            AND day >= '2026-10-01' AND day <= '2026-10-31'""", s=steward),
        "received": one_value(app, """SELECT COUNT(*) FROM ticket WHERE steward_id = :s
            AND intake_at >= :start AND intake_at < :end""", **window),
        "resolved": one_value(app, """SELECT COUNT(*) FROM ticket WHERE steward_id = :s
            AND resolved_at >= :start AND resolved_at < :end""", **window),
        "counted": one_value(app, """SELECT COUNT(*) FROM ticket WHERE steward_id = :s
            AND due_at >= :start AND due_at < :end
            AND (resolved_at IS NOT NULL OR due_at < :now)""", now=now, **window),
        "overdue": one_value(app, """SELECT COUNT(*) FROM ticket WHERE steward_id = :s
            AND due_at >= :start AND due_at < :end
            AND ((resolved_at IS NULL AND due_at < :now) OR resolved_at > due_at)""",
                             now=now, **window),
        "reworked": one_value(app, """SELECT COUNT(DISTINCT e.ticket_id) FROM ticket_event e
            JOIN ticket t ON t.id = e.ticket_id WHERE t.steward_id = :s
            AND e.from_status = 'resolved' AND e.to_status = 'in_progress'
            AND e.at >= :start AND e.at < :end""", **window),
        "visits": one_value(app, """SELECT COUNT(*) FROM return_visit WHERE steward_id = :s
            AND visited_at >= :start AND visited_at < :end""", **window),
        "ratings": ratings,
        "reminders": one_value(app, """SELECT COUNT(*) FROM arrears_reminder WHERE
            steward_id = :s AND reminded_at >= :start AND reminded_at < :end""", **window),
        "receivable": sum((cents(a) for a, _ in bills), Decimal(0)),
        "collected": sum((cents(p) for _, p in bills), Decimal(0)),
    }


def cents(value) -> Decimal:
    """A sum as money (SQLite sums numbers as floats)."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _rows(app, sql: str, **params) -> list:
    with app.app_context():
        return list(database.session.execute(sa.text(sql), params))


def expected_lines(count: dict) -> list[str]:
    """The figures as the page words them (Chinese), from the hand count."""
    mean = (Decimal(sum(count["ratings"])) / len(count["ratings"])).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP)
    rate = (count["collected"] / count["receivable"] * 100).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)
    return [
        f"工作日志：22 个工作日中已写 {count['logs']} 天。",  # October 2026 has 22 weekdays
        f"工单：受理 {count['received']} 件，解决 {count['resolved']} 件，超时 "
        f"{count['overdue']} 件（本期到期 {count['counted']} 件），返工 {count['reworked']} 件。",
        f"回访：完成 {count['visits']} 次，评分 {len(count['ratings'])} 次，平均满意度 {mean} 分"
        "（满分 5 分）。",
        f"欠费催缴：{count['reminders']} 次。",
        f"收费：应收 ¥{count['receivable']:,.2f}，实收 ¥{count['collected']:,.2f}"
        f"（收缴率 {rate} %）。",
    ]


def figure_lines(page: str) -> list[str]:
    block = page.split('id="summary-figures"')[1].split("</ul>")[0]
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", block)]


def test_a_generated_summary_has_the_figures_of_a_hand_count_P_LOG_2(app, db):
    """A steward opens October's summary from the records: the figures shown to them and
    to their supervisor, and kept on the summary, are the demo's rows counted by hand; the
    text opens with them and with each day's log."""
    me = staff_id(app, "steward1")
    with app.app_context():  # the demo's October summary goes: this one is opened anew
        database.session.execute(sa.delete(Summary).where(
            Summary.steward_id == me, Summary.kind == "monthly"))
        database.session.commit()
    count = hand_count(app, me)
    assert count["ratings"] and count["receivable"]  # the demo's October has both
    with time_machine.travel(NOW, tick=False):
        client = login(app.test_client(), "steward1")
        page = client.get(url("summary", "write/")).get_data(as_text=True)
        assert "2026-10-01 – 2026-10-31" in page
        response = client.post(url("summary", "write/"),
                               data={"kind": "monthly", "start": "2026-10-01"})
        assert response.status_code == 302, flashes(response)
        assert "/admin/summary/edit/" in response.headers["Location"]
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert figure_lines(page) == expected_lines(count)
        with app.app_context():
            made = database.session.scalar(sa.select(Summary).where(
                Summary.steward_id == me, Summary.kind == "monthly"))
            kept = json.loads(made.figures)
            assert made.status == "draft"
            assert expected_lines(count)[1] in made.work_done
            assert "2026-10-30 — 受理：受理业主报修 3 件" in made.work_done
        assert (kept["logs_written"], kept["received"], kept["resolved"], kept["overdue"],
                kept["reworked"], kept["visits"], kept["reminders"]) == (
            count["logs"], count["received"], count["resolved"], count["overdue"],
            count["reworked"], count["visits"], count["reminders"])
        assert Decimal(kept["collected"]) == count["collected"]
        # opening the same period again opens the same summary
        again = client.post(url("summary", "write/"),
                            data={"kind": "monthly", "start": "2026-10-01"})
        assert again.headers["Location"] == response.headers["Location"]
        boss = login(app.test_client(), "supervisor1")
        page = boss.get(url("summary", f"details/?id={made.id}")).get_data(as_text=True)
        assert figure_lines(page) == expected_lines(count)


def test_a_submitted_summary_keeps_its_text_and_figures_P_LOG_2(app, db, as_role):
    """The steward submits their draft; its text is then fixed, and a reminder logged
    later for the period does not change the figures the supervisor reads."""
    me = staff_id(app, "steward1")
    with app.app_context():
        draft = database.session.scalar(sa.select(Summary).where(
            Summary.steward_id == me, Summary.status == "draft"))
    before = row(app, "summary", draft.id)["figures"]
    with time_machine.travel(NOW, tick=False):
        steward = login(app.test_client(), "steward1")
        page = steward.get(url("summary", f"details/?id={draft.id}")).get_data(as_text=True)
        assert 'id="summary-submit"' in page
        boss = login(app.test_client(), "supervisor1")
        assert boss.post(url("summary", "action/"), data={
            "action": "submit", "rowid": str(draft.id)}).status_code == 403
        response = steward.post(url("summary", "action/"), data={
            "action": "submit", "rowid": str(draft.id),
            "url": url("summary", f"details/?id={draft.id}")})
        assert response.status_code == 302
    saved = row(app, "summary", draft.id)
    assert saved["status"] == "submitted" and saved["submitted_at"] is not None
    assert saved["figures"] == before
    data = form_data(app, "summary", draft.id, "steward1") | {"problems": "改写"}
    response = as_role("steward1").post(url("summary", f"edit/?id={draft.id}"), data=data)
    assert response.status_code == 200
    assert "这份总结已提交，内容不能再修改。" in response.get_data(as_text=True)
    assert row(app, "summary", draft.id)["problems"] == saved["problems"]
    assert row(app, "summary", draft.id)["version"] == saved["version"]


def test_only_the_stewards_supervisor_comments_on_a_summary_P_LOG_2(app, db, as_role):
    me = staff_id(app, "steward1")
    with app.app_context():
        summary = database.session.scalar(sa.select(Summary.id).where(
            Summary.steward_id == me, Summary.status == "submitted"))
    comment = {"supervisor_comment": "请补充回访情况"}
    data = form_data(app, "summary", summary, "steward1") | comment
    response = as_role("steward1").post(url("summary", f"edit/?id={summary}"), data=data)
    assert "您的角色不能在此填写" in response.get_data(as_text=True)
    for username in ("supervisor2", "admin", "hr"):
        response = as_role(username).post(url("summary", f"edit/?id={summary}"),
                                          data=form_data(app, "summary", summary, "admin")
                                          | comment)
        assert response.status_code == 403, username
    assert row(app, "summary", summary)["supervisor_comment"] != "请补充回访情况"
    data = form_data(app, "summary", summary, "supervisor1") | comment
    response = as_role("supervisor1").post(url("summary", f"edit/?id={summary}"), data=data)
    assert response.status_code == 302, flashes(response)
    assert row(app, "summary", summary)["supervisor_comment"] == "请补充回访情况"


def test_a_steward_without_yesterdays_log_is_listed_for_them_and_their_supervisor_P_LOG_1(
        app, db):
    """李娜 (steward2) has not written Thursday's log: her start page says so, and so does her
    supervisor's; nobody else's does."""
    with time_machine.travel(NOW, tick=False):
        pages = {name: login(app.test_client(), name).get("/admin/").get_data(as_text=True)
                 for name in ("steward1", "steward2", "supervisor1", "supervisor2")}
    assert "昨天的工作日志还没写" in pages["steward2"]
    assert "昨天的工作日志还没写" not in pages["steward1"]
    team = pages["supervisor1"].split('id="team-logs-missing"')[1].split("</ul>")[0]
    assert "昨天没写工作日志的管家" in pages["supervisor1"]
    assert re.findall(r"<li>(\S+) ·", team) == ["李娜"]
    assert 'id="team-logs-missing"' not in pages["supervisor2"]


def test_on_a_monday_the_missing_log_is_fridays_P_LOG_1(app, db):
    """Weekends are no working days: on Monday the start page asks for Friday's log."""
    with time_machine.travel(datetime(2026, 11, 23, 2, 0, tzinfo=UTC), tick=False):
        page = login(app.test_client(), "steward1").get("/admin/").get_data(as_text=True)
    assert "上一个工作日（2026-11-20）的工作日志还没写。" in page
