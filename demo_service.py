"""The demo company's service loops: its departments and their staff working dispatched
tickets, and the return visits the schedule plans, most made with a survey (P-TKT-3,
P-COORD-1, P-OWN-3). Deterministic, like demo.py, which calls it."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from models import Dispatch, ReturnVisit, Staff, Ticket, User
from services import dispatch, visits

# code, head's (employee no, name, username), a member's, the department's phone and duties
DEPARTMENTS = [
    ("engineering", ("E201", "马强", "engineer1"), ("E202", "黄磊", "engineer2"),
     "021-58800201", "房屋维修、水电故障、设备设施维护"),
    ("security", ("E211", "何勇", "security1"), ("E212", "邓超", "security2"),
     "021-58800211", "门岗、巡逻、消防安全、突发事件"),
    ("cleaning", ("E221", "徐红", "cleaning1"), ("E222", "曹丽", "cleaning2"),
     "021-58800221", "公共区域保洁、垃圾清运、绿化"),
    ("customer_service", ("E231", "许静", "service1"), None,
     "021-58800231", "前台接待、证件办理、业主资料"),
]
NOTES = ["已到现场查看，需更换配件", "配件已到，约业主明日上门", "正在处理中"]
DONE = "已处理完成，请管家回访业主"


def seed_departments(session, password: str) -> dict[str, list[User]]:
    """Each department's head and a member with a "department" login; the department's
    record names its head."""
    members: dict[str, list[User]] = {}
    for code, head, member, phone, duties in DEPARTMENTS:
        record = dispatch.department(session, code)
        users = []
        for no, name, username in filter(None, (head, member)):
            person = Staff(employee_no=no, name=name, position="other", department=code,
                           status="on_duty", hire_date=date(2020, 3, 2),
                           phone=f"139{no[1:]}0{len(users)}88")
            user = User(username=username, role="department", staff=person)
            user.set_password(password)
            session.add_all([person, user])
            users.append(user)
        session.flush()
        record.head, record.phone, record.duties = users[0].staff, phone, duties
        members[code] = users
    return members


def plan_steps(department: str | None, accepted: datetime, young: bool) -> list:
    """The department's steps in a dispatched ticket's plan, after the start step."""
    if department is None:
        return []
    if young and accepted.minute % 3 == 0:
        return []  # still waiting in the department's queue
    steps = [("take", accepted + timedelta(minutes=35), {})]
    if young:
        steps.append(("progress", accepted + timedelta(minutes=50), {}))
    return steps


def withdraw_one(session, anchor: datetime) -> None:
    """A steward called one department's part back: the owner had it fixed themselves."""
    part = session.scalars(sa.select(Dispatch).where(Dispatch.status == "waiting")
                           .order_by(Dispatch.id)).first()
    if part is not None:
        steward = part.ticket.steward
        actor = session.scalar(sa.select(User.username).where(User.staff_id == steward.id))
        dispatch.withdraw(session, part, actor, "业主已自行请人修复，无需上门", at=anchor)


def work(session, ticket: Ticket, step: str, at: datetime, members: dict) -> None:
    """One department step of a demo ticket, by the member who takes the work."""
    part = next(d for d in ticket.dispatches if d.status in ("waiting", "taken"))
    users = members[part.department.code]
    user = users[ticket.id % len(users)]
    if step == "take":
        dispatch.take(session, part, user, at=at)
    elif step == "progress":
        dispatch.add_note(session, part, user, NOTES[ticket.id % len(NOTES)], at=at)
    else:
        if part.status == "waiting":
            dispatch.take(session, part, user, at=at - timedelta(minutes=5))
        taker = next(u for u in users if u.staff_id == part.taken_by_id)
        dispatch.finish(session, part, taker, DONE, at=at)


def seed_visits(session, rng: random.Random, anchor: datetime) -> int:
    """The follow-ups planned as tickets closed: most made with a survey (a few raising a
    need that became a ticket), the latest still planned, some of them overdue; then the
    schedule plans every owner's regular visit."""
    made = 0
    follow_ups = session.scalars(sa.select(ReturnVisit).where(
        ReturnVisit.visited_at.is_(None), ReturnVisit.planned_on < anchor - timedelta(days=2))
        .order_by(ReturnVisit.id)).all()
    for visit in follow_ups:
        if rng.random() < 0.08:
            continue  # missed: overdue on the steward's start page
        scores = [rng.choices([5, 4, 3], [60, 30, 10])[0] for _ in range(3)]
        visit.visited_at = visit.planned_on + timedelta(hours=rng.randrange(0, 8))
        visit.rating_attitude, visit.rating_efficiency, visit.rating_solving = scores
        visit.opinions = "对处理结果满意" if min(scores) >= 4 else "处理速度还可以更快"
        if rng.random() < 0.05:
            visit.needs = rng.choice(["楼道灯不亮，希望尽快维修", "希望增加小区夜间巡逻",
                                      "车位地锁损坏"])
        made += 1
    session.flush()
    latest = next((v for v in reversed(follow_ups) if v.needs), None)
    if latest is not None:
        visits.ticket_from_needs(session, latest, "seed-demo", at=anchor)
    visits.plan_regular(session, anchor)
    return made


QUEUE = [  # department, category, description, urgent, important, hours before the anchor
    ("engineering", "water_power", "卫生间水管漏水，楼下天花板渗水", True, True, 6),
    ("engineering", "repair", "入户门锁损坏，无法反锁", True, False, 3),
    ("engineering", "water_power", "客厅插座跳闸", False, True, 2),
    ("engineering", "repair", "阳台窗户密封条老化漏风", False, False, 1),
    ("cleaning", "sanitation", "楼道堆放装修垃圾未清运", False, True, 5),
    ("cleaning", "sanitation", "电梯厅地面有油污", False, False, 1),
    ("security", "security", "地下车库有陌生车辆长期占用车位", False, True, 4),
]


def seed_queue(session, anchor: datetime, members: dict, first_number: int) -> int:
    """This morning's dispatched work: waiting, taken, with progress, one already overdue
    (an urgent leak in at dawn), so each department's queue has work in every state."""
    from models import Owner, Ownership, Unit
    from services.tickets import take_step

    units = session.execute(
        sa.select(Unit, Owner).join(Ownership, Ownership.unit_id == Unit.id)
        .join(Owner, Owner.id == Ownership.owner_id).where(Unit.steward_id.is_not(None))
        .order_by(Unit.id)).all()
    for n, (code, category, text, urgent, important, hours) in enumerate(QUEUE):
        unit, owner = units[(n * 37) % len(units)]
        intake = anchor - timedelta(hours=hours)
        actor = session.scalar(sa.select(User.username).where(User.staff_id == unit.steward_id))
        ticket = Ticket(code=f"T{intake:%Y%m}-{first_number + n:04d}", channel="phone",
                        owner_id=owner.id, unit_id=unit.id, contact_name=owner.name,
                        contact_phone=owner.phone, category=category, urgent=urgent,
                        important=important, description=text, steward_id=unit.steward_id,
                        intake_at=intake)
        session.add(ticket)
        session.flush()
        take_step(session, ticket, "accept", actor=actor, at=intake + timedelta(minutes=5))
        take_step(session, ticket, "start", actor=actor, at=intake + timedelta(minutes=10),
                  department=code)
        if n % 3 != 1:  # every third waits to be taken
            work(session, ticket, "take", intake + timedelta(minutes=30), members)
            if n % 3 == 0:
                work(session, ticket, "progress", intake + timedelta(minutes=50), members)
    return len(QUEUE)
