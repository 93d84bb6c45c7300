"""The dashboard's figures: requests per month by kind, the share answered on time, overdue now."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from bot.rules.deadlines import TicketKind
from bot.tickets.service import TicketView
from bot.tickets.tallies import Tallies


@dataclass(frozen=True)
class Month:
    """One calendar month of requests, counted by the month they were received."""

    start: date  # the first of the month
    by_kind: Mapping[TicketKind, int]
    on_time: int  # answered by the due date
    late: int  # answered after it, or still open past it

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    @property
    def on_time_share(self) -> float | None:
        """The share answered on time, of those whose verdict is in; None if none is."""
        judged = self.on_time + self.late
        return self.on_time / judged if judged else None


@dataclass(frozen=True)
class Overdue:
    reference: str
    kind: TicketKind
    due_date: date
    days: int
    assignee: str | None


@dataclass(frozen=True)
class Figures:
    months: tuple[Month, ...]
    overdue: tuple[Overdue, ...]  # most overdue first
    open_now: int
    paused_now: int
    overdue_total: int = 0  # all of them; `overdue` may list only the most overdue

    @property
    def on_time(self) -> int:
        return sum(month.on_time for month in self.months)

    @property
    def late(self) -> int:
        return sum(month.late for month in self.months)

    @property
    def on_time_share(self) -> float | None:
        judged = self.on_time + self.late
        return self.on_time / judged if judged else None

    @property
    def kinds(self) -> tuple[TicketKind, ...]:
        """The kinds that occur, in the order of the kind list (and so of the legend)."""
        seen = {kind for month in self.months for kind, count in month.by_kind.items() if count}
        return tuple(kind for kind in TicketKind if kind in seen)


def figures(tickets: Sequence[TicketView], today: date, months: int = 12) -> Figures:
    """Work out the figures over the last `months` calendar months, this one included."""
    first = today.replace(day=1) - relativedelta(months=months - 1)
    starts = [first + relativedelta(months=n) for n in range(months)]
    counts: dict[date, Counter[TicketKind]] = {start: Counter() for start in starts}
    verdicts: dict[date, Counter[bool]] = {start: Counter() for start in starts}
    for ticket in tickets:
        start = ticket.received_on.replace(day=1)
        if start not in counts:
            continue
        counts[start][ticket.kind] += 1
        verdict = ticket.on_time(today)
        if verdict is not None:
            verdicts[start][verdict] += 1
    overdue = sorted(
        (
            Overdue(t.reference, t.kind, t.due_date, -t.days_left(today), t.assignee)
            for t in tickets
            if t.is_overdue(today)
        ),
        key=lambda o: (-o.days, o.reference),
    )
    return Figures(
        months=tuple(
            Month(start, dict(counts[start]), verdicts[start][True], verdicts[start][False])
            for start in starts
        ),
        overdue=tuple(overdue),
        open_now=sum(1 for t in tickets if not t.closed),
        paused_now=sum(1 for t in tickets if t.paused),
        overdue_total=len(overdue),
    )


def month_starts(today: date, months: int = 12) -> list[date]:
    """The first days of the last `months` months, this one included, and of next month."""
    first = today.replace(day=1) - relativedelta(months=months - 1)
    return [first + relativedelta(months=n) for n in range(months + 1)]


def figures_from_tallies(tallies: Tallies, starts: Sequence[date], today: date) -> Figures:
    """The same figures as `figures`, from the database's grouped counts."""
    counts: dict[date, Counter[TicketKind]] = {start: Counter() for start in starts[:-1]}
    verdicts: dict[date, Counter[bool]] = {start: Counter() for start in starts[:-1]}
    for tally in tallies.months:
        start = starts[tally.month]
        counts[start][tally.kind] += tally.received
        verdicts[start][True] += tally.on_time
        verdicts[start][False] += tally.late
    return Figures(
        months=tuple(
            Month(start, dict(counts[start]), verdicts[start][True], verdicts[start][False])
            for start in starts[:-1]
        ),
        overdue=tuple(
            Overdue(
                row.reference, row.kind, row.due_date, (today - row.due_date).days, row.assignee
            )
            for row in tallies.most_overdue
        ),
        open_now=tallies.open_now,
        paused_now=tallies.paused_now,
        overdue_total=tallies.overdue_total,
    )
