"""The set-based statements bench/scale.py runs: one INSERT … SELECT over generate_series per
table, every value a function of the row's number (no random(): the same scale gives the same
company). Ids are given explicitly, so rows find each other by arithmetic; the sequences are
moved past them at the end.

Layout at scale 1 (`Sizes`): 20 projects of 50 buildings of 100 units (25 floors × 4), each
unit with its own owner; 50 supervisors with 20 stewards each, a steward holding 100
consecutive units; 24 months of bills (2024-12 … 2026-11) for every unit, half of them paid;
600,000 tickets over the two years with their steps; 200,000 return visits.
"""

from __future__ import annotations

from dataclasses import dataclass

# The company's "today" (the demo's anchor) at 09:00 Shanghai time, stored naive UTC.
ANCHOR_DAY = "2026-11-20"
ANCHOR_TS = "TIMESTAMP '2026-11-20 01:00:00'"
FIRST_PERIOD = "DATE '2024-12-01'"
MONTHS = 24
BUILT = "TIMESTAMP '2024-11-01 00:00:00'"  # created_at of the master records
STAMP = f"{BUILT}, 'scale', {BUILT}, 'scale', 1"  # created_at, created_by, updated_at, …
ENTITY_COLS = "created_at, created_by, updated_at, updated_by, version"

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘"
            "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊"
            "秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬建国文辉力永健"
         "世广志义兴良海山仁波宁贵福生龙元全胜学祥才发武新利清飞彬富顺信子昌成康星光"
         "天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐")
DEPARTMENTS = ("engineering", "security", "cleaning", "customer_service")
CHANNELS = "ARRAY['phone','wechat','wechat','on_site','visit','email','letter']"
CATEGORIES = "ARRAY['repair','water_power','sanitation','security','fees','complaint','inquiry']"
METHODS = "ARRAY['wechat_pay','alipay','bank_transfer','cash']"
# A reminder's moment within a working day (09:00–17:52 in Shanghai), so a month's reminders
# are spread over five days' hours and minutes as a team makes them, not 10,000 at one
# second in unit order (a team's then all sat at the end of the tie); written in the order
# they were made, and the dates owners promise to pay spread over two weeks after.
REMINDED = "(b.id % 9) * INTERVAL '1 hour' + (b.id % 53) * INTERVAL '1 minute'"


def name_sql(i: str, salt: int) -> str:
    """A Chinese name for row number `i`: a surname and one or two given characters."""
    s, g = len(SURNAMES), len(GIVEN)
    return (f"substr('{SURNAMES}', 1 + (({i}) * {salt * 7 + 3}) % {s}, 1) || "
            f"substr('{GIVEN}', 1 + (({i}) * {salt * 13 + 5}) % {g}, 1) || "
            f"CASE WHEN ({i}) % 3 = 0 THEN '' ELSE "
            f"substr('{GIVEN}', 1 + (({i}) * {salt * 17 + 11} / 7) % {g}, 1) END")


@dataclass(frozen=True)
class Sizes:
    projects: int
    buildings: int
    units: int
    supervisors: int
    stewards: int
    tickets: int
    visits: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        def n(full: int, least: int = 1) -> int:
            return max(least, round(full * scale))
        projects = n(20, 2)
        buildings = n(1000, projects)
        supervisors = n(50)
        return cls(projects=projects, buildings=buildings, units=n(100_000, buildings),
                   supervisors=supervisors, stewards=n(1000, 2 * supervisors),
                   tickets=n(600_000), visits=n(200_000))

    # staff ids: supervisors, then stewards, then the office, HR and the department heads
    @property
    def first_steward(self) -> int:
        return self.supervisors + 1

    @property
    def office(self) -> int:
        return self.supervisors + self.stewards + 1

    @property
    def hr(self) -> int:
        return self.office + 1

    def head(self, department_index: int) -> int:
        return self.hr + 1 + department_index

    def steward_of(self, unit: str) -> str:
        """SQL: the steward id of unit number `unit` (consecutive units per steward)."""
        return f"({self.supervisors} + 1 + (({unit}) - 1) * {self.stewards} / {self.units})"


def statements(z: Sizes) -> list[tuple[str, str]]:
    """(label, SQL) in the order they run; the small records first."""
    heads = ", ".join(f"({i + 1}, '{code}', {z.head(i)}, '021-5880{i:04d}')"
                      for i, code in enumerate(DEPARTMENTS))
    return [
        ("staff", f"""
INSERT INTO staff (id, employee_no, name, phone, position, department, status, supervisor_id,
                   birth_date, education, major, hire_date, property_years, steward_years,
                   {ENTITY_COLS})
SELECT i, 'S' || lpad(i::text, 6, '0'), {name_sql('i', 1)}, '138' || lpad(i::text, 8, '0'),
       CASE WHEN i <= {z.supervisors} THEN 'supervisor'
            WHEN i < {z.office} THEN 'steward' ELSE 'other' END,
       CASE WHEN i < {z.office} THEN 'customer_service'
            WHEN i = {z.office} THEN 'office' WHEN i = {z.hr} THEN 'human_resources'
            ELSE (ARRAY{list(DEPARTMENTS)})[i - {z.hr}] END,
       'on_duty',
       CASE WHEN i >= {z.first_steward} AND i < {z.office}
            THEN 1 + (i - {z.first_steward}) * {z.supervisors} / {z.stewards} END,
       DATE '1980-01-01' + (i * 37) % 7000,
       CASE WHEN i % 2 = 0 THEN 'bachelor' ELSE 'associate' END,
       '物业管理', DATE '2018-01-01' + (i * 53) % 2000, 3 + i % 6, 1 + i % 3, {STAMP}
FROM generate_series(1, {z.head(len(DEPARTMENTS) - 1)}) AS i"""),
        ("department", f"""
INSERT INTO department (id, code, head_id, phone, {ENTITY_COLS})
SELECT d.id, d.code, d.head, d.phone, {STAMP}
FROM (VALUES {heads}) AS d(id, code, head, phone)"""),
        ("project", f"""
INSERT INTO project (id, code, name, kind, address, {ENTITY_COLS})
SELECT p, 'P' || lpad(p::text, 3, '0'), '项目' || lpad(p::text, 3, '0'),
       (ARRAY['residential','residential','office','industrial_park'])[1 + p % 4],
       '上海市浦东新区 ' || p || ' 号', {STAMP}
FROM generate_series(1, {z.projects}) AS p"""),
        ("fee_standard", f"""
INSERT INTO fee_standard (id, project_id, name, basis, rate, effective_from, description,
                          {ENTITY_COLS})
SELECT p, p, '物业服务费', 'per_m2', 2.35 + (p % 4) * 0.5, DATE '2024-01-01', '每月 25 日前缴纳',
       {STAMP}
FROM generate_series(1, {z.projects}) AS p"""),
        ("building", f"""
INSERT INTO building (id, project_id, name, name_key, floors, {ENTITY_COLS})
SELECT b, 1 + (b - 1) * {z.projects} / {z.buildings}, b || '栋', lpad(b::text, 10, '0') || '栋',
       25, {STAMP}
FROM generate_series(1, {z.buildings}) AS b"""),
        ("unit", f"""
INSERT INTO unit (id, building_id, number, number_key, floor, area, usage, steward_id,
                  {ENTITY_COLS})
SELECT u, b, room, lpad(room, 10, '0'), k / 4 + 1,
       60 + ((u * 7919) % 9000) / 100.0,
       CASE WHEN u % 10 < 7 THEN 'owner_occupied' WHEN u % 10 < 9 THEN 'rented'
            ELSE 'vacant' END,
       {z.steward_of('u')}, {STAMP}
FROM generate_series(1, {z.units}) AS u,
     LATERAL (SELECT 1 + (u - 1) * {z.buildings} / {z.units} AS b) AS bb,
     LATERAL (SELECT u - 1 - ((b - 1) * {z.units} + {z.buildings} - 1) / {z.buildings} AS k
             ) AS kk,
     LATERAL (SELECT ((k / 4) + 1)::text || lpad((k % 4 + 1)::text, 2, '0') AS room) AS r"""),
        ("unit_assignment", """
INSERT INTO unit_assignment (id, unit_id, steward_id, start_on, end_on)
SELECT id, id, steward_id, NULL, NULL FROM unit"""),
        ("owner", f"""
INSERT INTO owner (id, name, phone, email, wechat_id, preferred_channel, notices_opt_out,
                   {ENTITY_COLS})
SELECT u, {name_sql('u', 2)}, '139' || lpad(u::text, 8, '0'),
       CASE WHEN u % 5 = 0 THEN 'owner' || u || '@example.com' END,
       CASE WHEN u % 10 < 7 THEN 'wx_' || u END,
       (ARRAY['phone','wechat','wechat','visit'])[1 + u % 4], u % 50 = 0, {STAMP}
FROM generate_series(1, {z.units}) AS u"""),
        ("ownership", f"""
INSERT INTO ownership (id, owner_id, unit_id, since, is_primary, {ENTITY_COLS})
SELECT u, u, u, DATE '2010-01-01' + (u * 97) % 5000, TRUE, {STAMP}
FROM generate_series(1, {z.units}) AS u"""),
        # bill (u, m): id (u-1)*24+m; h decides: < 47 paid, 47-49 partly paid, 99 waived
        ("bill", f"""
INSERT INTO bill (id, unit_id, owner_id, standard_id, period, amount, paid_amount, due_date,
                  status, {ENTITY_COLS})
SELECT a.id, u.id, u.id, s.id, to_char(month, 'YYYY-MM'), amount,
       CASE WHEN h < 47 THEN amount WHEN h < 50 THEN round(amount / 2, 2) ELSE 0 END,
       month + 24, CASE WHEN h < 47 THEN 'paid' WHEN h < 50 THEN 'partly_paid'
                        WHEN h = 99 THEN 'waived' ELSE 'unpaid' END,
       month - 5 + TIME '02:00', 'bill-run', month - 5 + TIME '02:00', 'bill-run', 1
FROM unit u JOIN building b ON b.id = u.building_id
     JOIN fee_standard s ON s.project_id = b.project_id,
     generate_series(1, {MONTHS}) AS m,
     LATERAL (SELECT (u.id - 1) * {MONTHS} + m AS id,
                     ({FIRST_PERIOD} + (m - 1) * INTERVAL '1 month')::date AS month,
                     round(u.area * s.rate, 2) AS amount) AS a,
     LATERAL (SELECT ((a.id * 2654435761) % 1000003) % 100 AS h) AS hh
ORDER BY u.id, m"""),
        ("payment", f"""
INSERT INTO payment (id, bill_id, amount, method, paid_at, receipt_no, {ENTITY_COLS})
SELECT id, id, paid_amount, ({METHODS})[1 + id % 4],
       due_date - 24 + (id % 27) + TIME '01:00' + (id % 11) * INTERVAL '1 hour',
       'R' || lpad(id::text, 9, '0'),
       due_date - 24 + (id % 27) + TIME '01:00', 'scale',
       due_date - 24 + (id % 27) + TIME '01:00', 'scale', 1
FROM bill WHERE paid_amount > 0 ORDER BY id"""),
        ("arrears_reminder", f"""
INSERT INTO arrears_reminder (id, bill_id, steward_id, reminded_at, method, reason, note,
                              promised_on, outcome, {ENTITY_COLS})
SELECT b.id, b.id, u.steward_id, b.due_date + 3 + (b.id % 5) + TIME '01:00' + {REMINDED},
       (ARRAY['phone','wechat','door_notice'])[1 + b.id % 3],
       (ARRAY['financial_hardship','dissatisfied','vacant','unreachable',
              'disputes_amount'])[1 + b.id % 5],
       '电话催缴', b.due_date + 10 + (b.id % 15),
       (ARRAY['promised','no_answer','refused'])[1 + b.id % 3],
       b.due_date + 3 + (b.id % 5) + TIME '01:00' + {REMINDED}, 'scale',
       b.due_date + 3 + (b.id % 5) + TIME '01:00' + {REMINDED}, 'scale', 1
FROM bill b JOIN unit u ON u.id = b.unit_id
WHERE b.status IN ('unpaid', 'partly_paid') AND b.due_date < DATE '{ANCHOR_DAY}' AND b.id % 5 = 0
ORDER BY 4, 1"""),
        *ticket_statements(z),
    ]


def ticket_statements(z: Sizes) -> list[tuple[str, str]]:
    """Tickets planned in a temporary table (stage 0 new … 5 closed by their age), then the
    tickets, their departments' parts, their steps, and the return visits."""
    span = 730 * 1440  # minutes over which intake is spread
    return [
        ("ticket plan", f"""
CREATE TEMPORARY TABLE ticket_plan AS
SELECT t, u, intake, age,
       CASE WHEN age >= 7 THEN CASE t % 50 WHEN 0 THEN 4 WHEN 1 THEN 3 ELSE 5 END
            WHEN age >= 3 THEN 3 + t % 2 WHEN age >= 1 THEN 2 ELSE t % 3 END AS stage,
       t % 4 = 0 AS urgent, t % 9 < 4 AS important, 1 + t % 40 AS hours
FROM generate_series(1, {z.tickets}) AS t,
     LATERAL (SELECT 1 + (t * 7919::bigint) % {z.units} AS u,
                     {ANCHOR_TS} - INTERVAL '30 minutes'
                         - ({z.tickets} - t) * ({span}.0 / {z.tickets}) * INTERVAL '1 minute'
                         AS intake) AS a,
     LATERAL (SELECT EXTRACT(EPOCH FROM {ANCHOR_TS} - intake) / 86400 AS age) AS b;
ALTER TABLE ticket_plan ADD COLUMN disp boolean, ADD COLUMN dept int, ADD COLUMN due timestamp,
    ADD COLUMN resolved timestamp;
UPDATE ticket_plan SET disp = (t % 8 = 3 AND stage >= 2), dept = 1 + (t / 8) % 4,
    due = intake + CASE WHEN urgent AND important THEN 4 WHEN urgent THEN 24
                        WHEN important THEN 48 ELSE 72 END * INTERVAL '1 hour',
    resolved = CASE WHEN stage >= 3 THEN intake + hours * INTERVAL '1 hour' END;
ALTER TABLE ticket_plan ADD PRIMARY KEY (t)"""),
        ("ticket", f"""
INSERT INTO ticket (id, code, channel, owner_id, unit_id, contact_name, contact_phone, category,
                    urgent, important, priority, description, status, steward_id, department,
                    intake_at, due_at, resolved_at, closed_at, resolution, solved_on_spot,
                    satisfaction, feedback, feedback_source, rework_count, {ENTITY_COLS})
SELECT p.t, 'T' || lpad(p.t::text, 8, '0'), ({CHANNELS})[1 + p.t % 7], o.id, p.u, o.name, o.phone,
       ({CATEGORIES})[1 + p.t % 7], p.urgent, p.important,
       CASE WHEN p.urgent AND p.important THEN 'P1' WHEN p.urgent THEN 'P2'
            WHEN p.important THEN 'P3' ELSE 'P4' END,
       '业主报修：' || ({CATEGORIES})[1 + p.t % 7] || ' #' || p.t,
       (ARRAY['new','accepted','in_progress','resolved','feedback_given','closed'])[1 + p.stage],
       {z.steward_of('p.u')}, CASE WHEN p.disp THEN (ARRAY{list(DEPARTMENTS)})[p.dept] END,
       p.intake, p.due, p.resolved,
       CASE WHEN p.stage = 5 THEN p.resolved + INTERVAL '20 hours 30 minutes' END,
       CASE WHEN p.stage >= 3 THEN '已派工处理完成' END, FALSE,
       CASE WHEN p.stage >= 4 THEN 3 + p.t % 3 END, CASE WHEN p.stage >= 4 THEN '满意' END,
       CASE WHEN p.stage >= 4 THEN 'steward' END, 0,
       p.intake, 'scale', COALESCE(p.resolved, p.intake), 'scale', 1
FROM ticket_plan p JOIN owner o ON o.id = p.u ORDER BY p.t"""),
        ("dispatch", f"""
INSERT INTO dispatch (id, ticket_id, department_id, status, dispatched_at, dispatched_by, due_at,
                      taken_by_id, taken_at, done_at, done_note, {ENTITY_COLS})
SELECT t, t, dept,
       CASE WHEN stage >= 3 THEN 'done' WHEN t % 3 <> 0 THEN 'taken' ELSE 'waiting' END,
       intake + INTERVAL '25 minutes', 'scale', due,
       CASE WHEN stage >= 3 OR t % 3 <> 0 THEN {z.hr} + dept END,
       CASE WHEN stage >= 3 OR t % 3 <> 0 THEN intake + INTERVAL '60 minutes' END,
       CASE WHEN stage >= 3 THEN resolved - INTERVAL '10 minutes' END,
       CASE WHEN stage >= 3 THEN '已处理完成，请管家回访业主' END,
       intake + INTERVAL '25 minutes', 'scale', COALESCE(resolved, intake), 'scale', 1
FROM ticket_plan WHERE disp ORDER BY t"""),
        # the steps in order, so a ticket's last transition has its highest id (invariants)
        ("ticket_event", f"""
INSERT INTO ticket_event (ticket_id, at, actor, from_status, to_status, note, shared_with_owner,
                          dispatch_id, {ENTITY_COLS})
SELECT p.t, s.at, 'scale', s.from_status, s.to_status, s.note, FALSE, s.dispatch_id,
       s.at, 'scale', s.at, 'scale', 1
FROM ticket_plan p CROSS JOIN LATERAL (VALUES
    (1, p.stage >= 1, p.intake + INTERVAL '10 minutes', 'new', 'accepted', NULL, NULL),
    (2, p.stage >= 2, p.intake + INTERVAL '25 minutes', 'accepted', 'in_progress', NULL, NULL),
    (3, p.disp AND (p.stage >= 3 OR p.t % 3 <> 0), p.intake + INTERVAL '60 minutes', NULL, NULL,
     NULL, p.t),
    (4, p.disp AND p.stage >= 3, p.resolved - INTERVAL '10 minutes', NULL, NULL,
     '已处理完成，请管家回访业主', p.t),
    (5, p.stage >= 3, p.resolved, 'in_progress', 'resolved', '已派工处理完成', NULL),
    (6, p.stage >= 4, p.resolved + INTERVAL '20 hours', 'resolved', 'feedback_given', '满意', NULL),
    (7, p.stage >= 5, p.resolved + INTERVAL '20 hours 30 minutes', 'feedback_given', 'closed',
     NULL, NULL)
) AS s(step, wanted, at, from_status, to_status, note, dispatch_id)
WHERE s.wanted ORDER BY p.t, s.step"""),
        # half follow-ups of closed tickets, half regular visits; every tenth still planned
        ("return_visit", f"""
INSERT INTO return_visit (id, owner_id, unit_id, ticket_id, steward_id, planned_on, visited_at,
                          channel, rating_attitude, rating_efficiency, rating_solving,
                          satisfaction, opinions, {ENTITY_COLS})
SELECT v, u, u, tk, {z.steward_of('u')}, visited - INTERVAL '1 day',
       CASE WHEN NOT planned THEN visited END, (ARRAY['phone','wechat','visit'])[1 + v % 3],
       CASE WHEN NOT planned THEN 3 + v % 3 END, CASE WHEN NOT planned THEN 2 + (v * 7) % 4 END,
       CASE WHEN NOT planned THEN 3 + (v * 5) % 3 END,
       CASE WHEN NOT planned THEN LEAST(3 + v % 3, 2 + (v * 7) % 4, 3 + (v * 5) % 3) END,
       CASE WHEN NOT planned THEN '服务态度好' END,
       visited - INTERVAL '1 day', 'scale', visited - INTERVAL '1 day', 'scale', 1
FROM generate_series(1, {z.visits}) AS v,
     LATERAL (SELECT v % 10 = 0 AS planned,
                     CASE WHEN v % 2 = 1 THEN 1 + ((v * 3::bigint) % {z.tickets}) END AS tk) AS a,
     LATERAL (SELECT COALESCE((SELECT p.u FROM ticket_plan p WHERE p.t = a.tk),
                              1 + (v * 104729::bigint) % {z.units}) AS u,
                     CASE WHEN a.planned THEN {ANCHOR_TS} + (v % 30) * INTERVAL '1 day'
                          ELSE {ANCHOR_TS} - (1 + (v * 7) % 700) * INTERVAL '1 day' END AS visited
             ) AS b
ORDER BY v"""),
    ]
