"""Meeting action items (P-COM-2): rows with who does what by when, on their owner's start
page with an overdue badge, marked done there with a note."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa
import time_machine

from extensions import db as database
from models import ActionItem, Meeting, User

from .conftest import login
from .helpers import flashes, form_data, one, row, url

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, the demo's today


def staff_id(app, username: str) -> int:
    with app.app_context():
        return database.session.scalar(sa.select(User.staff_id).where(User.username == username))


def my_items(page: str) -> list[tuple[str, bool]]:
    """(what, overdue) of each item on a start page's "My action items"."""
    if 'id="my-action-items"' not in page:
        return []
    block = page.split('id="my-action-items"')[1].split("</ul>")[0]
    found = []
    for item in block.split("<li")[1:]:
        what = item.split('">', 2)[2].split("</a>")[0]
        found.append((what, 'class="badge badge-danger overdue"' in item))
    return found


def test_an_action_item_past_its_date_shows_on_its_owners_start_page_as_overdue_P_COM_2(
        app, db):
    """A supervisor holds a meeting and gives an item to a steward for 30 November: on the
    steward's start page it waits, not overdue; from 1 December it is overdue there. Each
    owner sees their own items only — stewards, a supervisor, HR alike."""
    holder = login(app.test_client(), "supervisor1")
    with app.app_context():
        meeting = database.session.scalar(sa.select(Meeting.id).order_by(Meeting.id.desc()))
    response = holder.post(url("action_item", "new/"), data={
        "meeting": str(meeting), "what": "检查 5 栋屋面防水", "due_on": "2026-11-30",
        "responsible": str(staff_id(app, "steward1")), "status": "open"})
    assert response.status_code == 302, flashes(response)
    with time_machine.travel(NOW, tick=False):
        pages = {name: login(app.test_client(), name).get("/admin/").get_data(as_text=True)
                 for name in ("steward1", "steward2", "supervisor1", "hr", "admin")}
    assert my_items(pages["steward1"]) == [("核查 3 栋地下车库照明并报修", True),
                                           ("通知 1-3 栋业主供暖检修安排", False),
                                           ("检查 5 栋屋面防水", False)]
    assert my_items(pages["steward2"]) == []  # hers is done
    assert my_items(pages["supervisor1"]) == [("与工程部确定冬季供暖检修时间", True)]
    assert my_items(pages["hr"]) == [("安排冬季消防培训", False)]
    assert my_items(pages["admin"]) == []
    with time_machine.travel(datetime(2026, 12, 1, 2, 0, tzinfo=UTC), tick=False):
        page = login(app.test_client(), "steward1").get("/admin/").get_data(as_text=True)
    assert ("检查 5 栋屋面防水", True) in my_items(page)


def test_the_owner_marks_an_item_done_with_a_note_P_COM_2(app, db):
    """From the start page's "mark done": the item is done with the note and the time, and
    leaves the start page. Someone else's item cannot be marked."""
    item = one(app, ActionItem, what="核查 3 栋地下车库照明并报修")
    other = one(app, ActionItem, what="清理 B1 消防通道杂物")  # steward4's
    with time_machine.travel(NOW, tick=False):
        client = login(app.test_client(), "steward1")
        assert client.get(url("action_item", f"done/?id={item.id}")).status_code == 200
        assert client.get(url("action_item", f"done/?id={other.id}")).status_code == 403
        assert client.post(url("action_item", f"done/?id={other.id}"),
                           data={"done_note": "x"}).status_code == 403
        start = client.get("/admin/").get_data(as_text=True)
        link = re.search(rf'href="(/admin/action-item/done/\?[^"]*\bid={item.id}\b[^"]*)"', start)
        assert link and link.group(1).endswith("url=/admin/")
        response = client.post(url("action_item", f"done/?id={item.id}&url=https://evil.test/"),
                               data={"done_note": "已报修，灯具已更换", "url": "https://evil.test/"})
        assert response.status_code == 302, flashes(response)
        assert "evil" not in response.headers["Location"]
        page = client.get("/admin/").get_data(as_text=True)
    done = row(app, "action_item", item.id)
    assert (done["status"], done["done_note"]) == ("done", "已报修，灯具已更换")
    assert done["done_at"] == NOW
    assert "核查 3 栋地下车库照明并报修" not in page
    assert row(app, "action_item", other.id)["status"] == "open"


def test_only_whoever_holds_meetings_cancels_an_item_P_COM_2(app, db, as_role):
    """The owner of an item writes its status and note only, and cannot cancel it; the
    supervisor, who holds meetings, can."""
    item = one(app, ActionItem, what="通知 1-3 栋业主供暖检修安排")
    data = form_data(app, "action_item", item.id, "steward1") | {"status": "cancelled"}
    response = as_role("steward1").post(url("action_item", f"edit/?id={item.id}"), data=data)
    assert "只有会议的组织者可以取消行动项" in response.get_data(as_text=True)
    assert row(app, "action_item", item.id)["status"] == "open"
    page = as_role("steward1").get(url("action_item", f"edit/?id={item.id}"))
    assert 'name="due_on"' not in page.get_data(as_text=True)
    data = form_data(app, "action_item", item.id, "supervisor1") | {"status": "cancelled"}
    response = as_role("supervisor1").post(url("action_item", f"edit/?id={item.id}"), data=data)
    assert response.status_code == 302, flashes(response)
    assert row(app, "action_item", item.id)["status"] == "cancelled"


def test_supervisors_hold_meetings_and_stewards_read_them_P_COM_2(app, db, as_role):
    """A supervisor creates a meeting; a steward and HR read it, and change nothing."""
    response = as_role("supervisor1").post(url("meeting", "new/"), data={
        "title": "12 月工作协调会", "kind": "coordination", "held_at": "2026-12-01 09:00:00",
        "minutes": "讨论年底收费"})
    assert response.status_code == 302, flashes(response)
    made = one(app, Meeting, title="12 月工作协调会")
    for username in ("steward1", "hr"):
        client = as_role(username)
        assert client.get(url("meeting", f"details/?id={made.id}")).status_code == 200
        assert client.get(url("meeting", "new/")).status_code == 403
        assert client.get(url("action_item", "new/")).status_code == 403
