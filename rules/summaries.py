"""Weekly and monthly summaries written from the records (P-LOG-2), and the daily work log
they start from (P-LOG-1).

A summary covers a period: a week (Monday to Sunday) or a calendar month, in company days.
Its figures are counted from the period's records (services/summaries.py gathers them); the
text the steward starts from is composed here from those figures and the day's logs, as
message ids with parameters that the caller words in the company's language.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .refusal import N_, Refused
from .reminders import is_working_day, last_working_day_before  # noqa: F401 - re-exported

KINDS = ("weekly", "monthly")
STATUSES = ("draft", "submitted")
# The steward's own text: fixed once the summary is submitted to the supervisor.
STEWARD_TEXT = ("kind", "period_start", "work_done", "problems", "shortcomings",
                "improvements")


def period_bounds(kind: str, start: date) -> tuple[date, date]:
    """The first and last day of the period a summary of `kind` starting on `start` covers:
    a week, or a month (from the 1st, the calendar month). The page that opens a summary
    offers weeks from a Monday and months from the 1st; a summary typed in with another
    start day covers the week or month from that day."""
    if kind == "weekly":
        return start, start + timedelta(days=6)
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    days_in_next = ((date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)).day
    return start, date(year, month, min(start.day, days_in_next)) - timedelta(days=1)


def period_containing(kind: str, day: date) -> date:
    """The first day of the week (its Monday) or of the month that contains `day`."""
    return day - timedelta(days=day.weekday()) if kind == "weekly" else day.replace(day=1)


def working_days(first: date, last: date) -> int:
    """The working days from `first` to `last`, both included (0 when last < first)."""
    count, day = 0, first
    while day <= last:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def check_submit(status: str, texts: list[str | None]) -> None:
    """A draft with something written in it can be submitted; a submitted one is done."""
    if status != "draft":
        raise Refused(N_("This summary has already been submitted."))
    if not any((text or "").strip() for text in texts):
        raise Refused(N_("Write the summary before submitting it."))


@dataclass(frozen=True)
class Figures:
    """What the period's records say, as counted for a summary (services/summaries.py).

    tickets: received (intake in the period), resolved (resolution in the period), overdue
    (due in the period and resolved late or not at all — the on-time KPI's "late",
    P-KPI-3), counted (due in the period and no longer pending), reworked (reopened by an
    unsatisfied owner in the period, P-TKT-6); visits made in the period and their ratings
    (overall 1–5); arrears reminders given; collection over the bills due in the period of
    the steward's units, paid by the period's end (the collection KPI's count, P-KPI-2)."""

    first: date
    last: date
    logs_written: int = 0
    logs_expected: int = 0
    received: int = 0
    resolved: int = 0
    overdue: int = 0
    counted: int = 0
    reworked: int = 0
    visits: int = 0
    visit_ratings: tuple[int, ...] = ()
    reminders: int = 0
    receivable: Decimal = Decimal(0)
    collected: Decimal = Decimal(0)
    log_lines: tuple[tuple[date, str, str, str], ...] = field(default=(), compare=False)

    @property
    def mean_rating(self) -> Decimal | None:
        if not self.visit_ratings:
            return None
        mean = Decimal(sum(self.visit_ratings)) / len(self.visit_ratings)
        return mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def collection_rate(self) -> Decimal | None:
        if not self.receivable:
            return None
        return (self.collected / self.receivable * 100).quantize(Decimal("0.01"),
                                                                 rounding=ROUND_HALF_UP)

    @classmethod
    def from_stored(cls, kept: dict) -> Figures:
        """The figures as kept on a summary, to word them again for a reader."""
        names = {"logs_written", "logs_expected", "received", "resolved", "overdue",
                 "counted", "reworked", "visits", "reminders"}
        return cls(first=date.fromisoformat(kept["first"]), last=date.fromisoformat(kept["last"]),
                   visit_ratings=tuple(kept.get("visit_ratings", ())),
                   receivable=Decimal(kept.get("receivable", "0")),
                   collected=Decimal(kept.get("collected", "0")),
                   **{name: int(kept.get(name, 0)) for name in names})

    def stored(self) -> dict:
        """The figures as kept on the summary (JSON): what the steward saw."""
        kept = asdict(self)
        kept.pop("log_lines")
        kept |= {"first": self.first.isoformat(), "last": self.last.isoformat(),
                 "visit_ratings": list(self.visit_ratings),
                 "receivable": f"{self.receivable:.2f}", "collected": f"{self.collected:.2f}",
                 "mean_rating": None if self.mean_rating is None else str(self.mean_rating),
                 "collection_rate": None if self.collection_rate is None
                 else str(self.collection_rate)}
        return kept


Sentence = tuple[str, dict]


def compose(figures: Figures, with_logs: bool = True) -> list[Sentence]:
    """The text a summary opens with: one sentence per figure, then each day's log. The
    steward edits it; nothing here is a judgement, only what the records say."""
    sentences: list[Sentence] = [
        (N_("Work logs written: %(written)s of %(expected)s working days."),
         {"written": figures.logs_written, "expected": figures.logs_expected}),
        (N_("Tickets: %(received)s received, %(resolved)s resolved, %(overdue)s overdue "
            "(of %(counted)s due in the period), %(reworked)s reworked."),
         {"received": figures.received, "resolved": figures.resolved,
          "overdue": figures.overdue, "counted": figures.counted,
          "reworked": figures.reworked}),
    ]
    if figures.mean_rating is None:
        sentences.append((N_("Return visits: %(visits)s made, none rated."),
                          {"visits": figures.visits}))
    else:
        sentences.append((N_("Return visits: %(visits)s made, %(rated)s rated, mean "
                             "satisfaction %(mean)s of 5."),
                          {"visits": figures.visits, "rated": len(figures.visit_ratings),
                           "mean": str(figures.mean_rating)}))
    sentences.append((N_("Arrears reminders: %(count)s."), {"count": figures.reminders}))
    if figures.collection_rate is None:
        sentences.append((N_("Collection: no bills due in the period."), {}))
    else:
        sentences.append((N_("Collection: %(collected)s collected of %(receivable)s "
                             "receivable (%(rate)s %%)."),
                          {"collected": figures.collected,  # money: worded by the caller
                           "receivable": figures.receivable,
                           "rate": str(figures.collection_rate)}))
    for day, needs, handled, feedback in figures.log_lines if with_logs else ():
        sentences.append((N_("%(day)s — received: %(needs)s; handled: %(handled)s; "
                             "feedback: %(feedback)s"),
                          {"day": day.isoformat(), "needs": needs or "—",
                           "handled": handled or "—", "feedback": feedback or "—"}))
    return sentences
