"""A believable small company for the demo and the tests: deterministic for a given seed.

Three projects of different kinds, 10 buildings, 300 units with owners, an office
administrator, an HR officer, two supervisors with three stewards each (plus one new hire in
onboarding), and a year of tickets, return visits, bills, payments, training and assessments
up to ANCHOR.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

import demo_notices
import demo_service
from models import (
    ActionItem,
    ArrearsReminder,
    Bill,
    Building,
    CareerMove,
    CommunityEvent,
    ExternalBody,
    FeeStandard,
    Hazard,
    Incident,
    Meeting,
    MonthlyAssessment,
    Owner,
    Ownership,
    Patrol,
    Payment,
    PolicySetting,
    Procedure,
    Project,
    ReturnVisit,
    RewardPenalty,
    Staff,
    Ticket,
    TicketEvent,
    TrainingProgram,
    TrainingResult,
    TrainingSession,
    Unit,
    User,
    WorkLog,
    audit,
)
from models.tracking import cli_actor
from rules.billing import monthly_amount
from rules.workflow import due_at, priority
from services import notices
from services import summaries as summary_service
from services.assessments import confirm, run_month, run_year
from services.staffing import decide
from services.tickets import take_step

ANCHOR = date(2026, 11, 20)  # "today" in the demo company
DEMO_PASSWORD = "demo12345"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬建国文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"

PROJECTS = [
    # code, name, kind, address, buildings: (name, floors, units per floor, area range)
    ("JX", "锦绣花园", "residential", "上海市浦东新区锦绣路 88 号",
     [(f"{i}栋", 20, 2, (68, 142)) for i in range(1, 7)]),
    ("GM", "国贸中心", "office", "上海市静安区南京西路 1266 号",
     [("A座", 20, 1, (120, 480)), ("B座", 20, 1, (120, 480))]),
    ("KJ", "科技产业园", "industrial_park", "上海市闵行区科技路 9 号",
     [("1号厂房", 5, 2, (300, 1200)), ("2号厂房", 5, 2, (300, 1200))]),
]
FEES = {  # project code -> (name, basis, rate)
    "JX": ("住宅物业服务费", "per_m2", Decimal("2.35")),
    "GM": ("写字楼物业服务费", "per_m2", Decimal("6.80")),
    "KJ": ("园区综合管理费", "per_m2", Decimal("3.20")),
}
TICKET_TEXTS = {
    "repair": ["卫生间漏水，楼下天花板有水渍", "入户门锁损坏，无法正常开关", "外墙瓷砖松动"],
    "water_power": ["家中突然停电，跳闸无法合上", "厨房水管爆裂", "热水器无热水，疑似燃气阀故障"],
    "sanitation": ["楼道垃圾未及时清运", "电梯厅有异味", "绿化带杂草较多"],
    "security": ["地下车库门禁失灵", "夜间有陌生人徘徊", "单元门无法关闭"],
    "fees": ["对本月物业费金额有疑问", "申请开具物业费发票"],
    "complaint": ["楼上装修噪音扰民", "邻居占用公共通道堆放杂物"],
    "inquiry": ["咨询装修审批流程", "咨询车位租赁价格"],
}


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment on `day` in Shanghai time (UTC+8), as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def _months_back(n: int) -> list[str]:
    y, m = ANCHOR.year, ANCHOR.month
    periods = []
    for _ in range(n):
        periods.append(f"{y:04d}-{m:02d}")
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return list(reversed(periods))


def seed(session, seed: int = 2026) -> dict[str, int]:
    """Fill an empty database. Refuses to run over existing data."""
    if session.scalar(sa.select(sa.func.count(Project.id))):
        raise RuntimeError("the database already has data; seed-demo fills an empty one")
    token = cli_actor.set("seed-demo")
    batch_token = audit.batch.set((str(uuid.uuid4()), "seed"))
    session.info[notices.OFF] = True  # the year before the outbox: no messages
    try:
        counts = _seed(session, random.Random(seed))
        session.flush()
        counts["messages to owners"] = demo_notices.seed(session, _at(ANCHOR, 9))
        session.commit()
    finally:
        session.info.pop(notices.OFF, None)
        audit.batch.reset(batch_token)
        cli_actor.reset(token)
    return counts


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _id_number(rng: random.Random, born: date) -> str:
    body = f"310115{born:%Y%m%d}{rng.randrange(1000):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _username(people: list, person, role: str = "steward") -> str:
    return f"{role}{people.index(person) + 1}"


def _ticket_plan(rng: random.Random, intake: datetime, due: datetime, age_days: int) -> list:
    """The steps a demo ticket has taken by ANCHOR: (step, when, inputs)."""
    hours = rng.expovariate(1 / (0.7 * (due - intake).total_seconds() / 3600))
    on_spot = hours < 1
    department = None if on_spot else rng.choice(
        ["engineering", "cleaning", "security", "customer_service"])
    accepted = intake + timedelta(minutes=10)
    plan = [("accept", accepted, {}), ("start", accepted + timedelta(minutes=15),
                                       {"department": department})]
    if age_days < 1:
        return plan[: rng.randrange(0, 3)]
    # the department takes its part (P-TKT-3); on the young tickets it is still at work
    plan += demo_service.plan_steps(department, accepted, age_days <= 3)
    if age_days <= 3 and rng.random() >= 0.3:
        return plan
    resolved = intake + timedelta(hours=max(0.5, hours))
    if department is not None:
        plan.append(("done", resolved - timedelta(minutes=10), {}))
    text = "已处理完毕，业主确认" if on_spot else "已派工处理完成"
    plan.append(("resolve", resolved, {"resolution": text}))
    if age_days <= 5:
        return plan
    rating = rng.choices([5, 4, 3, 2, 1], [50, 30, 12, 5, 3])[0]
    feedback = "满意" if rating >= 4 else "处理速度有待提高"
    plan.append(("feedback", resolved + timedelta(hours=20), {"rating": rating, "note": feedback}))
    if rating <= 2:  # not satisfied: handled again, then rated again (P-TKT-6)
        again = resolved + timedelta(hours=30)
        plan += [("resolve", again, {"resolution": "返工处理，业主确认"}),
                 ("feedback", again + timedelta(hours=20), {"rating": 4, "note": "返工后满意"})]
    plan.append(("close", plan[-1][1] + timedelta(minutes=30), {}))
    return plan


def _seed(session, rng: random.Random) -> dict[str, int]:
    policy = PolicySetting(effective_from=date(2025, 1, 1), note="公司制度默认参数",
                           bonus_base_steward=Decimal("2000"), bonus_base_supervisor=Decimal("3000"),
                           bonus_base_manager=Decimal("5000"), bonus_base_other=Decimal("1500"))
    session.add(policy)

    # --- people -----------------------------------------------------------------------
    def staff(no, name, position, department, status="on_duty", supervisor=None, **kw):
        person = Staff(employee_no=no, name=name, position=position, department=department,
                       status=status, supervisor=supervisor, **kw)
        session.add(person)
        return person

    office = staff("E001", "周静", "other", "office", education="bachelor",
                   birth_date=date(1988, 3, 2), hire_date=date(2019, 5, 6))
    hr = staff("E002", "林芳", "other", "human_resources", education="bachelor",
               birth_date=date(1990, 7, 19), hire_date=date(2020, 2, 17))
    supervisors = [
        staff("E010", "陈建国", "supervisor", "customer_service", education="bachelor",
              birth_date=date(1984, 1, 12), hire_date=date(2016, 4, 1),
              property_years=Decimal("12"), steward_years=Decimal("6")),
        staff("E011", "王丽", "supervisor", "customer_service", education="associate",
              birth_date=date(1986, 9, 23), hire_date=date(2017, 8, 14),
              property_years=Decimal("10"), steward_years=Decimal("5")),
    ]
    steward_names = ["张伟", "李娜", "刘洋", "赵敏", "孙磊", "吴婷"]
    stewards = []
    for i, name in enumerate(steward_names):
        stewards.append(staff(
            f"E1{i + 1:02d}", name, "steward", "customer_service",
            supervisor=supervisors[i // 3], education=rng.choice(["associate", "bachelor"]),
            major=rng.choice(["物业管理", "房地产经营管理", "市场营销", "工商管理"]),
            birth_date=date(1990 + i, 1 + i, 10 + i), hire_date=date(2021 + i % 3, 3, 1),
            property_years=Decimal(3 + i % 4), steward_years=Decimal(1 + i % 3),
            phone=_phone(rng),
        ))
    newcomer = staff("E107", "郑晓雨", "steward", "customer_service", status="onboarding",
                     supervisor=supervisors[1], education="associate", major="物业管理",
                     birth_date=date(1999, 6, 5), hire_date=date(2026, 11, 2),
                     property_years=Decimal("2.5"), steward_years=Decimal("1"))

    # --- onboarding training: stewards go on duty only after passing it (P-TRN-2) -----
    onboarding = TrainingProgram(name="物业管家入职培训", kind="onboarding", hours=Decimal("24"),
                                 topics="公司概况、企业文化、规章制度、物业管理基础、管家工作流程")
    periodic = TrainingProgram(name="2026 年度服务技能培训", kind="periodic", hours=Decimal("8"),
                               topics="法律法规、服务技巧、沟通技巧、应急处理")
    session.add_all([onboarding, periodic])
    results = 0
    for person in stewards:
        started = person.hire_date
        course = TrainingSession(program=onboarding, starts_on=started, location="公司培训室",
                                 trainer="林芳")
        session.add(course)
        first = Decimal(rng.randrange(55, 98))
        session.add(TrainingResult(session=course, staff=person, attempt=1, taken_on=started,
                                   exam_score=first))
        results += 1
        if first < 60:
            session.add(TrainingResult(session=course, staff=person, attempt=2,
                                       taken_on=started + timedelta(days=7),
                                       exam_score=Decimal("78")))
            results += 1

    accounts = [("admin", "admin", office), ("hr", "hr", hr),
                ("supervisor1", "supervisor", supervisors[0]),
                ("supervisor2", "supervisor", supervisors[1])]
    accounts += [(f"steward{i + 1}", "steward", s) for i, s in enumerate(stewards)]
    accounts.append(("steward7", "steward", newcomer))
    for username, role, person in accounts:
        user = User(username=username, role=role, staff=person, locale=None)
        user.set_password(DEMO_PASSWORD)
        session.add(user)
    members = demo_service.seed_departments(session, DEMO_PASSWORD)

    # --- property ---------------------------------------------------------------------
    units: list[Unit] = []
    standards: dict[str, FeeStandard] = {}
    projects = []
    for code, name, kind, address, buildings in PROJECTS:
        project = Project(code=code, name=name, kind=kind, address=address)
        projects.append(project)
        session.add(project)
        fee_name, basis, rate = FEES[code]
        standards[code] = FeeStandard(project=project, name=fee_name, basis=basis, rate=rate,
                                      effective_from=date(2025, 1, 1),
                                      description="按建筑面积每月计收，每月 25 日前缴纳")
        session.add(standards[code])
        for b_name, floors, per_floor, (low, high) in buildings:
            building = Building(project=project, name=b_name, floors=floors)
            session.add(building)
            for floor in range(1, floors + 1):
                for n in range(1, per_floor + 1):
                    area = Decimal(rng.randrange(low * 100, high * 100)) / 100
                    usage = rng.choices(
                        ["owner_occupied", "rented", "vacant", "renovating"], [70, 18, 9, 3]
                    )[0]
                    unit = Unit(building=building, number=f"{floor}{n:02d}", floor=floor,
                                area=area, usage=usage)
                    units.append(unit)
                    session.add(unit)
    for i, unit in enumerate(units):
        unit.steward = stewards[i * len(stewards) // len(units)]

    owners = []
    for unit in units:
        born = date(rng.randrange(1950, 2000), rng.randrange(1, 13), rng.randrange(1, 29))
        owner = Owner(name=_name(rng), phone=_phone(rng), id_number=_id_number(rng, born),
                      wechat_id=f"wx_{rng.randrange(10**6):06d}" if rng.random() < 0.7 else None,
                      preferred_channel=rng.choice(["phone", "wechat", "wechat", "visit"]))
        owners.append(owner)
        session.add(owner)
        session.add(Ownership(owner=owner, unit=unit, since=date(rng.randrange(2010, 2025), 1, 1),
                              is_primary=True))
    session.flush()

    # --- fees: a year of bills, most paid ---------------------------------------------
    periods = _months_back(12)
    bills = payments = 0
    receipt = 0
    for unit, owner in zip(units, owners, strict=True):
        standard = standards[unit.building.project.code]
        habit = rng.random()  # some owners always pay, a few rarely do
        for period in periods:
            y, m = map(int, period.split("-"))
            amount = monthly_amount(standard.basis, standard.rate, unit.area)
            bill = Bill(unit_id=unit.id, owner_id=owner.id, standard_id=standard.id,
                        period=period, amount=amount, due_date=date(y, m, 25))
            session.add(bill)
            bills += 1
            current_month = (y, m) == (ANCHOR.year, ANCHOR.month)
            if rng.random() < (0.35 if current_month else 0.6 + 0.38 * habit):
                receipt += 1
                bill.paid_amount = amount
                bill.status = "paid"
                bill.payments.append(Payment(
                    amount=amount, receipt_no=f"R{period.replace('-', '')}{receipt:06d}",
                    method=rng.choice(["wechat_pay", "alipay", "bank_transfer", "cash"]),
                    paid_at=_at(date(y, m, rng.randrange(1, 28)), rng.randrange(8, 21))))
                payments += 1
    session.flush()

    unpaid = session.scalars(sa.select(Bill).where(Bill.status == "unpaid",
                                                   Bill.period < periods[-1])).all()
    reminders = 0
    for bill in unpaid[::3]:
        y, m = map(int, bill.period.split("-"))
        session.add(ArrearsReminder(
            bill=bill, steward=bill.unit.steward, reminded_at=_at(date(y, m, 28), 10),
            method=rng.choice(["phone", "wechat", "door_notice"]),
            reason=rng.choice(["financial_hardship", "dissatisfied", "vacant", "unreachable",
                               "disputes_amount"]),
            promised_on=date(y, m, 28) + timedelta(days=14),
            outcome=rng.choice(["promised", "no_answer", "refused"])))
        reminders += 1

    # --- tickets: a year of owners' needs, each step taken through the workflow ---------
    tickets = visits = 0
    plans = []
    start = ANCHOR - timedelta(days=365)
    for n in range(600):
        day = start + timedelta(days=n * 365 // 600)
        unit_index = rng.randrange(len(units))
        unit, owner = units[unit_index], owners[unit_index]
        category = rng.choice(list(TICKET_TEXTS))
        urgent, important = rng.random() < 0.25, rng.random() < 0.45
        intake = _at(day, rng.randrange(8, 20), rng.randrange(60))
        ticket = Ticket(
            code=f"T{day:%Y%m}-{n + 1:04d}", channel=rng.choice(
                ["phone", "wechat", "wechat", "on_site", "visit", "email", "letter"]),
            owner_id=owner.id, unit_id=unit.id, contact_name=owner.name,
            contact_phone=owner.phone, category=category, urgent=urgent, important=important,
            description=rng.choice(TICKET_TEXTS[category]), steward=unit.steward,
            intake_at=intake)
        session.add(ticket)
        tickets += 1
        plans.append((ticket, _ticket_plan(rng, intake, due_at(intake, priority(urgent, important)),
                                           (ANCHOR - day).days)))
    session.flush()
    for round_ in range(max(len(plan) for _, plan in plans)):
        for ticket, plan in plans:
            if round_ < len(plan):
                step, at, inputs = plan[round_]
                if step in ("take", "progress", "done"):
                    demo_service.work(session, ticket, step, at, members)
                    continue
                take_step(session, ticket, step, actor=_username(stewards, ticket.steward),
                          at=at, **inputs)
        session.flush()
    events = session.scalar(sa.select(sa.func.count(TicketEvent.id)))
    # the follow-ups planned as the tickets closed, most made; every owner's regular visit
    tickets += demo_service.seed_queue(session, _at(ANCHOR, 9), members, len(plans) + 1)
    demo_service.withdraw_one(session, _at(ANCHOR, 9))
    visits = demo_service.seed_visits(session, rng, _at(ANCHOR, 9))
    visits = session.scalar(sa.select(sa.func.count(ReturnVisit.id)))

    # --- periodic training ------------------------------------------------------------
    newcomer_course = TrainingSession(program=onboarding, starts_on=date(2026, 11, 3),
                                      location="公司培训室", trainer="林芳")
    session.add(newcomer_course)
    yearly = TrainingSession(program=periodic, starts_on=date(2026, 6, 12), location="国贸中心 B座 3F")
    session.add(yearly)
    for person in stewards:
        session.add(TrainingResult(session=yearly, staff=person, attempt=1,
                                   taken_on=date(2026, 6, 12), passed=True))
        results += 1

    # --- assessments: the past eleven months, run and confirmed by the supervisors -----
    session.flush()
    assessments = 0
    for period in periods[:-1]:
        y, m = map(int, period.split("-"))
        run_at = _at((date(y, m, 28) + timedelta(days=4)).replace(day=3), 10)  # next month
        for boss in supervisors:
            for assessment in run_month(session, boss, period, now=run_at).created:
                assessment.task_score = Decimal(rng.randrange(70, 100))
                assessment.comment = "按计划完成客户服务与收费任务"
                confirm(session, assessment, _username(supervisors, boss, "supervisor"),
                        now=run_at)
                assessments += 1
            session.flush()
    # This month and this year are under way: drafts the supervisors keep up to date.
    for boss in supervisors:
        assessments += len(run_month(session, boss, periods[-1], now=_at(ANCHOR, 9)).created)
        run_year(session, boss, ANCHOR.year)
    # HR's own records: letters of praise from owners earned two stewards a certificate.
    for person in (stewards[0], stewards[4]):
        session.add(RewardPenalty(staff=person, kind="certificate", reason="业主来信表扬，服务热情周到",
                                  status="confirmed", decided_on=date(2026, 11, 5)))
    # HR has decided the suggestions of all but the last month; the last ones wait for HR.
    for suggestion in session.scalars(sa.select(RewardPenalty).join(
            RewardPenalty.monthly_assessment).where(MonthlyAssessment.period < periods[-2])):
        decide(suggestion, accepted=suggestion.kind != "dismissal")
    # --- daily work, safety, organisation --------------------------------------------
    # Each working day's log since October (P-LOG-1); 李娜 has not written yesterday's yet.
    logs = 0
    for person in stewards:
        for back in range(1, (ANCHOR - date(2026, 10, 1)).days + 1):
            day = ANCHOR - timedelta(days=back)
            if day.weekday() < 5 and not (person is stewards[1] and back == 1):
                session.add(WorkLog(steward=person, day=day, needs_received="受理业主报修 3 件",
                                    problems_handled="处理漏水、门禁问题", feedback_given="回访 2 户"))
                logs += 1
    for i, project in enumerate(projects):
        patrol = Patrol(project=project, steward=stewards[i * 2], area="地下车库及消防通道",
                        patrolled_at=_at(ANCHOR - timedelta(days=3), 21), findings="消防通道堆放杂物")
        session.add(patrol)
        session.add(Hazard(project=project, steward=stewards[i * 2], patrol=patrol,
                           found_at=patrol.patrolled_at, location="B1 消防通道",
                           description="消防通道堆放纸箱", severity="high", status="handling",
                           handled_by="security"))
        session.add(CommunityEvent(project=project, steward=stewards[i * 2],
                                   title="中秋游园会" if i == 0 else "业主座谈会",
                                   kind="festival" if i == 0 else "owner_forum",
                                   starts_at=_at(date(2026, 9, 25), 18), location="会所",
                                   attendees=40 + i * 10))
    session.add(Incident(project=projects[0], steward=stewards[0], kind="theft",
                         occurred_at=_at(date(2026, 8, 14), 2), description="3栋地下车库电动车被盗",
                         actions_taken="调取监控，协助业主报警", status="resolved"))
    session.add(Incident(project=projects[2], steward=stewards[5], kind="fire",
                         occurred_at=_at(date(2026, 10, 3), 15), description="2号厂房配电箱冒烟",
                         actions_taken="断电疏散，消防部门到场检查", status="resolved"))
    _summaries(session, stewards, supervisors)
    procedures = _procedures(session, stewards, units, owners)
    survey = random.Random(2025)  # the owners' annual survey, scored per steward
    for boss in supervisors:
        for annual in run_year(session, boss, 2025).created:
            annual.performance_score = Decimal(rng.randrange(75, 96))
            annual.owner_evaluation = Decimal(survey.randrange(78, 97))
            confirm(session, annual, _username(supervisors, boss, "supervisor"),
                    now=_at(date(2026, 1, 15), 10))
    # Career moves of earlier years, done long ago (P-CAR-1), and one HR has planned: the
    # steward of the industrial park moves to customer relations next year (P-CAR-2) and
    # hands her units over first.
    for person in supervisors:
        session.add(CareerMove(staff=person, kind="promotion", from_position="steward",
                               from_department="customer_service", to_position="supervisor",
                               effective_on=date(2022, 1, 1), reason="连续两年考核优秀",
                               status="done", applied_at=_at(date(2022, 1, 1), 0)))
    session.add(CareerMove(staff=stewards[0], kind="transfer", from_position="steward",
                           from_department="customer_service", to_position="steward",
                           effective_on=date(2025, 3, 1), reason="按项目人员安排调整负责区域",
                           status="done", applied_at=_at(date(2025, 3, 1), 0)))
    session.add(CareerMove(staff=stewards[5], kind="transfer", to_department="client_relations",
                           effective_on=date(2027, 1, 1), reason="本人意愿，擅长沟通，转岗客户关系部"))
    _meetings(session, stewards, supervisors, hr)
    for name, kind in [("锦绣社区居委会", "residents_committee"), ("锦绣路派出所", "police_station"),
                       ("浦东新区消防救援支队", "fire_department"), ("浦东自来水公司", "water_supply"),
                       ("国网上海浦东供电公司", "power_supply"), ("上海燃气浦东公司", "gas_supply"),
                       ("锦绣街道办事处", "subdistrict_office")]:
        session.add(ExternalBody(name=name, kind=kind, project=projects[0],
                                 phone=f"021-{rng.randrange(10**7, 10**8)}"))

    return {
        "projects": len(projects), "units": len(units), "owners": len(owners),
        "staff": session.scalar(sa.select(sa.func.count(Staff.id))), "bills": bills,
        "payments": payments,
        "reminders": reminders, "tickets": tickets, "ticket events": events,
        "return visits": visits, "training results": results,
        "monthly assessments": assessments, "work logs": logs, "procedures": procedures,
    }


def _procedures(session, stewards: list, units: list, owners: list) -> int:
    """P-COORD-3: each steward's procedures under way — a renovation with its first steps
    done (its unit renovating meanwhile), a move-in partly done, now and then a tenant's
    move-out — and, done already for two stewards, a sale: the old owner's move-out, then the
    new owner's move-in, whose completions left the unit with its new owner."""
    from services import procedures as work

    rng = random.Random(13)  # its own: the rest of the demo draws as it did before
    made = 0

    def opened(kind, unit, owner, person, started, done) -> Procedure:
        procedure = Procedure(kind=kind, unit=unit, owner=owner, steward=person,
                              started_on=started,
                              deposit=Decimal("2000.00") if kind == "renovation" else None)
        session.add(procedure)
        session.flush()  # the steps of the checklist in force on `started` are copied now
        for step in procedure.steps[:done]:
            work.mark_done(session, step, person, "已办理",
                           at=_at(started + timedelta(days=step.position - 1), 10 + step.position))
        return procedure

    for i, person in enumerate(stewards):
        mine = [unit for unit in units if unit.steward is person]
        owner_of = {unit.id: owners[units.index(unit)] for unit in mine[-4:]}
        started = ANCHOR - timedelta(days=12 - i)
        opened("renovation", mine[-1], owner_of[mine[-1].id], person, started, 2)
        opened("move_in", mine[-2], owner_of[mine[-2].id], person, started, 2 + i % 2)
        made += 2
        if i % 3 == 2:  # a tenant leaving: nobody's ownership changes
            opened("move_out", mine[-3], None, person, started, 1)
            made += 1
        if i % 3 == 0:
            unit, seller = mine[-4], owner_of[mine[-4].id]
            leaving = opened("move_out", unit, seller, person, ANCHOR - timedelta(days=24), 3)
            work.complete(session, leaving, today=ANCHOR - timedelta(days=21))
            born = date(rng.randrange(1970, 1995), rng.randrange(1, 13), rng.randrange(1, 29))
            buyer = Owner(name=_name(rng), phone=_phone(rng), id_number=_id_number(rng, born),
                          preferred_channel="wechat")
            session.add(buyer)
            arriving = opened("move_in", unit, buyer, person, ANCHOR - timedelta(days=18), 4)
            work.complete(session, arriving, today=ANCHOR - timedelta(days=14))
            made += 2
    return made


def _summaries(session, stewards: list, supervisors: list) -> None:
    """Summaries written from the records (P-LOG-2): October's monthly ones and last week's,
    submitted and commented on by the supervisor; 张伟's of last week still a draft."""
    last_week = date(2026, 11, 9)
    draft = summary_service.open_draft(session, stewards[0], "weekly", last_week,
                                       now=_at(ANCHOR, 9))
    draft.problems = "漏水报修集中在 3 栋"
    for kind, start, written in (("monthly", date(2026, 10, 1), date(2026, 11, 2)),
                                 ("weekly", last_week, date(2026, 11, 16))):
        for person in stewards:
            if person is stewards[0] and kind == "weekly":
                continue
            summary = summary_service.open_draft(session, person, kind, start,
                                                 now=_at(written, 17))
            summary.problems = "漏水报修集中"
            summary.shortcomings = "回访不够及时"
            summary.improvements = "每日下班前完成当天回访"
            summary_service.submit(summary, now=_at(written, 18))
            summary.supervisor_comment = "已阅，回访要跟上" if kind == "weekly" else "本月完成较好"
    session.flush()


def _meetings(session, stewards: list, supervisors: list, hr) -> None:
    """Coordination meetings with their action items (P-COM-2): open, overdue, done and
    cancelled ones, for stewards, a supervisor and HR."""
    october = Meeting(title="10 月工作协调会", kind="coordination", held_at=_at(date(2026, 10, 15), 9),
                      participants="客服部、工程部、安保部、保洁部", minutes="讨论漏水报修与车库照明")
    november = Meeting(title="11 月工作协调会", kind="coordination", held_at=_at(ANCHOR, 9),
                       participants="客服部、工程部、安保部、保洁部", minutes="讨论冬季供暖检修安排")
    session.add_all([october, november])
    items = [
        (october, "核查 3 栋地下车库照明并报修", stewards[0], date(2026, 11, 10), "open", None),
        (october, "整理漏水报修台账", stewards[1], date(2026, 10, 31), "done", "台账已整理并发群"),
        (october, "与工程部确定冬季供暖检修时间", supervisors[0], date(2026, 11, 15), "open", None),
        (october, "更换 A座 大堂指引牌", stewards[3], date(2026, 11, 1), "cancelled", None),
        (november, "通知 1-3 栋业主供暖检修安排", stewards[0], date(2026, 11, 30), "open", None),
        (november, "清理 B1 消防通道杂物", stewards[3], date(2026, 11, 18), "open", None),
        (november, "安排冬季消防培训", hr, date(2026, 11, 28), "open", None),
        (november, "汇总各项目供暖报修", supervisors[1], date(2026, 11, 19), "done", "已汇总交工程部"),
        (november, "完成 1-3 栋供暖管道巡检", session.scalar(
            sa.select(Staff).where(Staff.employee_no == "E201")), date(2026, 11, 30), "open", None),
    ]
    for meeting, what, who, due, status, note in items:
        session.add(ActionItem(meeting=meeting, what=what, responsible=who, due_on=due,
                               status=status, done_note=note,
                               done_at=_at(due, 16) if status == "done" else None))
