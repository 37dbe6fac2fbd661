"""Queries that gather what the rules decide on: the policy in force, a steward's month,
onboarding exam scores, a supervisor's team.

Plain values come out (dataclasses, lists of tuples), so `rules/` never sees a session.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from rules import periods, workflow
from rules.billing import collection_rate
from rules.policy import DEFAULT, Policy

from .base import company_zone, local_date  # noqa: F401 - both read from here too
from .fees import Bill, Payment
from .people import Staff
from .platform import PolicySetting
from .property import Building, Unit, UnitAssignment
from .tickets import ReturnVisit, Ticket
from .training import TrainingProgram, TrainingResult, TrainingSession


def overdue_ticket(now: datetime) -> sa.ColumnElement[bool]:
    """A ticket still being handled past its deadline, as the start pages and the ticket
    list's deadline filter badge it (rules/workflow.deadline_state's "overdue")."""
    return sa.and_(Ticket.status.in_(workflow.OPEN_STATES), Ticket.due_at < now)


def company_today() -> date:
    """Today in the company's calendar."""
    from .base import utcnow

    return local_date(utcnow())


def policy_setting_at(session: Session, day: date) -> PolicySetting | None:
    """The settings version in force on `day`: the latest one effective on or before it."""
    with session.no_autoflush:
        return session.scalars(
            sa.select(PolicySetting)
            .where(PolicySetting.effective_from <= day)
            .order_by(PolicySetting.effective_from.desc())
            .limit(1)
        ).first()


def policy_version_at(session: Session, day: date) -> tuple[PolicySetting | None, Policy]:
    """The settings version in force on `day` and its numbers; POLICY.md's defaults (and no
    version) before the first one."""
    setting = policy_setting_at(session, day)
    return setting, (DEFAULT if setting is None else Policy.from_record(setting))


def policy_at(session: Session, day: date) -> Policy:
    """The policy numbers in force on `day`."""
    return policy_version_at(session, day)[1]


def onboarding_exams(session: Session, staff_id: int) -> dict[int, Decimal | None]:
    """Every onboarding exam the person has (P-TRN-2), retakes included: id → score."""
    with session.no_autoflush:
        return dict(session.execute(
            sa.select(TrainingResult.id, TrainingResult.exam_score)
            .join(TrainingResult.session)
            .join(TrainingSession.program)
            .where(TrainingResult.staff_id == staff_id, TrainingProgram.kind == "onboarding")
        ).all())


def onboarding_scores(session: Session, staff_id: int) -> list[Decimal | None]:
    return list(onboarding_exams(session, staff_id).values())


def previous_attempts(session: Session, staff_id: int, session_id: int) -> list[int]:
    """Attempt numbers the person already has in the program of training session
    `session_id`: a retake in a later session of the same program counts on."""
    program = sa.select(TrainingSession.program_id).where(TrainingSession.id == session_id)
    with session.no_autoflush:
        return list(session.scalars(
            sa.select(TrainingResult.attempt)
            .join(TrainingResult.session)
            .where(TrainingResult.staff_id == staff_id,
                   TrainingSession.program_id == program.scalar_subquery())
        ))


def team_stewards(session: Session, supervisor_id: int, period: str) -> list[Staff]:
    """The on-duty stewards a supervisor assesses for `period`: hired by the month's end."""
    return list(session.scalars(
        sa.select(Staff)
        .where(Staff.supervisor_id == supervisor_id, Staff.position == "steward",
               Staff.status == "on_duty",
               sa.or_(Staff.hire_date.is_(None), Staff.hire_date <= periods.last_day(period)))
        .order_by(Staff.employee_no)
    ))


@dataclass
class MonthRecord:
    """What happened in a steward's month that the KPIs count, item by item."""

    first: date  # the month's first day, or the hire date when hired mid-month
    last: date
    # (kind, label, 1–5, who rated: "owner" on their page or "steward")
    ratings: list[tuple[str, str, int, str]] = field(default_factory=list)
    bills: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)  # (label, due, paid)
    tickets: list[tuple[str, datetime, datetime | None]] = field(default_factory=list)
    # (code, due at, resolved at) of the tickets due in the month


def month_record(session: Session, staff: Staff, period: str, zone: str) -> MonthRecord:
    """P-KPI-1…3 inputs for `staff` in `period` (local month in time zone `zone`)."""
    return activity_record(session, staff, periods.first_day(period), periods.last_day(period),
                           zone)


def activity_record(session: Session, staff: Staff, first: date, last: date,
                    zone: str) -> MonthRecord:
    """What counts for `staff` from day `first` to day `last` (local days in `zone`):

    - ratings: the owner's rating of each ticket closed in the month (given by the owner on
      their page, or recorded by the steward), and of each return visit made in the month;
    - bills: the bills due in the month of the units the steward had on each bill's due
      date (waived bills owe nothing), with what was paid on them by the end of `last`;
    - tickets: the steward's tickets whose deadline falls in the month.
    A steward hired within the span is counted from the hire date. `month_records` gathers
    the same for a whole team at once."""
    first = counted_from(staff, first, last)
    start, end = periods.day_window(first, last, zone)
    record = MonthRecord(first, last)
    closed = session.execute(
        sa.select(Ticket.code, Ticket.satisfaction, Ticket.feedback_source)
        .where(Ticket.steward_id == staff.id, _rated_closing(start, end))
        .order_by(Ticket.closed_at, Ticket.id)
    )
    record.ratings += [_ticket_rating(*row) for row in closed]
    visits = session.execute(
        sa.select(ReturnVisit.id, ReturnVisit.satisfaction)
        .where(ReturnVisit.steward_id == staff.id, _rated_visit(start, end))
        .order_by(ReturnVisit.visited_at, ReturnVisit.id)
    )
    record.ratings += [_visit_rating(*row) for row in visits]
    held = sa.select(UnitAssignment.id).where(
        UnitAssignment.unit_id == Bill.unit_id, UnitAssignment.steward_id == staff.id,
        _held_on_due_date())
    # Start from the units the steward ever had (few), not from every bill of the month.
    ever_held = sa.select(UnitAssignment.unit_id).where(UnitAssignment.steward_id == staff.id)
    bills = session.execute(
        sa.select(Bill, _paid_by(end))
        .where(Bill.unit_id.in_(ever_held), held.exists(), receivable(first, last))
        .order_by(Bill.due_date, Bill.id)
    )
    record.bills += [(str(b), b.amount, Decimal(paid)) for b, paid in bills]
    tickets = session.execute(
        sa.select(Ticket.code, Ticket.due_at, Ticket.resolved_at)
        .where(Ticket.steward_id == staff.id, _due_within(start, end))
        .order_by(Ticket.due_at, Ticket.id)
    )
    record.tickets += [tuple(row) for row in tickets]
    return record


def month_records(session: Session, stewards: Iterable[Staff], first: date, last: date,
                  zone: str) -> dict[int, MonthRecord]:
    """`activity_record` of many stewards at once (staff id → record): one query per kind of
    item whatever the team's size, each item the same and in the same order as there.

    Each query reads from the span's first day; a steward hired within the span has the
    items before the hire date left out here."""
    stewards = list(stewards)
    records = {s.id: MonthRecord(counted_from(s, first, last), last) for s in stewards}
    if not records:
        return records
    ids = list(records)
    start, end = periods.day_window(first, last, zone)
    since = {i: periods.day_window(r.first, last, zone)[0] for i, r in records.items()}
    for steward_id, ratings in team_ratings(session, stewards, first, last, zone).items():
        records[steward_id].ratings = ratings
    # Each bill once per steward who held its unit on its due date (one stretch covers it);
    # columns, not entities: a company's month is some 100,000 bills.
    bills = session.execute(
        sa.select(UnitAssignment.steward_id, Bill.id, Bill.due_date, Bill.period,
                  Building.name, Unit.number, Bill.amount, _paid_by(end))
        .select_from(UnitAssignment)
        .join(Bill, Bill.unit_id == UnitAssignment.unit_id)
        .join(Unit, Unit.id == Bill.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .where(UnitAssignment.steward_id.in_(ids), _held_on_due_date(),
               receivable(first, last))
        .order_by(UnitAssignment.steward_id, Bill.due_date, Bill.id)
    )
    seen = set()
    for steward_id, bill_id, due_date, period, building, number, amount, paid in bills:
        record = records[steward_id]
        if due_date >= record.first and (steward_id, bill_id) not in seen:
            seen.add((steward_id, bill_id))
            label = Bill.label(period, Unit.label(building, number))
            record.bills.append((label, amount, Decimal(paid)))
    tickets = session.execute(
        sa.select(Ticket.steward_id, Ticket.code, Ticket.due_at, Ticket.resolved_at)
        .where(Ticket.steward_id.in_(ids), _due_within(start, end))
        .order_by(Ticket.steward_id, Ticket.due_at, Ticket.id)
    )
    for steward_id, code, due_at, resolved_at in tickets:
        if due_at >= since[steward_id]:
            records[steward_id].tickets.append((code, due_at, resolved_at))
    return records


def team_ratings(session: Session, stewards: Iterable[Staff], first: date, last: date,
                 zone: str) -> dict[int, list[tuple[str, str, int, str]]]:
    """The `ratings` of `month_records` alone (staff id → ratings): two queries."""
    stewards = list(stewards)
    since = {s.id: periods.day_window(counted_from(s, first, last), last, zone)[0]
             for s in stewards}
    found: dict[int, list[tuple[str, str, int, str]]] = {steward_id: [] for steward_id in since}
    if not found:
        return found
    start, end = periods.day_window(first, last, zone)
    closed = session.execute(
        sa.select(Ticket.steward_id, Ticket.closed_at, Ticket.code, Ticket.satisfaction,
                  Ticket.feedback_source)
        .where(Ticket.steward_id.in_(list(since)), _rated_closing(start, end))
        .order_by(Ticket.steward_id, Ticket.closed_at, Ticket.id)
    )
    for steward_id, at, *row in closed:
        if at >= since[steward_id]:
            found[steward_id].append(_ticket_rating(*row))
    visits = session.execute(
        sa.select(ReturnVisit.steward_id, ReturnVisit.visited_at, ReturnVisit.id,
                  ReturnVisit.satisfaction)
        .where(ReturnVisit.steward_id.in_(list(since)), _rated_visit(start, end))
        .order_by(ReturnVisit.steward_id, ReturnVisit.visited_at, ReturnVisit.id)
    )
    for steward_id, at, *row in visits:
        if at >= since[steward_id]:
            found[steward_id].append(_visit_rating(*row))
    return found


def counted_from(staff: Staff, first: date, last: date) -> date:
    """The day a span's figures start for `staff`: the hire date when hired within it."""
    if staff.hire_date and first < staff.hire_date <= last:
        return staff.hire_date
    return first


def _rated_closing(start: datetime, end: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(Ticket.status == "closed", Ticket.closed_at >= start, Ticket.closed_at < end,
                   Ticket.satisfaction.is_not(None))


def _ticket_rating(code: str, rating: int, source: str | None) -> tuple[str, str, int, str]:
    return ("ticket", code, rating, source or "steward")


def _rated_visit(start: datetime, end: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(ReturnVisit.visited_at >= start, ReturnVisit.visited_at < end,
                   ReturnVisit.satisfaction.is_not(None))


def _visit_rating(visit_id: int, rating: int) -> tuple[str, str, int, str]:
    return ("visit", f"#{visit_id}", rating, "steward")


def _held_on_due_date() -> sa.ColumnElement[bool]:
    """The assignment (UnitAssignment) covers its unit's bill's (Bill) due date."""
    return sa.and_(
        sa.or_(UnitAssignment.start_on.is_(None), UnitAssignment.start_on <= Bill.due_date),
        sa.or_(UnitAssignment.end_on.is_(None), UnitAssignment.end_on > Bill.due_date))


def _paid_by(end: datetime) -> sa.ColumnElement[Decimal]:
    """What was paid on the bill (Bill) before the moment `end`."""
    return sa.type_coerce(
        sa.select(sa.func.coalesce(sa.func.sum(Payment.amount), 0))
        .where(Payment.bill_id == Bill.id, Payment.paid_at < end).scalar_subquery(),
        sa.Numeric(14, 2))


def _due_within(start: datetime, end: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(Ticket.due_at >= start, Ticket.due_at < end)


# ---- collection (P-FEE-3, P-KPI-2) -----------------------------------------------------------
def receivable(first: date, last: date) -> sa.ColumnElement[bool]:
    """The bills receivable from day `first` to day `last`: due then, and not waived. The
    monthly KPI, the collection reports and the arrears all count these."""
    return sa.and_(Bill.status != "waived", Bill.due_date >= first, Bill.due_date <= last)


@dataclass(frozen=True)
class Collection:
    receivable: Decimal
    collected: Decimal

    @property
    def rate(self) -> Decimal | None:
        return collection_rate(self.collected, self.receivable)



def steward_label() -> sa.ColumnElement[str]:
    """A steward as reports group and label them: name and employee number ("张伟 E101"),
    so two stewards of the same name stay two rows; "—" for units without one."""
    return sa.func.coalesce(Staff.name + " " + Staff.employee_no, "—")


def _collection(session: Session, group: str, first: date, last: date,
                scope: sa.ColumnElement[bool] | None, by_month: bool) -> list[tuple]:
    """(label, month or None, receivable, collected) rows: the bills summed by the project's
    or the steward's id (and month) first, the names joined to those few groups after — so
    two stewards of the same name stay apart, and no name is read per bill."""
    from .property import Building, Project

    if group not in ("project", "steward"):
        raise ValueError(f"unknown grouping {group!r}")
    named, label = (Project, Project.name) if group == "project" else (Staff, steward_label())
    if scope is None:  # the whole company's: from the running totals beside the bills
        sums = _collection_totals(group, first, last, by_month)
    else:
        key = Building.project_id if group == "project" else Unit.steward_id
        month = sa.extract("month", Bill.due_date) if by_month else sa.null()
        sums = (sa.select(key.label("key"), month.label("month"),
                          sa.func.sum(Bill.amount).label("due"),
                          sa.func.sum(Bill.paid_amount).label("paid"))
                .join(Unit, Bill.unit_id == Unit.id))
        if group == "project":
            sums = sums.join(Building, Unit.building_id == Building.id)
        sums = sums.where(receivable(first, last), scope) \
            .group_by(*((key, month) if by_month else (key,)))
    sums = sums.subquery()
    return session.execute(
        sa.select(label, sums.c.month, sums.c.due, sums.c.paid).select_from(sums)
        .outerjoin(named, named.id == sums.c.key)).all()


def _collection_totals(group: str, first: date, last: date, by_month: bool) -> sa.Select:
    """The collection's groups summed from models/bill_totals (waived bills are left out of
    their `amount` and `paid` already)."""
    from .bill_totals import BillTotal, steward_id

    key = BillTotal.project_id if group == "project" else steward_id()
    month = sa.extract("month", BillTotal.due_date) if by_month else sa.null()
    return (sa.select(key.label("key"), month.label("month"),
                      sa.func.sum(BillTotal.amount).label("due"),
                      sa.func.sum(BillTotal.paid).label("paid"))
            .where(BillTotal.due_date >= first, BillTotal.due_date <= last, BillTotal.bills > 0)
            .group_by(*((key, month) if by_month else (key,))))


def collection_by(session: Session, group: str, first: date, last: date,
                  scope: sa.ColumnElement[bool] | None = None) -> dict[str, Collection]:
    """Receivable and collected over the bills due from `first` to `last`, by project or
    by the units' steward (label → Collection), within `scope` (a condition on Bill)."""
    return {label: Collection(due or Decimal(0), paid or Decimal(0))
            for label, _, due, paid in _collection(session, group, first, last, scope, False)}


def collection_by_month(session: Session, group: str, year: int,
                        scope: sa.ColumnElement[bool] | None = None
                        ) -> dict[str, dict[int, Collection]]:
    """The year's collection by project or steward and by month of the due date, in one
    aggregate query: label → {month 1–12 → Collection}; a year's figure is the sum of its
    months (both are sums over the same bills)."""
    table: dict[str, dict[int, Collection]] = {}
    for label, number, due, paid in _collection(session, group, date(year, 1, 1),
                                                date(year, 12, 31), scope, True):
        table.setdefault(label, {})[int(number)] = Collection(due or Decimal(0),
                                                              paid or Decimal(0))
    return table


def added(collections: Iterable[Collection]) -> Collection:
    """Receivable and collected summed over several groups' (or months') figures."""
    found = list(collections)
    return Collection(sum((c.receivable for c in found), Decimal(0)),
                      sum((c.collected for c in found), Decimal(0)))


def year_total(months: dict[int, Collection]) -> Collection:
    """A year's collection from its months'."""
    return added(months.values())
