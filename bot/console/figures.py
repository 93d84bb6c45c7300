"""The dashboard's figures: requests per month by kind, the share answered on time, overdue now."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from bot.rules.deadlines import TicketKind
from bot.tickets.service import TicketView


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
    )
