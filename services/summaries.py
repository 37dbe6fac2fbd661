"""Weekly and monthly summaries written from the records (P-LOG-2): the period's figures
counted from work logs, tickets, return visits, arrears reminders and bills; a draft opened
with them; submitting it to the supervisor.

The tickets are counted as the monthly assessment counts them where the two overlap: the
tickets due in the period, late or pending as the on-time KPI says (P-KPI-3), and the bills
due in the period of the units the steward had then, paid by its end (P-KPI-2)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session

from models import ArrearsReminder, ReturnVisit, Staff, Summary, Ticket, TicketEvent, WorkLog
from models.base import utcnow
from models.queries import activity_record, company_zone, local_date
from rules import summaries, workflow
from rules.periods import day_window
from rules.scoring import on_time_rate


def count_figures(session: Session, staff: Staff, kind: str, start,
                  now: datetime) -> summaries.Figures:
    """What the records say about `staff`'s period of `kind` starting on `start`, as of
    `now` (a period still under way counts up to now)."""
    first, last = summaries.period_bounds(kind, start)
    zone = company_zone()
    begin, end = day_window(first, last, zone)
    mine = Ticket.steward_id == staff.id

    def counted(query) -> int:
        return session.scalar(query) or 0

    logs = session.execute(
        sa.select(WorkLog.day, WorkLog.needs_received, WorkLog.problems_handled,
                  WorkLog.feedback_given)
        .where(WorkLog.steward_id == staff.id, WorkLog.day >= first, WorkLog.day <= last)
        .order_by(WorkLog.day)).all()
    # the working days whose log is due by now: up to yesterday, from the hiring day
    expected_from = max(first, staff.hire_date) if staff.hire_date else first
    expected_to = min(last, summaries.last_working_day_before(local_date(now)))
    record = activity_record(session, staff, first, last, zone)
    timing = on_time_rate(record.tickets, now)
    ratings = tuple(session.scalars(
        sa.select(ReturnVisit.satisfaction)
        .where(ReturnVisit.steward_id == staff.id, ReturnVisit.visited_at >= begin,
               ReturnVisit.visited_at < end, ReturnVisit.satisfaction.is_not(None))
        .order_by(ReturnVisit.visited_at)))
    before, after = workflow.REOPEN
    return summaries.Figures(
        first=first, last=last,
        logs_written=len(logs),
        logs_expected=summaries.working_days(expected_from, expected_to),
        received=counted(sa.select(sa.func.count(Ticket.id)).where(
            mine, Ticket.intake_at >= begin, Ticket.intake_at < end)),
        resolved=counted(sa.select(sa.func.count(Ticket.id)).where(
            mine, Ticket.resolved_at >= begin, Ticket.resolved_at < end)),
        overdue=len(timing.late),
        counted=timing.counted,
        reworked=counted(sa.select(sa.func.count(sa.distinct(TicketEvent.ticket_id)))
                         .join(TicketEvent.ticket).where(
            mine, TicketEvent.from_status == before, TicketEvent.to_status == after,
            TicketEvent.at >= begin, TicketEvent.at < end)),
        visits=counted(sa.select(sa.func.count(ReturnVisit.id)).where(
            ReturnVisit.steward_id == staff.id, ReturnVisit.visited_at >= begin,
            ReturnVisit.visited_at < end)),
        visit_ratings=ratings,
        reminders=counted(sa.select(sa.func.count(ArrearsReminder.id)).where(
            ArrearsReminder.steward_id == staff.id, ArrearsReminder.reminded_at >= begin,
            ArrearsReminder.reminded_at < end)),
        receivable=sum((due for _, due, _ in record.bills), Decimal(0)),
        collected=sum((paid for _, _, paid in record.bills), Decimal(0)),
        log_lines=tuple(tuple(row) for row in logs),
    )


def worded(figures: summaries.Figures) -> str:
    """The text a summary opens with, in the company's language (it is the steward's report,
    whoever's screen opened it)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return "\n".join(sentences(figures))


def sentences(figures: summaries.Figures, with_logs: bool = True) -> list[str]:
    """The figures' sentences in the current language, sums of money in yuan (¥1,234.50)."""
    from admin_views.formats import money

    return [gettext(message, **{name: money(value) if isinstance(value, Decimal) else value
                                for name, value in params.items()})
            for message, params in summaries.compose(figures, with_logs=with_logs)]


def _keep(summary: Summary, figures: summaries.Figures, now: datetime) -> None:
    summary.figures = json.dumps(figures.stored() | {"counted_at": now.isoformat(
        timespec="seconds")}, ensure_ascii=False)


def stored_figures(summary: Summary) -> dict:
    """The figures kept on a summary (empty for one written before they were kept)."""
    return json.loads(summary.figures) if summary.figures else {}


def find(session: Session, staff_id: int, kind: str, start) -> Summary | None:
    return session.scalars(sa.select(Summary).where(
        Summary.steward_id == staff_id, Summary.kind == kind,
        Summary.period_start == start)).first()


def open_draft(session: Session, staff: Staff, kind: str, start,
               now: datetime | None = None) -> Summary:
    """The steward's summary of the period: the one already written, or a new draft with the
    period's figures and the text composed from them."""
    found = find(session, staff.id, kind, start)
    if found is not None:
        return found
    now = now or utcnow()
    figures = count_figures(session, staff, kind, start, now)
    summary = Summary(steward=staff, kind=kind, period_start=start, status="draft",
                      work_done=worded(figures))
    _keep(summary, figures, now)
    session.add(summary)
    session.flush()
    return summary


def fill(session: Session, summary: Summary, now: datetime | None = None) -> None:
    """A summary made through the plain form: its figures, and the composed text where the
    steward wrote none."""
    now = now or utcnow()
    staff = summary.steward or session.get(Staff, summary.steward_id)
    figures = count_figures(session, staff, summary.kind, summary.period_start, now)
    _keep(summary, figures, now)
    if not (summary.work_done or "").strip():
        summary.work_done = worded(figures)


def recount(session: Session, summary: Summary, now: datetime | None = None) -> None:
    """A draft's figures counted again (the text stays the steward's); a submitted summary
    keeps the figures its supervisor read."""
    summaries.check_submit(summary.status, ["-"])
    now = now or utcnow()
    staff = summary.steward or session.get(Staff, summary.steward_id)
    _keep(summary, count_figures(session, staff, summary.kind, summary.period_start, now), now)


def submit(summary: Summary, now: datetime | None = None) -> None:
    """The steward reports the summary to the supervisor; its text is then fixed."""
    summaries.check_submit(summary.status, [summary.work_done, summary.problems,
                                            summary.shortcomings, summary.improvements])
    summary.status = "submitted"
    summary.submitted_at = now or utcnow()
