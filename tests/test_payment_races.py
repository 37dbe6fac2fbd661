"""Payments that arrive at the same moment on one bill (P-FEE-1): the writes are serialised
on the bill's row, so the payments that fit all succeed and the others are told what is still
owed — never a 500. Real parallel connections: threads released together by a barrier,
several rounds each (before the bill was locked, two of four 25 % payments failed every
round)."""

from __future__ import annotations

import threading
from decimal import Decimal as D
from functools import partial

import pytest
import sqlalchemy as sa

from extensions import db as database
from models import Bill, Payment

from .conftest import login
from .invariants import broken_invariants

pytestmark = pytest.mark.postgres

ROUNDS = 5


def _unpaid_bills(app, n: int) -> list[tuple[int, D]]:
    with app.app_context():
        return [(b.id, b.amount) for b in database.session.scalars(
            sa.select(Bill).where(Bill.status == "unpaid", Bill.amount >= 4)
            .order_by(Bill.id).limit(n))]


def _pay(client, bill_id, amount, receipt):
    return client.post("/admin/payment/new/", data={
        "bill": str(bill_id), "amount": str(amount), "method": "wechat_pay",
        "paid_at": "2026-11-21 10:00", "receipt_no": receipt})


def _together(calls):
    """Run each call on its own thread, all released at once; their responses."""
    start, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, call):
        start.wait()
        try:
            results[i] = call()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[i] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    return results


def _clients(app, n):
    """Signed-in clients reading English (chosen once: choosing saves it on the account)."""
    clients = [login(app.test_client(), "admin") for _ in range(n)]
    for client in clients:
        client.get("/admin/?lang=en")
    return clients


def _bill(app, bill_id):
    with app.app_context():
        bill = database.session.get(Bill, bill_id)
        payments = database.session.scalars(sa.select(Payment.amount).where(
            Payment.bill_id == bill_id)).all()
        return bill.status, bill.paid_amount, sorted(payments)


def test_four_quarter_payments_at_once_all_succeed(app, db):
    clients = _clients(app, 4)
    for round_no, (bill_id, amount) in enumerate(_unpaid_bills(app, ROUNDS)):
        quarter = (amount / 4).quantize(D("0.01"), rounding="ROUND_DOWN")
        responses = _together([
            partial(_pay, c, bill_id, quarter, f"RACE-{round_no}-{i}")
            for i, c in enumerate(clients)])
        assert [r.status_code for r in responses] == [302] * 4, [
            r.get_data(as_text=True)[-2000:] for r in responses if r.status_code != 302]
        status, paid, payments = _bill(app, bill_id)
        assert payments == [quarter] * 4 and paid == quarter * 4
        assert status == ("paid" if paid == amount else "partly_paid")
    assert broken_invariants(app) == []


def test_four_sixty_percent_payments_at_once_one_succeeds_the_others_are_told_what_is_owed(
        app, db):
    clients = _clients(app, 4)
    for round_no, (bill_id, amount) in enumerate(_unpaid_bills(app, ROUNDS)):
        part = (amount * D("0.6")).quantize(D("0.01"))
        responses = _together([
            partial(_pay, c, bill_id, part, f"RACE6-{round_no}-{i}")
            for i, c in enumerate(clients)])
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 200, 200, 302], codes
        for refused in (r for r in responses if r.status_code == 200):
            assert "more than is owed" in refused.get_data(as_text=True)
        status, paid, payments = _bill(app, bill_id)
        assert (status, paid, payments) == ("partly_paid", part, [part])
    assert broken_invariants(app) == []


def test_waiving_and_paying_at_once_never_leave_a_waived_bill_with_payments(app, db):
    payer, waiver = _clients(app, 2)
    for round_no, (bill_id, _amount) in enumerate(_unpaid_bills(app, ROUNDS)):
        responses = _together([
            partial(_pay, payer, bill_id, "1.00", f"RACEW-{round_no}"),
            partial(waiver.post, "/admin/bill/action/",
                    data={"action": "waive", "rowid": str(bill_id)}),
        ])
        assert all(r.status_code < 500 for r in responses)
        status, paid, payments = _bill(app, bill_id)
        assert (status, paid, payments) in (("waived", D("0.00"), []),
                                            ("partly_paid", D("1.00"), [D("1.00")]))
    assert broken_invariants(app) == []


def test_the_same_receipt_number_twice_at_once_is_one_payment_and_a_message(app, db):
    clients = _clients(app, 2)
    for round_no, (bill_id, _amount) in enumerate(_unpaid_bills(app, ROUNDS)):
        responses = _together([
            partial(_pay, c, bill_id, "1.00", f"SAME-{round_no}") for c in clients])
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 302], codes
        refused = next(r for r in responses if r.status_code == 200).get_data(as_text=True)
        assert "Receipt no" in refused or "Already exists" in refused
        assert "[SQL:" not in refused
        status, paid, payments = _bill(app, bill_id)
        assert payments == [D("1.00")]
    assert broken_invariants(app) == []


def test_editing_a_payment_while_another_is_added_keeps_the_bill_equal_to_its_payments(
        app, db):
    from .helpers import form_data

    editor, payer = _clients(app, 2)
    for round_no, (bill_id, _amount) in enumerate(_unpaid_bills(app, ROUNDS)):
        assert _pay(editor, bill_id, "1.00", f"EDIT-{round_no}").status_code == 302
        with app.app_context():
            payment_id = database.session.scalar(sa.select(Payment.id).where(
                Payment.receipt_no == f"EDIT-{round_no}"))
        data = form_data(app, "payment", payment_id, "admin") | {"amount": "2.00"}
        responses = _together([
            partial(editor.post, f"/admin/payment/edit/?id={payment_id}", data=data),
            partial(_pay, payer, bill_id, "1.00", f"EDIT2-{round_no}"),
        ])
        assert [r.status_code for r in responses] == [302, 302]
        status, paid, payments = _bill(app, bill_id)
        assert payments == [D("1.00"), D("2.00")] and paid == D("3.00")
    assert broken_invariants(app) == []
