"""The running totals beside the bills, per group (models/bill_totals.py) and per household
(models/household_totals.py), follow every way a bill's figures or its place change: a
payment (P-FEE-1), a waiver, a corrected amount, a deleted bill, the bill run (P-FEE-1), a
unit given to another steward, a building moved to another project — and the whole
company's reports and arrears list read them with the same figures as the bills give
(P-FEE-2, P-FEE-3)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from extensions import db as database
from models import (
    ArrearsReminder,
    Bill,
    BillTotal,
    Building,
    Payment,
    Project,
    Staff,
    Unit,
    arrears,
    household_totals,
    queries,
)
from models.bill_totals import mismatches, rebuild
from services.billing import bill_run, waive

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _whole(session) -> bool:
    """Both kinds of running totals equal what the bills give."""
    found = mismatches(session) + household_totals.mismatches(session)
    assert found == [], found
    return True


def _total(session, unit: Unit, due: date) -> tuple:
    row = session.execute(sa.select(
        BillTotal.bills, BillTotal.amount, BillTotal.paid, BillTotal.open_bills,
        BillTotal.owed).where(
        BillTotal.project_id == unit.building.project_id,
        BillTotal.steward_key == (unit.steward_id or 0), BillTotal.due_date == due)).first()
    return tuple(row) if row else (0, D(0), D(0), 0, D(0))


def _unpaid(session) -> Bill:
    return session.scalars(sa.select(Bill).where(Bill.status == "unpaid", Bill.amount > 10)
                           .order_by(Bill.id).limit(1)).one()


def test_the_demo_company_s_totals_are_its_bills_sums(app, db):
    with app.app_context():
        assert database.session.scalar(sa.select(sa.func.count(BillTotal.id))) > 0
        assert _whole(database.session)


def test_a_payment_a_waiver_a_new_amount_and_a_deleted_bill_move_the_totals(app, db):
    with app.app_context():
        session = database.session
        bill = _unpaid(session)
        unit, due, amount = bill.unit, bill.due_date, bill.amount
        bills, receivable, paid, open_bills, owed = _total(session, unit, due)
        session.add(Payment(bill_id=bill.id, amount=D("10.00"), method="cash",
                            paid_at=datetime(2026, 11, 20, 10, tzinfo=SHANGHAI),
                            receipt_no="T-TOTALS-1"))
        session.commit()
        assert _total(session, unit, due) == (bills, receivable, paid + 10, open_bills,
                                               owed - 10)
        bill.amount = amount + 5
        session.commit()
        assert _total(session, unit, due) == (bills, receivable + 5, paid + 10, open_bills,
                                               owed - 5)
        other = session.scalars(sa.select(Bill).where(
            Bill.status == "unpaid", Bill.unit_id == unit.id, Bill.due_date == due,
            Bill.id != bill.id)).first() or _unpaid_elsewhere(session, bill)
        before = _total(session, other.unit, other.due_date)
        waive(other)
        session.commit()
        after = _total(session, other.unit, other.due_date)
        assert after == (before[0] - 1, before[1] - other.amount, before[2],
                         before[3] - 1, before[4] - other.amount)
        assert _whole(session)
        gone = session.scalars(sa.select(Bill).where(
            Bill.status == "unpaid", ~Bill.payments.any(),
            ~sa.exists().where(ArrearsReminder.bill_id == Bill.id))
            .order_by(Bill.id.desc()).limit(1)).one()
        before = _total(session, gone.unit, gone.due_date)
        session.delete(gone)
        session.commit()
        assert _total(session, gone.unit, gone.due_date)[0] == before[0] - 1
        assert _whole(session)


def _unpaid_elsewhere(session, bill: Bill) -> Bill:
    return session.scalars(sa.select(Bill).where(Bill.status == "unpaid", Bill.id != bill.id)
                           .order_by(Bill.id).limit(1)).one()


def _group(session, project_id: int, steward_key: int, due: date) -> tuple[int, D]:
    row = session.execute(sa.select(BillTotal.bills, BillTotal.amount).where(
        BillTotal.project_id == project_id, BillTotal.steward_key == steward_key,
        BillTotal.due_date == due)).first()
    return (row.bills, row.amount) if row else (0, D(0))


def test_a_unit_given_to_another_steward_takes_its_bills_along(app, db):
    with app.app_context():
        session = database.session
        bill = _unpaid(session)
        unit, due = bill.unit, bill.due_date
        project, old_steward = unit.building.project_id, unit.steward_id or 0
        new_steward = session.scalar(sa.select(Staff.id).where(
            Staff.position == "steward", Staff.id != old_steward).order_by(Staff.id))
        moving, amount = session.execute(sa.select(
            sa.func.count(Bill.id), sa.func.sum(Bill.amount)).where(
            Bill.unit_id == unit.id, Bill.due_date == due, Bill.status != "waived")).one()
        old_before = _group(session, project, old_steward, due)
        new_before = _group(session, project, new_steward, due)
        unit.steward_id = new_steward
        session.commit()
        assert _group(session, project, old_steward, due) == (old_before[0] - moving,
                                                              old_before[1] - amount)
        assert _group(session, project, new_steward, due) == (new_before[0] + moving,
                                                              new_before[1] + amount)
        assert _whole(session)


def test_a_building_moved_to_another_project_and_a_bill_run_keep_the_totals(app, db):
    with app.app_context():
        session = database.session
        building = session.scalars(sa.select(Building).order_by(Building.id)).first()
        project = session.scalars(sa.select(Project).where(
            Project.id != building.project_id)).first()
        building.project_id = project.id
        session.commit()
        assert _whole(session)
        made = bill_run(session, "2027-03")
        session.commit()
        assert made.created > 0
        assert _whole(session)


def test_a_rebuild_finds_the_same_totals(app, db):
    with app.app_context():
        session = database.session
        kept = session.execute(sa.select(BillTotal.project_id, BillTotal.steward_key,
                                         BillTotal.due_date, BillTotal.owed)
                               .order_by(BillTotal.project_id, BillTotal.steward_key,
                                         BillTotal.due_date)).all()
        rebuild(session.connection())
        assert session.execute(sa.select(BillTotal.project_id, BillTotal.steward_key,
                                         BillTotal.due_date, BillTotal.owed)
                               .order_by(BillTotal.project_id, BillTotal.steward_key,
                                         BillTotal.due_date)).all() == kept


def test_the_whole_company_s_reports_from_the_totals_equal_the_bills_sums(app, db):
    """P-FEE-2, P-FEE-3: the arrears summary and the collection report without a scope read
    the totals; with a scope that lets every bill through they sum the bills — same figures,
    for every filter the totals serve."""
    everything = sa.true()
    today = date(2026, 11, 27)
    with app.app_context():
        session = database.session
        project = session.scalar(sa.select(Project.id).order_by(Project.id))
        steward = session.scalar(sa.select(Unit.steward_id).where(Unit.steward_id.is_not(None))
                                 .order_by(Unit.id))
        for filters in (arrears.Filters(), arrears.Filters(project_id=project),
                        arrears.Filters(steward_id=steward), arrears.Filters(bucket="31-90")):
            kept = arrears.summary(session, today, filters, None)
            summed = arrears.summary(session, today, filters, everything)
            assert (kept.bills, kept.owed, kept.by_bucket, kept.by_project,
                    kept.by_steward) == (summed.bills, summed.owed, summed.by_bucket,
                                         summed.by_project, summed.by_steward), filters
        assert kept.bills > 0
        for group in ("project", "steward"):
            kept = queries.collection_by_month(session, group, 2026)
            assert kept and kept == queries.collection_by_month(session, group, 2026,
                                                                everything)
            first, last = date(2026, 1, 1), date(2026, 11, 30)
            assert queries.collection_by(session, group, first, last) == \
                queries.collection_by(session, group, first, last, everything)


def test_the_whole_company_s_arrears_list_from_the_totals_equals_the_bills(app, db):
    """P-FEE-2: the households in arrears, their bills, what they owe and their order are the
    same read from the totals per household as grouped from the bills — for the filters the
    totals serve, a deep page, and a page past the last."""
    everything = sa.true()
    today = date(2026, 11, 27)
    with app.app_context():
        session = database.session
        project = session.scalar(sa.select(Project.id).order_by(Project.id))
        building = session.scalar(sa.select(Building.id).order_by(Building.id))
        steward = session.scalar(sa.select(Unit.steward_id).where(Unit.steward_id.is_not(None))
                                 .order_by(Unit.id))

        def seen(filters, scope, offset=0, limit=7):
            found, total = arrears.households(session, today, filters, scope, offset, limit)
            return total, [(h.unit.id, h.owner.id if h.owner else None, h.bill_count, h.owed,
                            h.oldest_due, [b.id for b in h.bills]) for h in found]

        for filters in (arrears.Filters(), arrears.Filters(project_id=project),
                        arrears.Filters(building_id=building),
                        arrears.Filters(steward_id=steward)):
            for offset in (0, 7, 10_000):
                assert seen(filters, None, offset) == seen(filters, everything, offset), \
                    (filters, offset)
        total, first = seen(arrears.Filters(), None)
        assert total > 7 and len(first) == 7


def test_a_steward_building_or_project_set_through_the_relationship_moves_the_totals(app, db):
    """The unit form and the handover set `unit.steward` (its id follows only in the flush):
    the totals follow as they do for the id."""
    with app.app_context():
        session = database.session
        unit = session.scalars(sa.select(Unit).where(Unit.id.in_(
            sa.select(Bill.unit_id).where(Bill.status == "unpaid"))).order_by(Unit.id)).first()
        unit.steward = session.scalars(sa.select(Staff).where(
            Staff.position == "steward", Staff.id != (unit.steward_id or 0))).first()
        session.commit()
        assert _whole(session)
        unit.number = "T-801"  # a room number free in every building
        unit.building = session.scalars(sa.select(Building).where(
            Building.id != unit.building_id).order_by(Building.project_id.desc())).first()
        session.commit()
        assert _whole(session)
        building = unit.building
        building.project = session.scalars(sa.select(Project).where(
            Project.id != building.project_id)).first()
        session.commit()
        assert _whole(session)
