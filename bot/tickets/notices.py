"""A reminder about one ticket, and which open tickets call for one today."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.rules.deadlines import TicketKind
from bot.tickets.views import TicketView


class Reminder(StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Notice:
    """One reminder about one ticket."""

    reminder: Reminder
    reference: str
    kind: str  # in words
    due_date: date
    days: int  # left (due soon) or past (overdue)
    assignee: str | None
    link: str | None
    # The ticket as it stood, for a notifier that shows its actions (Teams cards).
    ticket: TicketView | None = field(default=None, compare=False, repr=False)


def due_notices(
    tickets: Iterable[TicketView],
    today: date,
    *,
    due_soon_days: int,
    link_base: str | None,
    kind_label: Callable[[TicketKind], str],
) -> list[Notice]:
    """Return the reminders the open tickets call for today, overdue first, soonest due first."""
    notices = []
    for ticket in tickets:
        if ticket.closed or ticket.paused:  # a paused clock has no due date to chase yet
            continue
        left = ticket.days_left(today)
        if left < 0:
            reminder, days = Reminder.OVERDUE, -left
        elif left <= due_soon_days:
            reminder, days = Reminder.DUE_SOON, left
        else:
            continue
        link = f"{link_base}/console/tickets/{ticket.reference}" if link_base else None
        notices.append(
            Notice(
                reminder,
                ticket.reference,
                kind_label(ticket.kind),
                ticket.due_date,
                days,
                ticket.assignee,
                link,
                ticket,
            )
        )
    notices.sort(key=lambda n: (n.reminder is not Reminder.OVERDUE, n.due_date, n.reference))
    return notices
