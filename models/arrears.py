"""Arrears (P-FEE-2) gathered by the database: what is owed past due, by household (a unit and
the owner billed), summed by project, steward and aging bucket.

Every query applies the user's scope and the page's filters in its WHERE clause, so a
steward's page reads their own bills only, and the whole company's figures are one
aggregate each (issue 16). A household is the bill's unit and owner: a unit sold mid-year
shows the former owner's unpaid bills as their own household.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, joinedload

from rules import billing

from . import bill_totals
from .bill_totals import BillTotal
from .fees import ArrearsReminder, Bill
from .household_totals import HouseholdTotal
from .people import Staff
from .property import Building, Owner, Project, Unit
from .queries import steward_label


@dataclass(frozen=True)
class Filters:
    """The arrears page's filters; None means any."""

    project_id: int | None = None
    building_id: int | None = None
    steward_id: int | None = None
    bucket: str | None = None


def outstanding(today: date) -> sa.ColumnElement[bool]:
    """Bills past their due date with something still to pay."""
    return sa.and_(Bill.status.in_(("unpaid", "partly_paid")), Bill.due_date < today)


def bucket_case(today: date, due_date=Bill.due_date) -> sa.ColumnElement[str]:
    """rules.billing.AGING_BUCKETS as SQL: the bucket of a bill's due date on `today`."""
    whens = [(due_date >= today - timedelta(days=upper), name)
             for name, upper in billing.AGING_BUCKETS if upper is not None]
    return sa.case(*whens, else_=billing.AGING_BUCKETS[-1][0])


def condition(today: date, filters: Filters,
              scope: sa.ColumnElement[bool] | None) -> sa.ColumnElement[bool]:
    """The bills a page counts: outstanding, within the user's scope and the filters. The
    unit filters are conditions on the bill's unit id, so a query joins nothing it does not
    group by."""
    parts = [outstanding(today)]
    if scope is not None:
        parts.append(scope)
    units = _place(filters, Unit.building_id, Unit.steward_id)
    if units:
        parts.append(Bill.unit_id.in_(sa.select(Unit.id).where(*units)))
    parts += _within_bucket(today, filters.bucket, Bill.due_date)
    return sa.and_(*parts)


def _place(filters: Filters, building, steward) -> list[sa.ColumnElement[bool]]:
    """The project, building and steward filters as conditions on a building and a steward
    column (a unit's, or a household total's copies of them)."""
    where = []
    if filters.project_id is not None:
        where.append(building.in_(sa.select(Building.id).where(
            Building.project_id == filters.project_id)))
    if filters.building_id is not None:
        where.append(building == filters.building_id)
    if filters.steward_id is not None:
        where.append(steward == filters.steward_id)
    return where


def _within_bucket(today: date, bucket: str | None, due_date) -> list[sa.ColumnElement[bool]]:
    if bucket is None:
        return []
    more_than, at_most = billing.bucket_span(bucket)
    parts = [due_date < today - timedelta(days=more_than)]
    if at_most is not None:
        parts.append(due_date >= today - timedelta(days=at_most))
    return parts


OWED = Bill.amount - Bill.paid_amount


@dataclass
class Summary:
    """Owed by bucket for each project and each steward, and the totals."""

    by_project: list[tuple[str, dict[str, Decimal]]] = field(default_factory=list)
    by_steward: list[tuple[str, dict[str, Decimal]]] = field(default_factory=list)
    bills: int = 0
    owed: Decimal = Decimal(0)
    by_bucket: dict[str, Decimal] = field(default_factory=dict)


def summary(session: Session, today: date, filters: Filters,
            scope: sa.ColumnElement[bool] | None) -> Summary:
    """One aggregate over the bills in arrears, grouped by project, steward (by id, so
    same-named stewards stay apart) and bucket; the page's tables and totals fold from it.
    The whole company's (no scope, no building chosen) is summed from the running totals
    beside the bills (models/bill_totals.py), a few thousand rows instead of a million."""
    if scope is None and filters.building_id is None:
        sums = _summed_totals(today, filters)
    else:
        bucket = bucket_case(today)
        sums = sa.select(Building.project_id.label("project_id"),
                         Unit.steward_id.label("steward_id"), bucket.label("bucket"),
                         sa.func.count().label("bills"), sa.func.sum(OWED).label("owed")) \
            .join(Unit, Bill.unit_id == Unit.id) \
            .join(Building, Unit.building_id == Building.id) \
            .where(condition(today, filters, scope)) \
            .group_by(Building.project_id, Unit.steward_id, bucket).subquery()
    query = sa.select(Project.name, steward_label(), sums.c.bucket, sums.c.bills,
                      sums.c.owed).select_from(sums) \
        .join(Project, Project.id == sums.c.project_id) \
        .outerjoin(Staff, Staff.id == sums.c.steward_id)
    projects: dict[str, dict[str, Decimal]] = {}
    stewards: dict[str, dict[str, Decimal]] = {}
    result = Summary()
    for project, steward, name, count, owed in session.execute(query):
        owed = owed or Decimal(0)
        for table, label in ((projects, project), (stewards, steward)):
            cells = table.setdefault(label, {})
            cells[name] = cells.get(name, Decimal(0)) + owed
        result.bills += count
        result.owed += owed
        result.by_bucket[name] = result.by_bucket.get(name, Decimal(0)) + owed
    result.by_project = sorted(projects.items())
    result.by_steward = sorted(stewards.items())
    return result


def _summed_totals(today: date, filters: Filters) -> sa.Subquery:
    """The summary's groups from the running totals (project, steward, bucket, bills, owed)."""
    bucket = bucket_case(today, BillTotal.due_date)
    steward = bill_totals.steward_id()
    where = [BillTotal.due_date < today, BillTotal.open_bills > 0,
             *_within_bucket(today, filters.bucket, BillTotal.due_date)]
    if filters.project_id is not None:
        where.append(BillTotal.project_id == filters.project_id)
    if filters.steward_id is not None:
        where.append(BillTotal.steward_key == filters.steward_id)
    return sa.select(BillTotal.project_id.label("project_id"), steward.label("steward_id"),
                     bucket.label("bucket"), sa.func.sum(BillTotal.open_bills).label("bills"),
                     sa.func.sum(BillTotal.owed).label("owed")) \
        .where(*where).group_by(BillTotal.project_id, steward, bucket).subquery()


@dataclass
class Household:
    """One household's arrears: the unit, the owner billed, their overdue bills."""

    unit: Unit
    owner: Owner | None
    bill_count: int
    owed: Decimal
    oldest_due: date
    bills: list[Bill] = field(default_factory=list)
    last: ArrearsReminder | None = None

    def days(self, today: date) -> int:
        return billing.days_overdue(self.oldest_due, today)

    def bucket(self, today: date) -> str | None:
        return billing.aging_bucket(self.days(today))


def households(session: Session, today: date, filters: Filters,
               scope: sa.ColumnElement[bool] | None, offset: int = 0,
               limit: int | None = 50, with_bills: bool = True
               ) -> tuple[list[Household], int]:
    """A page of households in arrears, the longest overdue first (those overdue as long,
    by building and room in natural order), and how many there are.

    The bills are grouped by ids alone, the households then ordered with their room's sort
    key (one join of the grouped households to their units, not of every bill), and the
    page's ids joined to units, buildings, projects, stewards and owners afterwards, in the
    same statement: a deep page costs the grouping, not the names of every household before
    it. Their bills and last reminders come in two more statements for the page only.

    The whole company's page (no scope, no aging filter) is read from the running totals
    per household instead (models/household_totals.py): its 50 keys from one index in the
    same order, and the count of households from the same index — a million overdue bills
    are not grouped for a page of 50."""
    if scope is None and filters.bucket is None and limit is not None:
        rows = _page_from_totals(session, today, filters, offset, limit)
        total = session.scalar(sa.select(sa.func.count()).select_from(HouseholdTotal)
                               .where(*_totals_condition(today, filters))) \
            if rows or offset else 0
        if not rows:
            return [], total
    else:
        rows = _page_from_bills(session, today, filters, scope, offset, limit)
        if not rows:
            return [], _count(session, today, filters, scope) if offset else 0
        total = rows[0].total
    found = [Household(unit, owner, bills, owed or Decimal(0), oldest_due)
             for unit, owner, bills, owed, oldest_due, *_ in rows]
    if with_bills:
        _attach_bills(session, found, today, filters, scope)
    return found, total


def _page_from_bills(session: Session, today: date, filters: Filters,
                     scope: sa.ColumnElement[bool] | None, offset: int,
                     limit: int | None) -> list:
    """A page of (unit, owner, bills, owed, oldest, total) from the bills grouped."""
    grouped = sa.select(Bill.unit_id, Bill.owner_id, sa.func.count().label("bills"),
                        sa.func.sum(OWED).label("owed"),
                        sa.func.min(Bill.due_date).label("oldest")) \
        .where(condition(today, filters, scope)) \
        .group_by(Bill.unit_id, Bill.owner_id).subquery()
    room = aliased(Unit)  # the household's place in the order (the page loads its Unit below)
    owner_key = bill_totals.as_key(grouped.c.owner_id).label("owner_key")
    ordered = sa.select(*grouped.c, owner_key, room.building_id, room.number_key,
                        sa.func.count().over().label("total")) \
        .join(room, room.id == grouped.c.unit_id) \
        .order_by(grouped.c.oldest, room.building_id, room.number_key, grouped.c.unit_id,
                  owner_key).offset(offset)
    if limit is not None:
        ordered = ordered.limit(limit)
    page = ordered.subquery()
    return session.execute(
        sa.select(Unit, Owner, page.c.bills, page.c.owed, page.c.oldest, page.c.total)
        .select_from(page).join(Unit, Unit.id == page.c.unit_id)
        .outerjoin(Owner, Owner.id == page.c.owner_id)
        .options(joinedload(Unit.building).joinedload(Building.project),
                 joinedload(Unit.steward))
        .order_by(page.c.oldest, page.c.building_id, page.c.number_key, page.c.unit_id,
                  page.c.owner_key)).all()  # billed to nobody (0) first, as the totals order


def _totals_condition(today: date, filters: Filters) -> list[sa.ColumnElement[bool]]:
    """The households in arrears by models/household_totals: their oldest unpaid bill is
    past due; the page's project, building and steward filters on their copied columns."""
    return [HouseholdTotal.oldest_open < today,
            *_place(filters, HouseholdTotal.building_id, HouseholdTotal.steward_key)]


def _page_from_totals(session: Session, today: date, filters: Filters, offset: int,
                      limit: int) -> list:
    """The whole company's page of households from the running totals per household: the
    page's keys read in the arrears order from one index, their overdue bills summed (a
    household's bills not yet due left out), their units and owners joined — one statement."""
    totals = HouseholdTotal
    page = (sa.select(totals.unit_id, totals.owner_key, totals.oldest_open,
                      totals.building_id, totals.number_key)
            .where(*_totals_condition(today, filters))
            .order_by(totals.oldest_open, totals.building_id, totals.number_key,
                      totals.unit_id, totals.owner_key)
            .offset(offset).limit(limit).cte("page"))
    owner_key = bill_totals.as_key(Bill.owner_id)
    sums = (sa.select(Bill.unit_id, owner_key.label("owner_key"),
                      sa.func.count().label("bills"), sa.func.sum(OWED).label("owed"))
            .where(outstanding(today), Bill.unit_id.in_(sa.select(page.c.unit_id)))
            .group_by(Bill.unit_id, owner_key).subquery())
    return session.execute(
        sa.select(Unit, Owner, sums.c.bills, sums.c.owed, page.c.oldest_open)
        .select_from(page)
        .join(sums, sa.and_(sums.c.unit_id == page.c.unit_id,
                            sums.c.owner_key == page.c.owner_key))
        .join(Unit, Unit.id == page.c.unit_id)
        .outerjoin(Owner, Owner.id == page.c.owner_key)
        .options(joinedload(Unit.building).joinedload(Building.project),
                 joinedload(Unit.steward))
        .order_by(page.c.oldest_open, page.c.building_id, page.c.number_key,
                  page.c.unit_id, page.c.owner_key)).all()


def _count(session: Session, today: date, filters: Filters,
           scope: sa.ColumnElement[bool] | None) -> int:
    """How many households there are (asked only for a page past the last one)."""
    grouped = sa.select(Bill.unit_id, Bill.owner_id).where(
        condition(today, filters, scope)).group_by(Bill.unit_id, Bill.owner_id).subquery()
    return session.scalar(sa.select(sa.func.count()).select_from(grouped)) or 0


def _attach_bills(session: Session, found: list[Household], today: date, filters: Filters,
                  scope: sa.ColumnElement[bool] | None) -> None:
    """Each household's overdue bills (oldest first) and its latest reminder."""
    by_key = {(h.unit.id, h.owner.id if h.owner else None): h for h in found}
    bills = session.scalars(
        sa.select(Bill).where(Bill.unit_id.in_({key[0] for key in by_key}),
                              condition(today, filters, scope))
        .order_by(Bill.due_date, Bill.id)).all()
    household_of: dict[int, Household] = {}
    for bill in bills:
        household = by_key.get((bill.unit_id, bill.owner_id))
        if household is not None:
            household.bills.append(bill)
            household_of[bill.id] = household
    for reminder in _reminders(session, household_of):
        household_of[reminder.bill_id].last = reminder


def _reminders(session: Session, bill_ids: Iterable[int]) -> Iterator[ArrearsReminder]:
    """The reminders of these bills, earliest first (so the last one seen is the latest)."""
    ids = list(bill_ids)
    if ids:
        yield from session.scalars(sa.select(ArrearsReminder).where(
            ArrearsReminder.bill_id.in_(ids)).order_by(ArrearsReminder.reminded_at,
                                                        ArrearsReminder.id))


def due_reminders(session: Session, today: date, filters: Filters,
                  scope: sa.ColumnElement[bool] | None,
                  limit: int = 100) -> list[ArrearsReminder]:
    """P-FEE-2: the latest reminder of each bill still unpaid whose promised date has
    passed — found among the user's own reminders first (`scope`, a condition on
    ArrearsReminder), then checked for a later one on the same bill — of the bills the
    page's filters choose (project, building, steward, aging bucket); at most `limit`, the
    promises passed longest ago first."""
    later = sa.orm.aliased(ArrearsReminder)
    newer = sa.select(later.id).where(
        later.bill_id == ArrearsReminder.bill_id,
        sa.or_(later.reminded_at > ArrearsReminder.reminded_at,
               sa.and_(later.reminded_at == ArrearsReminder.reminded_at,
                       later.id > ArrearsReminder.id)))
    query = (sa.select(ArrearsReminder).join(ArrearsReminder.bill)
             .options(sa.orm.contains_eager(ArrearsReminder.bill))
             .where(ArrearsReminder.promised_on < today,
                    Bill.status.in_(("unpaid", "partly_paid")), ~newer.exists())
             .order_by(ArrearsReminder.promised_on, ArrearsReminder.id).limit(limit))
    if scope is not None:
        query = query.where(scope)
    units = _place(filters, Unit.building_id, Unit.steward_id)
    if units:
        query = query.where(Bill.unit_id.in_(sa.select(Unit.id).where(*units)))
    return list(session.scalars(query.where(
        *_within_bucket(today, filters.bucket, Bill.due_date))))


def last_reminded(session: Session, today: date, filters: Filters,
                  scope: sa.ColumnElement[bool] | None) -> dict[tuple[int, int | None], object]:
    """When each household in arrears was last reminded, in one aggregate (for exports)."""
    query = sa.select(Bill.unit_id, Bill.owner_id, sa.func.max(ArrearsReminder.reminded_at)) \
        .select_from(ArrearsReminder).join(Bill, ArrearsReminder.bill_id == Bill.id) \
        .where(condition(today, filters, scope)).group_by(Bill.unit_id, Bill.owner_id)
    return {(unit, owner): at for unit, owner, at in session.execute(query)}
