"""The Chinese sweep beyond the pages (issue 15, item 8): what a failed save says, the error
pages, the date pickers' locale, pickers that name what they pick, the audit trail with
names and company time, and every date of a record in the company's calendar."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from extensions import db as database
from models import ArrearsReminder, AuditEntry, Bill, Staff, Unit

from .conftest import login
from .helpers import flashes, form_data, scoped_ids, url
from .test_chinese_interface import USERNAMES, english_words, visible_text

pytestmark = pytest.mark.screens


def _errors(page: str) -> list[str]:
    """A form's field errors, as shown under the fields."""
    found = re.findall(r'class="(?:invalid-feedback|help-block)[^"]*"[^>]*>(.*?)</', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for text in found]


# ---- failed saves -----------------------------------------------------------------------------
def test_a_failed_save_says_what_is_wrong_in_chinese(app, db, as_role):
    """Flask-Admin's flash and WTForms' messages are ours: 请填写此项, not 该字段是必填字段;
    请从列表中选择, not "Not a valid choice"; the form of a date, not 不是有效的日期值."""
    client = as_role("admin")
    response = client.post(url("project", "new/"), data={"code": "", "name": "",
                                                          "kind": "castle"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "未能新建记录。" in flashes(response)
    assert _errors(page).count("请填写此项。") == 2 and "请从列表中选择。" in _errors(page)
    meeting = client.post(url("meeting", "new/"), data={"held_at": "下周二"})
    assert "请按 2026-11-10 09:30 这样的格式填写日期和时间。" in _errors(
        meeting.get_data(as_text=True))
    unit = client.post(url("unit", "new/"), data={"number": "A1", "area": "九十"})
    assert "请填写数字，如 12.50。" in " ".join(_errors(unit.get_data(as_text=True)))
    for reply in (response, meeting, unit):
        words = english_words(" ".join(flashes(reply) + _errors(reply.get_data(as_text=True))),
                              USERNAMES)
        assert words == set(), words


def test_a_refused_payment_words_the_money_in_yuan_P_FEE_1(app, db, as_role):
    with app.app_context():
        bill = database.session.scalars(sa.select(Bill).where(
            Bill.status == "unpaid").order_by(Bill.id)).first()
        bill_id, amount = bill.id, bill.amount
    response = as_role("admin").post(url("payment", "new/"), data={
        "bill": str(bill_id), "amount": str(amount + 100), "method": "cash",
        "paid_at": "2026-11-10 09:00"})
    said = " ".join(flashes(response))
    assert f"¥{amount:,.2f}" in said, said  # "… 还需缴纳 ¥1,234.50 …", never 1234.50


def test_a_refused_delete_lists_what_refers_to_the_record_in_words(app, db, as_role):
    """账单 N 条（…）, not "N × 账单"; parts of the sentence apart with "；"."""
    response = as_role("admin").post(url("project", "delete/"), data={"id": "1"},
                                     follow_redirects=True)
    said = " ".join(flashes(response))
    assert "不能删除" in said and re.search(r"楼栋 \d+ 条（", said) and "；" in said
    assert "×" not in said


# ---- pickers ------------------------------------------------------------------------------------
def test_an_empty_picker_names_what_it_picks(app, db, as_role):
    """No "__None" choice and no 请选择模型: 请选择项目, 请选择房屋."""
    page = as_role("admin").get(url("ticket", "new/")).get_data(as_text=True)
    assert ">__None<" not in page and "请选择模型" not in page
    assert 'data-placeholder="请选择房屋"' in page and 'data-placeholder="请选择业主"' in page
    assert re.search(r'<option selected value="__None">请选择物业管家</option>', page)


def test_the_list_s_own_words_read_naturally(app, db, as_role):
    page = as_role("admin").get(url("ownership")).get_data(as_text=True)
    assert "批量操作" in page and "选中的" not in page
    assert 'title="主业主：是"' in page and "is_primary" not in visible_text(page)
    assert "按起始日期排序" in page
    staff = as_role("hr").get(url("staff", "new/")).get_data(as_text=True)
    assert re.search(r'<label for="name"[^>]*>\s*姓名', staff)


# ---- error pages --------------------------------------------------------------------------------
def _is_chinese_error(response, status: int, heading: str) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert f"<title>{heading} · {status}</title>" in page and heading in page
    reference = response.headers["X-Request-Id"]
    assert reference in page
    assert english_words(visible_text(page.replace(reference, "")), USERNAMES) == set()
    return page


def test_the_error_pages_are_in_chinese(app, db, as_role):
    client = as_role("steward1")
    _is_chinese_error(client.get("/admin/audit-entry/"), 403, "无权操作")
    _is_chinese_error(client.get("/admin/no-such-page/"), 404, "找不到")
    _is_chinese_error(client.get("/admin/unit/delete/"), 405, "不能这样使用")
    anonymous = app.test_client()
    _is_chinese_error(anonymous.get("/no-such-page"), 404, "找不到")


def test_a_server_error_and_an_expired_form_are_in_chinese(store, db):
    from app import create_app

    production = create_app({"SQLALCHEMY_DATABASE_URI": store.url, "TESTING": True,
                             "SECRET_KEY": "test", "PROPAGATE_EXCEPTIONS": False})

    @production.route("/broken")
    def _broken():
        raise RuntimeError("a bug")

    client = production.test_client()
    page = _is_chinese_error(client.get("/broken"), 500, "出错了")
    assert "a bug" not in page
    # a form sent without its CSRF token (a page left open past its session, another site)
    expired = _is_chinese_error(client.post("/login", data={"username": "admin"}), 400,
                                "无法处理这个请求")
    assert "表单打开太久" in expired and "刷新后重新提交" in expired


# ---- date pickers -------------------------------------------------------------------------------
def test_the_date_pickers_get_their_chinese_words_only_on_chinese_pages(app, db, as_role):
    client = as_role("steward1")
    script = '<script src="/static/date-pickers.zh-CN.js"></script>'
    chinese = client.get(url("work_log", "new/")).get_data(as_text=True)
    assert script in chinese
    # after moment, before the pickers' own script and Flask-Admin's form script
    assert chinese.index("moment.min.js") < chinese.index(script) \
        < chinese.index("daterangepicker.js") < chinese.index("admin/js/form.js")
    served = client.get("/static/date-pickers.zh-CN.js")
    words = served.get_data(as_text=True)
    assert served.status_code == 200 and "javascript" in served.mimetype
    for expected in ("'确定'", "'取消'", "清除", "十二月", "日_一_二_三_四_五_六", "dow: 1",
                     " 至 ", "没有找到", "正在查找"):
        assert expected in words
    assert "http" not in words  # nothing fetched from elsewhere
    english = client.get(url("work_log", "new/?lang=en")).get_data(as_text=True)
    assert "date-pickers.zh-CN.js" not in english


def _filter_words(page: str) -> set[str]:
    """The names, operations and options of a list's filters."""
    groups = json.loads(html.unescape(re.search(
        r'id="filter-groups-data"[^>]*>(.*?)</div>', page, re.S).group(1)))
    return set(groups) | {op["operation"] for ops in groups.values() for op in ops} | {
        label for ops in groups.values() for op in ops for _, label in op["options"] or ()}


def test_a_date_range_written_with_zhi_filters_the_list(app, db, as_role):
    client = as_role("admin")
    words = _filter_words(client.get(url("work_log")).get_data(as_text=True))
    assert {"介于", "不介于", "为空", "等于", "大于"} <= words
    assert english_words(" ".join(words), USERNAMES) == set()
    arg = _filter_arg(app, "work_log", "day", "between")
    listed = client.get(url("work_log", f"?flt1_{arg}=2026-11-01+至+2026-11-30"))
    english = client.get(url("work_log", f"?flt1_{arg}=2026-11-01+to+2026-11-30"))
    assert "筛选值无效" not in listed.get_data(as_text=True)
    assert _rows(listed) == _rows(english) and _rows(listed)


def _filter_arg(app, entity: str, column: str, operation: str) -> str:
    from .helpers import view_for

    view = view_for(app, entity)
    for arg, (_index, found) in view._filter_args.items():
        if getattr(found.column, "key", None) == column and \
                type(found).__name__.lower().startswith(f"date{operation}"):
            return arg
    raise AssertionError(f"no {operation} filter on {entity}.{column}")


def _rows(response) -> list[str]:
    return re.findall(r'/details/\?id=(\d+)', response.get_data(as_text=True))


# ---- the audit trail and the company's calendar ------------------------------------------------
SEVEN_ON_10_NOVEMBER = datetime(2026, 11, 9, 23, 30, tzinfo=UTC)  # 07:30 in Shanghai


def test_a_reminder_at_seven_on_10_november_reads_10_november_everywhere(app, db, as_role):
    """Stored 23:00 UTC on 9 November, it is 07:00 on 10 November in the company's time: its
    name, its details, the audit trail and the list all say so."""
    bill_id = min(scoped_ids(app, "bill", "steward1"))
    with time_machine.travel(SEVEN_ON_10_NOVEMBER, tick=False):
        client = as_role("steward1")
        assert client.post(url("arrears_reminder", "new/"), data={
            "bill": str(bill_id), "reminded_at": "2026-11-10 07:00", "method": "phone",
            "reason": "unreachable", "note": ""}).status_code == 302
    with app.app_context():
        reminder = database.session.scalars(sa.select(ArrearsReminder).order_by(
            ArrearsReminder.id.desc())).first()
        assert reminder.reminded_at == datetime(2026, 11, 9, 23, 0, tzinfo=UTC)
        assert str(reminder).endswith(" 2026-11-10")
        reminder_id, name = reminder.id, str(reminder)
    details = client.get(url("arrears_reminder", f"details/?id={reminder_id}"))
    assert "2026-11-10 07:00" in details.get_data(as_text=True)
    assert "2026-11-09" not in details.get_data(as_text=True)
    listed = client.get(url("arrears_reminder")).get_data(as_text=True)
    assert "2026-11-10 07:00" in listed
    trail = as_role("admin").get(url("audit_entry", f"?search={name.split()[-1]}"))
    entry = trail.get_data(as_text=True)
    assert f'href="/admin/arrears-reminder/details/?id={reminder_id}"' in entry
    assert "2026-11-10 07:30" in entry  # when it was written, in company time
    row = next(r for r in re.findall(r"<tr>.*?</tr>", entry, re.S) if "催缴时间" in r)
    assert "张伟（steward1）" in row and "催缴时间: 2026-11-10 07:00" in row, row


def test_the_audit_trail_names_people_and_records_and_is_searched_by_them(app, db, as_role):
    """A unit's steward changed by the admin: the entry reads 周静（admin）, the unit by its
    name, linked to its page, and the stewards by their names; search finds it by the unit,
    by the admin's name and by the account."""
    with app.app_context():
        unit = database.session.scalars(sa.select(Unit).where(
            Unit.steward_id.is_not(None)).order_by(Unit.id)).first()
        unit_id, label, before = unit.id, str(unit), unit.steward.name
        other = database.session.scalars(sa.select(Staff).where(
            Staff.position == "steward", Staff.status == "on_duty",
            Staff.id != unit.steward_id).order_by(Staff.id)).first()
        other_id, after = other.id, other.name
    admin = as_role("admin")
    data = form_data(app, "unit", unit_id, "admin") | {"steward": str(other_id)}
    assert admin.post(url("unit", f"edit/?id={unit_id}"), data=data).status_code == 302
    for search in (label, "周静", "admin"):
        page = admin.get(url("audit_entry", f"?search={search}")).get_data(as_text=True)
        row = next(r for r in re.findall(r"<tr>.*?</tr>", page, re.S)
                   if f"{before} → {after}" in r)
        assert "周静（admin）" in row and f'href="/admin/unit/details/?id={unit_id}"' in row
        assert f">{label}</a>" in row and "物业管家: " in row
    with app.app_context():
        entry = database.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.entity == "unit", AuditEntry.entity_id == unit_id).order_by(
            AuditEntry.id.desc())).first()
        assert (entry.record_label, entry.actor_name) == (label, "周静")
    # the record's own history says the same
    history = admin.get(url("unit", f"details/?id={unit_id}")).get_data(as_text=True)
    assert f"{before} → {after}" in history and "周静（admin）" in history
    # the filters offer record types and actions by their names
    assert {"记录类型", "房屋", "操作", "修改"} <= _filter_words(page)


def test_a_name_kept_in_the_trail_is_the_company_s_language(app, db, as_role):
    """An English reader's change is named in Chinese in the trail (as records are written)."""
    with app.app_context():
        staff_id = database.session.scalar(sa.select(Staff.id).where(
            Staff.position == "steward").order_by(Staff.id))
    client = login(app.test_client(), "hr")
    client.get("/admin/?lang=en")
    assert client.post(url("reward_penalty", "new/"), data={
        "staff": str(staff_id), "kind": "certificate", "reason": "表现突出",
        "decided_on": "2026-11-10", "status": "pending"}).status_code == 302
    with app.app_context():
        entry = database.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.entity == "reward_penalty").order_by(AuditEntry.id.desc())).first()
        assert entry.record_label.endswith("荣誉证书"), entry.record_label


def test_a_ticket_s_category_is_not_named_as_a_department(app):
    """The security category reads 安全秩序, the department that handles it 安保部: a ticket
    filed under a department's name read as already dispatched."""
    from flask_babel import force_locale

    from models.tickets import HANDLING_DEPARTMENT, TICKET_CATEGORY

    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert str(TICKET_CATEGORY.label("security")) == "安全秩序"
        assert str(HANDLING_DEPARTMENT.label("security")) == "安保部"
