"""Which tickets a list shows, worked out in SQL so a trust's tickets never all load at once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select

from bot.rules.lifecycle import RUNNING_STATUSES, Status
from bot.rules.restarts import RESTARTING_REASONS
from bot.storage.tables import ClockPauseRecord, Ticket
from bot.tickets.views import TicketFilter

Row = TypeVarTuple("Row")
_RESTART_STATUSES = (Status.AWAITING_ID, Status.AWAITING_FEE)


def waiting_too_late() -> ColumnElement[bool]:
    """Whether a ticket waits on ID or a fee asked for after its due date (views' rule, in SQL)."""
    return exists().where(
        ClockPauseRecord.ticket_id == Ticket.id,
        ClockPauseRecord.ended.is_(None),
        ClockPauseRecord.reason.in_(RESTARTING_REASONS),
        ClockPauseRecord.started > Ticket.due_date,
    )


def clock_running() -> ColumnElement[bool]:
    """Tickets whose clock runs: open or in progress, or waiting on a too-late ID or fee request."""
    return or_(
        Ticket.status.in_(RUNNING_STATUSES),
        and_(Ticket.status.in_(_RESTART_STATUSES), waiting_too_late()),
    )


def filtered(query: Select[*Row], filters: TicketFilter, today: date) -> Select[*Row]:
    """Return `query` narrowed to the tickets `filters` asks for."""
    if filters.status is not None:
        query = query.where(Ticket.status == filters.status)
    elif not filters.include_closed:
        query = query.where(Ticket.status != Status.CLOSED)
    if filters.kind is not None:
        query = query.where(Ticket.kind == filters.kind)
    if filters.assignee is not None:
        query = query.where(func.lower(Ticket.assignee) == filters.assignee.strip().lower())
    if filters.overdue:
        query = query.where(clock_running(), Ticket.due_date < today)
    if filters.due_within_days is not None:
        last = today + timedelta(days=filters.due_within_days)
        query = query.where(clock_running(), Ticket.due_date >= today, Ticket.due_date <= last)
    return query


def ticket_list(filters: TicketFilter, today: date) -> Select[Ticket, bool]:
    """The matching tickets, soonest due first, each with whether it waits too late."""
    query = select(Ticket, waiting_too_late().label("late"))
    return filtered(query, filters, today).order_by(Ticket.due_date, Ticket.id)


def ticket_count(filters: TicketFilter, today: date) -> Select[int]:
    """How many tickets match."""
    return filtered(select(func.count(Ticket.id)), filters, today)
