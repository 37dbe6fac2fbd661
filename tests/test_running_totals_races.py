"""The running totals under concurrent writers on PostgreSQL (models/bill_totals.py,
models/household_totals.py): a payment, the bill run and a bulk waiver each meet a unit's
move or another writer on the unit's row first, so the totals stay the bills' sums and no
two writers deadlock. Real connections on threads; the first writer holds its transaction
open while the second starts."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from extensions import db as database
from models import Bill, Building, Payment, Staff, Unit, household_totals
from models.bill_totals import mismatches
from services.billing import bill_run, waive

pytestmark = pytest.mark.postgres

SHANGHAI = ZoneInfo("Asia/Shanghai")
WAIT_S = 1.5  # long enough for the second writer to reach its lock


def _payment(bill_id: int, receipt: str) -> Payment:
    return Payment(bill_id=bill_id, amount=D("10.00"), method="cash",
                   paid_at=datetime(2026, 11, 20, 10, tzinfo=SHANGHAI), receipt_no=receipt)


def _in_thread(app, work, outcome: list) -> threading.Thread:
    def run():
        try:
            with app.app_context(), Session(database.engine) as session:
                work(session)
                session.commit()
                outcome.append("done")
        except Exception as error:  # noqa: BLE001 - reported by the test's assertion
            outcome.append(error)
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _whole(app) -> None:
    with app.app_context():
        session = database.session
        found = mismatches(session) + household_totals.mismatches(session)
        assert found == [], found


def _unpaid_bill_and_another_steward(app) -> tuple[int, int, int]:
    with app.app_context():
        session = database.session
        bill = session.scalars(sa.select(Bill).where(Bill.status == "unpaid", Bill.amount > 20)
                               .order_by(Bill.id)).first()
        other = session.scalar(sa.select(Staff.id).where(
            Staff.position == "steward", Staff.status == "on_duty",
            Staff.id != (bill.unit.steward_id or 0)).order_by(Staff.id))
        return bill.id, bill.unit_id, other


def _move(unit_id: int, steward_id: int):
    def work(session):
        session.get(Unit, unit_id).steward_id = steward_id
    return work


@pytest.mark.parametrize("first", ["payment", "bill run"])
def test_a_unit_moved_while_its_bills_change_keeps_the_totals_whole(app, db, first):
    """A payment on a unit's bill, or the bill run, saved but not committed; the unit is
    given to another steward meanwhile: the move waits, then moves what was committed."""
    bill_id, unit_id, other = _unpaid_bill_and_another_steward(app)
    outcome: list = []
    with app.app_context(), Session(database.engine) as session:
        if first == "payment":
            session.add(_payment(bill_id, "RACE-MOVE-1"))
            session.flush()
        else:
            assert bill_run(session, "2027-03").created > 0
        mover = _in_thread(app, _move(unit_id, other), outcome)
        time.sleep(WAIT_S)
        session.commit()
    mover.join()
    assert outcome == ["done"]
    _whole(app)


def test_a_bulk_waiver_and_a_payment_on_the_same_unit_do_not_deadlock(app, db):
    """The bulk waiver holds a unit's first bill (a savepoint per bill, one transaction); a
    payment on the unit's second bill waits on the unit, not on the waiver's next group."""
    with app.app_context():
        session = database.session
        unpaid = sa.and_(Bill.status == "unpaid", Bill.paid_amount == 0, Bill.amount > 20)
        for unit in session.scalars(sa.select(Unit).where(Unit.steward_id.is_not(None))
                                    .order_by(Unit.id)):
            own = session.scalars(sa.select(Bill).where(Bill.unit_id == unit.id, unpaid)
                                  .order_by(Bill.due_date)).all()
            if len(own) < 2:
                continue
            neighbour = session.scalar(
                sa.select(Bill.id).join(Unit, Bill.unit_id == Unit.id)
                .join(Building, Unit.building_id == Building.id)
                .where(unpaid, Bill.unit_id != unit.id, Unit.steward_id == unit.steward_id,
                       Building.project_id == unit.building.project_id,
                       Bill.due_date == own[1].due_date))
            if neighbour:
                first, paid, second = own[0].id, own[1].id, neighbour
                break
        else:
            pytest.fail("the demo has no unit with two unpaid bills beside a neighbour's")
    outcome: list = []
    with app.app_context(), Session(database.engine) as waiver:
        with waiver.begin_nested():
            waive(waiver.get(Bill, first))
            waiver.flush()
        payer = _in_thread(app, lambda session: session.add(_payment(paid, "RACE-WAIVE-1")),
                           outcome)
        time.sleep(WAIT_S)
        with waiver.begin_nested():
            waive(waiver.get(Bill, second))  # the payment's group: it must not hold it
            waiver.flush()
        waiver.commit()
    payer.join()
    assert outcome == ["done"]
    _whole(app)
