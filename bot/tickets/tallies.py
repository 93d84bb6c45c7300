"""The dashboard's counts, worked out by the database: a few grouped rows, never every ticket.

Months and "on time" are London calendar questions, and tickets store UTC instants. Month
boundaries are worked out here in London and handed to SQL as instants; the London day a
ticket closed comes from PostgreSQL's time zone database, or, in SQLite, from the summer-time
periods of the years in question, written out as one CASE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Date, Integer, case, cast, func, literal, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from bot.rules.clock import LONDON
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import PAUSED_STATUSES, Status
from bot.storage.engine import transaction
from bot.storage.tables import Ticket

_RUNNING = (Status.OPEN, Status.IN_PROGRESS)
_NOT_CLOSED = tuple(status for status in Status if status is not Status.CLOSED)
OVERDUE_SHOWN = 20


@dataclass(frozen=True)
class MonthTally:
    month: int  # 0 for the first month of the window
    kind: TicketKind
    received: int
    on_time: int
    late: int


@dataclass(frozen=True)
class OverdueRow:
    reference: str
    kind: TicketKind
    due_date: date
    assignee: str | None


@dataclass(frozen=True)
class Tallies:
    months: tuple[MonthTally, ...]
    most_overdue: tuple[OverdueRow, ...]
    overdue_total: int
    open_now: int
    paused_now: int


def _utc(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), LONDON).astimezone(UTC)


def _month_of(starts: Sequence[date]) -> ColumnElement[int]:
    bounds = [_utc(day) for day in starts]
    return case(
        *((Ticket.received_at < bounds[n + 1], literal(n)) for n in range(len(bounds) - 1)),
        else_=literal(len(bounds) - 2),
    )


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _summer_periods(first_year: int, last_year: int) -> list[tuple[datetime, datetime]]:
    """British Summer Time: 01:00 UTC on March's last Sunday to 01:00 UTC on October's."""
    one_am = timedelta(hours=1)
    return [
        (
            datetime.combine(_last_sunday(year, 3), datetime.min.time(), UTC) + one_am,
            datetime.combine(_last_sunday(year, 10), datetime.min.time(), UTC) + one_am,
        )
        for year in range(first_year, last_year + 1)
    ]


def _london_day(
    session: Session, moment: ColumnElement[datetime], years: range
) -> ColumnElement[date]:
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("Europe/London", moment), Date)
    return case(
        *(
            ((moment >= start) & (moment < end), func.date(moment, "+1 hour"))
            for start, end in _summer_periods(years.start, years.stop - 1)
        ),
        else_=func.date(moment),
    )


class DashboardTallies:
    """Counts for the dashboard over the request service's tables."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def tally(self, starts: Sequence[date], today: date) -> Tallies:
        """Counts per month (starts: the firsts of the months, and of the month after) and now."""
        with transaction(self._sessions) as session:
            months = self._months(session, starts, today)
            overdue = (Ticket.status.in_(_RUNNING)) & (Ticket.due_date < today)
            most = session.execute(
                select(Ticket.reference, Ticket.kind, Ticket.due_date, Ticket.assignee)
                .where(overdue)
                # An expression, so the planner finds the few open tickets by status first
                # rather than walking the due date index past every closed one.
                .order_by(func.coalesce(Ticket.due_date, Ticket.due_date), Ticket.reference)
                .limit(OVERDUE_SHOWN)
            ).all()
            # Each count reads only the open tickets, through the status index.
            by_status = dict(
                session.execute(
                    select(Ticket.status, func.count())
                    .where(Ticket.status.in_(_NOT_CLOSED))
                    .group_by(Ticket.status)
                ).all()
            )
            overdue_total = session.scalar(select(func.count()).where(overdue)) or 0
        return Tallies(
            months=months,
            most_overdue=tuple(OverdueRow(r or "", k, d, a) for r, k, d, a in most),
            overdue_total=int(overdue_total),
            open_now=sum(int(n) for n in by_status.values()),
            paused_now=sum(int(n) for status, n in by_status.items() if status in PAUSED_STATUSES),
        )

    def _months(
        self, session: Session, starts: Sequence[date], today: date
    ) -> tuple[MonthTally, ...]:
        years = range(starts[0].year - 1, max(today.year, starts[-1].year) + 1)
        closed_day = _london_day(session, Ticket.closed_at, years)  # type: ignore[arg-type]
        # One verdict per ticket, 1 on time and 0 late (None while still open in time), so the
        # London day a ticket closed is worked out once per row, not once per count.
        verdict = case(
            (Ticket.status == Status.CLOSED, case((closed_day <= Ticket.due_date, 1), else_=0)),
            (Ticket.status.in_(_RUNNING) & (Ticket.due_date < today), 0),
            else_=None,
        )
        month = _month_of(starts)
        rows = session.execute(
            select(
                month,
                Ticket.kind,
                func.count(),
                func.sum(cast(verdict, Integer)),
                func.count(verdict),
            )
            .where(Ticket.received_at >= _utc(starts[0]), Ticket.received_at < _utc(starts[-1]))
            .group_by(month, Ticket.kind)
        ).all()
        return tuple(
            MonthTally(int(m), kind, int(n), int(good or 0), int(judged) - int(good or 0))
            for m, kind, n, good, judged in rows
        )
