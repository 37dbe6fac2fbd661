"""Fees through the CLI and the screens, on the demo data (P-FEE-1…3, P-KPI-2): the bill
run, payments, waivers, arrears and reminders, collection reports."""

from __future__ import annotations

import calendar
import io
import threading
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from extensions import db as database
from models import (
    ArrearsReminder,
    Bill,
    Building,
    FeeStandard,
    Owner,
    Ownership,
    Payment,
    Project,
    Staff,
    Unit,
    User,
)
from models.queries import collection_by, collection_by_month
from rules.billing import monthly_amount
from services.billing import bill_run

from .helpers import flashes, form_data, one, scoped_ids

D = Decimal


def bills_of(app, period: str) -> list[Bill]:
    with app.app_context():
        found = list(database.session.scalars(sa.select(Bill).where(Bill.period == period)))
        database.session.expunge_all()
        return found


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


# ---- the bill run ---------------------------------------------------------------------------
def test_the_bill_run_bills_every_unit_exactly_to_the_fen_P_FEE_1(app, db):
    """December 2026: one bill per unit (each project has one standard); every amount is
    area × rate rounded half-up, in Decimal; a unit of 89.37 m² at 2.35/m² owes 210.02."""
    with app.app_context():
        building = database.session.scalar(sa.select(Building).join(Building.project)
                                           .where(Project.code == "JX"))
        database.session.add(Unit(building=building, number="B8937", area=D("89.37")))
        database.session.commit()
    assert "301 bills created" in cli(app, "bill-run", "--period", "2026-12")
    made = bills_of(app, "2026-12")
    with app.app_context():
        units = {u.id: u for u in database.session.scalars(sa.select(Unit))}
        standards = {s.id: s for s in database.session.scalars(sa.select(FeeStandard))}
        primary = {unit_id: owner_id for unit_id, owner_id in database.session.execute(
            sa.select(Ownership.unit_id, Ownership.owner_id).where(Ownership.is_primary))}
        for bill in made:
            unit, standard = units[bill.unit_id], standards[bill.standard_id]
            assert bill.amount == monthly_amount(standard.basis, standard.rate, unit.area)
            assert standard.project_id == unit.building.project_id
            assert bill.owner_id == primary.get(bill.unit_id)
            assert (bill.status, bill.paid_amount, bill.due_date) == (
                "unpaid", D("0.00"), date(2026, 12, 25))
        odd = next(b for b in made if units[b.unit_id].number == "B8937")
    assert odd.amount == D("210.02") and odd.owner_id is None
    assert len({(b.unit_id, b.standard_id) for b in made}) == len(made) == 301


def test_running_the_same_month_again_creates_nothing(app, db):
    cli(app, "bill-run", "--period", "2026-12")
    before = [(b.id, b.amount, b.version) for b in bills_of(app, "2026-12")]
    output = cli(app, "bill-run", "--period", "2026-12")
    assert "0 bills created, 300 already there" in output
    assert [(b.id, b.amount, b.version) for b in bills_of(app, "2026-12")] == before
    assert "0 bills created, 300 already there" in cli(app, "bill-run", "--period", "2026-11")


def test_only_standards_in_force_bill_and_the_owner_is_the_primary_one_on_the_first_day(
        app, db):
    with app.app_context():
        session = database.session
        project = session.scalar(sa.select(Project).where(Project.code == "GM"))
        old = session.scalar(sa.select(FeeStandard).where(FeeStandard.project_id == project.id))
        old.effective_until = date(2026, 12, 15)  # ends mid-month: still bills December
        session.add(FeeStandard(project=project, name="空调能耗费", basis="fixed",
                                rate=D("120"), effective_from=date(2027, 1, 1)))
        unit = session.scalar(sa.select(Unit).join(Unit.building)
                              .where(Building.project_id == project.id).order_by(Unit.id))
        ownership = session.scalar(sa.select(Ownership).where(Ownership.unit_id == unit.id))
        ownership.until = date(2026, 11, 30)  # sold: the new owner from 1 December
        newcomer = Owner(name="新业主", phone="13911112222")
        session.add(Ownership(owner=newcomer, unit=unit, since=date(2026, 12, 1),
                              is_primary=True))
        session.commit()
        unit_id, newcomer_id, old_id = unit.id, newcomer.id, old.id
    cli(app, "bill-run", "--period", "2026-12")
    december = [b for b in bills_of(app, "2026-12") if b.unit_id == unit_id]
    assert [(b.standard_id, b.owner_id) for b in december] == [(old_id, newcomer_id)]
    cli(app, "bill-run", "--period", "2027-01")
    january = [b for b in bills_of(app, "2027-01") if b.unit_id == unit_id]
    assert [b.amount for b in january] == [D("120.00")]


def test_a_bad_month_is_refused_with_a_message(app, db):
    result = app.test_cli_runner().invoke(args=["bill-run", "--period", "2026-13"])
    assert result.exit_code == 2 and "2026-11" in result.output
    assert bills_of(app, "2026-13") == []


def test_the_admin_runs_bills_from_the_page_and_a_steward_cannot(app, db, as_role):
    response = as_role("admin").post("/admin/bill/run/", data={"period": "2026-12"},
                                     follow_redirects=True)
    assert any("300" in f for f in flashes(response))
    assert len(bills_of(app, "2026-12")) == 300
    assert as_role("steward1").post("/admin/bill/run/",
                                    data={"period": "2027-01"}).status_code == 403
    assert bills_of(app, "2027-01") == []


@pytest.mark.postgres
def test_two_overlapping_runs_make_one_bill_per_unit_and_standard(app, db):
    """Two connections run the same month at the same moment: each inserts with ON
    CONFLICT DO NOTHING, so the unique key keeps exactly one bill per unit and standard."""
    start, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            with app.app_context():
                start.wait()
                results.append(bill_run(database.session, "2026-12", actor="race"))
                database.session.commit()
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    made = bills_of(app, "2026-12")
    assert len(made) == 300 == len({(b.unit_id, b.standard_id) for b in made})
    assert sum(r.created for r in results) == 300


# ---- payments -------------------------------------------------------------------------------
def unpaid_bill(app) -> Bill:
    with app.app_context():
        bill = database.session.scalars(sa.select(Bill).where(
            Bill.status == "unpaid", Bill.period == "2026-11").order_by(Bill.id)).first()
        database.session.expunge(bill)
        return bill


def pay(client, bill_id, amount, receipt):
    return client.post("/admin/payment/new/", data={
        "bill": str(bill_id), "amount": amount, "method": "wechat_pay",
        "paid_at": "2026-11-21 10:00", "receipt_no": receipt})


def test_partial_then_exact_payment_settles_the_bill(app, db, as_role):
    admin, bill = as_role("admin"), unpaid_bill(app)
    half = (bill.amount / 2).quantize(D("0.01"))
    assert pay(admin, bill.id, str(half), "RT-1").status_code == 302
    after = one(app, Bill, id=bill.id)
    assert (after.status, after.paid_amount) == ("partly_paid", half)
    assert pay(admin, bill.id, str(bill.amount - half), "RT-2").status_code == 302
    after = one(app, Bill, id=bill.id)
    assert (after.status, after.paid_amount) == ("paid", bill.amount)


def test_paying_more_than_owed_is_refused_and_saves_nothing(app, db, as_role):
    admin, bill = as_role("admin"), unpaid_bill(app)
    pay(admin, bill.id, "10.00", "RT-3")
    response = pay(admin, bill.id, str(bill.amount), "RT-4")
    assert response.status_code == 200
    assert any("more than is owed" in f or "超" in f for f in flashes(response))
    assert one(app, Payment, receipt_no="RT-4") is None
    assert one(app, Bill, id=bill.id).paid_amount == D("10.00")


def test_a_waived_bill_takes_no_payment_and_a_paid_one_is_not_waived(app, db, as_role):
    admin, bill = as_role("admin"), unpaid_bill(app)
    admin.post("/admin/bill/action/", data={"action": "waive", "rowid": [str(bill.id)]})
    assert one(app, Bill, id=bill.id).status == "waived"
    response = pay(admin, bill.id, "1.00", "RT-5")
    assert response.status_code == 200 and one(app, Payment, receipt_no="RT-5") is None
    with app.app_context():
        paid = database.session.scalars(sa.select(Bill.id).where(Bill.status == "paid")).first()
    response = admin.post("/admin/bill/action/", data={"action": "waive",
                                                        "rowid": [str(paid)]},
                          follow_redirects=True)
    assert any("cannot be waived" in f or "免" in f for f in flashes(response))
    assert one(app, Bill, id=paid).status == "paid"


def test_removing_or_changing_a_payment_resettles_the_bill(app, db, as_role):
    admin, bill = as_role("admin"), unpaid_bill(app)
    pay(admin, bill.id, "20.00", "RT-6")
    payment = one(app, Payment, receipt_no="RT-6")
    data = form_data(app, "payment", payment.id, "admin") | {"amount": "25.00"}
    assert admin.post(f"/admin/payment/edit/?id={payment.id}", data=data).status_code == 302
    assert one(app, Bill, id=bill.id).paid_amount == D("25.00")
    assert admin.post("/admin/payment/delete/", data={"id": str(payment.id)}).status_code == 302
    after = one(app, Bill, id=bill.id)
    assert (after.status, after.paid_amount) == ("unpaid", D("0.00"))


def test_the_bill_form_has_no_paid_amount_or_status(app, db, as_role):
    page = as_role("admin").get("/admin/bill/new/").get_data(as_text=True)
    assert 'name="paid_amount"' not in page and 'name="status"' not in page


# ---- collection rate, reports ---------------------------------------------------------------
def small_project(app) -> None:
    """测试项目: two units of steward E104's (steward4); October 2026 bills of 300.00 paid,
    200.00 with 50.00 paid, 100.00 waived."""
    with app.app_context():
        session = database.session
        steward = session.scalar(sa.select(Staff).where(Staff.employee_no == "E104"))
        project = Project(code="TP", name="测试项目", kind="residential")
        building = Building(project=project, name="1栋", floors=2)
        standard = FeeStandard(project=project, name="物业费", basis="fixed", rate=D("300"),
                               effective_from=date(2026, 10, 1))
        units = [Unit(building=building, number=n, area=D("90"), steward=steward)
                 for n in ("101", "102")]
        session.add_all([project, building, standard, *units])
        session.flush()
        session.add_all([
            Bill(unit=units[0], standard=standard, period="2026-10", amount=D("300.00"),
                 due_date=date(2026, 10, 25),
                 payments=[Payment(amount=D("300.00"), receipt_no="TP-1")]),
            Bill(unit=units[1], standard=standard, period="2026-10", amount=D("200.00"),
                 due_date=date(2026, 10, 25),
                 payments=[Payment(amount=D("50.00"), receipt_no="TP-2")]),
            Bill(unit=units[1], standard=standard, period="2026-09", amount=D("100.00"),
                 due_date=date(2026, 10, 20), status="waived"),
        ])
        session.commit()


def test_collection_rate_equals_the_hand_computation_P_FEE_3(app, db):
    """(300.00 + 50.00) ÷ (300.00 + 200.00) = 70.00 %; the waived 100.00 does not count;
    September has nothing receivable for the project: no data, not 0."""
    small_project(app)
    with app.app_context():
        october = collection_by(database.session, "project", date(2026, 10, 1),
                                date(2026, 10, 31))["测试项目"]
        september = collection_by(database.session, "project", date(2026, 9, 1),
                                  date(2026, 9, 30))
    assert (october.receivable, october.collected, october.rate) == (
        D("500.00"), D("350.00"), D("70.00"))
    assert "测试项目" not in september


def test_the_report_by_month_equals_each_month_counted_alone_P_FEE_3(app, db):
    """The collection report's one aggregate query (by month) gives, for every project and
    steward of the demo and every month, what counting that month alone gives."""
    from models.queries import collection_by_month, year_total

    with app.app_context():
        for group in ("project", "steward"):
            table = collection_by_month(database.session, group, 2026)
            assert table, group
            for number in range(1, 13):
                alone = collection_by(database.session, group, date(2026, number, 1),
                                      date(2026, number, calendar.monthrange(2026, number)[1]))
                assert {label: months[number] for label, months in table.items()
                        if number in months} == alone, (group, number)
            year = collection_by(database.session, group, date(2026, 1, 1), date(2026, 12, 31))
            assert {label: year_total(months) for label, months in table.items()} == year


def test_the_collection_report_downloads_as_xlsx(app, db, as_role):
    from openpyxl import load_workbook

    small_project(app)
    response = as_role("admin").get("/admin/bill/collection/?year=2026&by=project"
                                    "&export=xlsx&lang=en")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    assert rows[0] == ("Project", "Month", "Receivable", "Collected", "Collection rate (%)")
    assert ("测试项目", "2026-10", 500, 350, 70) in [
        (r[0], r[1], float(r[2]), float(r[3]), float(r[4])) for r in rows[1:]]


def test_the_report_pages_answer_bad_input_with_a_message(app, db, as_role):
    client = as_role("admin")
    for query in ("year=abc", "year=2026&by=owner", "year=99999"):
        response = client.get(f"/admin/bill/collection/?{query}", follow_redirects=True)
        assert response.status_code == 200 and flashes(response)
    assert client.get("/admin/bill/arrears/?page=-1").status_code == 200


def test_the_collection_report_by_steward_comes_a_page_at_a_time(app, db, as_role,
                                                                monkeypatch):
    """A large company's 1,000 stewards are 20 pages of 50 on screen; the xlsx holds all
    (here 2 to a page on the demo). A page past the last shows the last; a word shows the
    first."""
    import re

    from admin_views import fees

    monkeypatch.setattr(fees, "COLLECTION_PAGE", 2)
    client = as_role("admin")
    with app.app_context():
        stewards = len(collection_by_month(database.session, "steward", 2026))
    assert stewards > 2

    def rows(query: str) -> list[str]:
        page = client.get(f"/admin/bill/collection/?year=2026&by=steward{query}")
        assert page.status_code == 200
        body = page.get_data(as_text=True).split('id="collection-table"')[1]
        return re.findall(r"<tr><td>([^<]+)</td>", body.split("</table>")[0])

    first, second = rows(""), rows("&page=1")
    assert len(first) == 2 and len(second) >= 1 and not set(first) & set(second)
    last = -(-stewards // 2) - 1
    assert rows("&page=999") == rows(f"&page={last}") and rows("&page=abc") == first
    assert f"page={last}" in client.get("/admin/bill/collection/?year=2026&by=steward"
                                        f"&page={last - 1}").get_data(as_text=True)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get(
        "/admin/bill/collection/?year=2026&by=steward&export=xlsx").data)).active
    assert len({row[0].value for row in sheet.iter_rows(min_row=2)}) == stewards


# ---- arrears and reminders (P-FEE-2) --------------------------------------------------------
def test_a_steward_sees_only_their_own_arrears_and_collection(app, db, as_role):
    client = as_role("steward1")
    page = client.get("/admin/bill/arrears/?lang=en").get_data(as_text=True)
    with app.app_context():
        staff_id = database.session.scalar(
            sa.select(User.staff_id).where(User.username == "steward1"))
        names = {s.name for s in database.session.scalars(sa.select(Staff))}
        own = database.session.scalar(sa.select(Staff.name).where(Staff.id == staff_id))
    aging = page.split('id="aging-steward"')[1].split("</table>")[0]
    assert own in aging and not any(n in aging for n in names - {own})
    report = client.get("/admin/bill/collection/?year=2026&by=steward").get_data(as_text=True)
    table = report.split('id="collection-table"')[1]
    assert own in table and not any(n in table for n in names - {own})
    own_bills = set(scoped_ids(app, "bill", "steward1"))
    shown = _bill_links(page)
    assert shown and shown <= own_bills


def _bill_links(page: str) -> set[int]:
    import re

    return {int(x) for x in re.findall(r"arrears-reminder/new/\?bill=(\d+)", page)}


def test_reminders_are_logged_from_the_arrears_list_and_listed_when_due_P_FEE_2(
        app, db, as_role):
    client = as_role("steward1")
    page = client.get("/admin/bill/arrears/").get_data(as_text=True)
    bill_id = min(_bill_links(page))
    form = client.get(f"/admin/arrears-reminder/new/?bill={bill_id}").get_data(as_text=True)
    assert f'value="{bill_id}"' in form  # the bill is chosen already
    data = {"bill": str(bill_id), "reminded_at": "2026-11-10 10:00", "method": "wechat",
            "reason": "financial_hardship", "promised_on": "2026-11-15",
            "outcome": "promised", "note": ""}
    assert client.post("/admin/arrears-reminder/new/", data=data).status_code == 302
    due = client.get("/admin/bill/arrears/").get_data(as_text=True)
    assert "reminders-due" in due
    listed = due.split('id="reminders-due"')[1].split("</table>")[0]
    assert f"bill={bill_id}" in listed
    # "other" needs the note saying what it is
    response = client.post("/admin/arrears-reminder/new/", data=data | {"reason": "other"})
    assert response.status_code == 200 and flashes(response)


def test_the_promised_dates_list_follows_the_filters_below_the_households_P_FEE_2(
        app, db, as_role):
    """The promises passed are the chosen project's only, listed after the households
    (the list the page is for), on the first page; a page past the last shows the last."""
    import re

    client = as_role("admin")

    def promised(page: str) -> set[int]:
        listed = page.split('id="reminders-due"')[1].split("</table>")[0]
        return {int(x) for x in re.findall(r"\?bill=(\d+)", listed)}

    page = client.get("/admin/bill/arrears/").get_data(as_text=True)
    assert page.index('id="arrears-list"') < page.index('id="reminders-due"')

    def projects(bills: set[int]) -> set[int]:
        with app.app_context():
            return set(database.session.scalars(
                sa.select(Building.project_id).select_from(Bill).join(Bill.unit)
                .join(Unit.building).where(Bill.id.in_(bills))))

    everyone = projects(promised(page))
    assert len(everyone) > 1
    project = min(everyone)
    page = client.get(f"/admin/bill/arrears/?project={project}").get_data(as_text=True)
    assert projects(promised(page)) == {project}
    deep = client.get("/admin/bill/arrears/?page=99999").get_data(as_text=True)
    assert 'id="reminders-due"' not in deep
    assert deep.split('id="arrears-list"')[1].count('class="unit-file"') > 0


def test_a_steward_cannot_remind_about_another_stewards_bill(app, db, as_role):
    foreign = sorted(set(scoped_ids(app, "bill", "admin")) - set(
        scoped_ids(app, "bill", "steward1")))[0]
    client = as_role("steward1")
    form = client.get(f"/admin/arrears-reminder/new/?bill={foreign}").get_data(as_text=True)
    assert f'value="{foreign}"' not in form
    before = _count(app)
    response = client.post("/admin/arrears-reminder/new/", data={
        "bill": str(foreign), "reminded_at": "2026-11-10 10:00", "method": "phone",
        "reason": "unreachable"})
    assert response.status_code == 200 and _count(app) == before


def _count(app) -> int:
    with app.app_context():
        return database.session.scalar(sa.select(sa.func.count(ArrearsReminder.id)))


def test_the_fee_sheet_explains_a_standard_to_an_owner_P_FEE_1(app, db, as_role):
    with app.app_context():
        standard = database.session.scalar(sa.select(FeeStandard).join(FeeStandard.project)
                                           .where(Project.code == "JX"))
    page = as_role("steward1").get(f"/admin/fee-standard/sheet/?id={standard.id}&lang=en")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "¥2.35 per m²" in text and "¥210.02" in text  # 89.37 m² × 2.35



def test_two_stewards_of_the_same_name_are_two_rows_P_FEE_3(app, db, as_role):
    """Grouped by steward, the collection report and the arrears summary keep each steward
    apart (name and employee number), never merging two people who share a name."""
    with app.app_context():
        first, second = database.session.scalars(
            sa.select(Staff).where(Staff.employee_no.in_(("E101", "E102")))
            .order_by(Staff.employee_no)).all()
        second.name = first.name
        database.session.commit()
        name = first.name
    client = as_role("admin")
    report = client.get("/admin/bill/collection/?year=2026&by=steward").get_data(as_text=True)
    table = report.split('id="collection-table"')[1].split("</table>")[0]
    assert f"{name} E101" in table and f"{name} E102" in table
    page = client.get("/admin/bill/arrears/").get_data(as_text=True)
    aging = page.split('id="aging-steward"')[1].split("</table>")[0]
    assert f"{name} E101" in aging and f"{name} E102" in aging


def test_the_arrears_summary_shows_the_stewards_owing_most_when_there_are_many(
        app, db, as_role, monkeypatch):
    """P-FEE-2: past SUMMARY_ROWS groups (a large company's 1,000 stewards) the aging summary
    shows those owing most, most first, and says how many there are (here 2 of the demo's)."""
    import re

    from admin_views import fees
    from models import arrears
    from models.queries import company_today

    client = as_role("admin")
    with app.app_context():
        figures = arrears.summary(database.session, company_today(), arrears.Filters(), None)
    by_owed = sorted(figures.by_steward, key=lambda row: -sum(row[1].values()))
    assert len(by_owed) > 2
    monkeypatch.setattr(fees, "SUMMARY_ROWS", 2)
    page = client.get("/admin/bill/arrears/?lang=en").get_data(as_text=True)
    table = page.split('id="aging-steward"')[1].split("</table>")[0]
    assert re.findall(r"<tr><td>([^<]+)</td>", table) == [by_owed[0][0], by_owed[1][0]]
    assert f"The 2 owing most of {len(by_owed)}" in page
