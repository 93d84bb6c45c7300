"""Finding tickets: the list's filters, a ranked text search and pages, all done in SQL.

A trust may hold a hundred thousand tickets, so nothing here loads more rows than one page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.rules.lifecycle import Status
from bot.storage.engine import transaction
from bot.storage.tables import Ticket
from bot.tickets.service import TicketFilter, TicketView
from bot.tickets.views import ticket_view as _view

PAGE_SIZE = 25
_RUNNING = (Status.OPEN, Status.IN_PROGRESS)
# Listed rather than "not closed", so the (status, due date) index finds the few open ones
# among a trust's many closed tickets instead of reading past every closed one.
_NOT_CLOSED = tuple(status for status in Status if status is not Status.CLOSED)
# How much a hit in each field counts: a reference is what staff copy from a letter, so it
# wins; a name beats a contact detail; a word in the request itself counts least.
_WEIGHTS = (
    ("reference", 100),
    ("subject_name", 40),
    ("requester_name", 40),
    ("requester_contact", 30),
    ("request_text", 10),
)


@dataclass(frozen=True)
class TicketPage:
    """One page of a list or a search, with what the page links need."""

    tickets: tuple[TicketView, ...]
    total: int
    page: int
    pages: int
    per_page: int


def search_words(text: str | None) -> tuple[str, ...]:
    """The words of a search, lower case; every one of them must be found in a ticket."""
    if not text:
        return ()
    return tuple(word for word in text.lower().split() if word)[:8]


def filtered(query: Select[Any], filters: TicketFilter, today: date) -> Select[Any]:
    """Apply the list's filters to a query over tickets."""
    if filters.status is not None:
        query = query.where(Ticket.status == filters.status)
    elif not filters.include_closed:
        query = query.where(Ticket.status.in_(_NOT_CLOSED))
    if filters.kind is not None:
        query = query.where(Ticket.kind == filters.kind)
    if filters.assignee is not None:
        # The list offers the names as stored, so an exact match can use the index.
        query = query.where(Ticket.assignee == filters.assignee.strip())
    if filters.overdue:
        query = query.where(Ticket.status.in_(_RUNNING), Ticket.due_date < today)
    if filters.due_within_days is not None:
        last = today + timedelta(days=filters.due_within_days)
        query = query.where(
            Ticket.status.in_(_RUNNING), Ticket.due_date >= today, Ticket.due_date <= last
        )
    return query


def _contains(column: Any, word: str) -> ColumnElement[bool]:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def _rank(words: tuple[str, ...]) -> ColumnElement[Any]:
    score: ColumnElement[Any] = literal(0)
    for word in words:
        for name, weight in _WEIGHTS:
            column = getattr(Ticket, name)
            exact = func.lower(column) == word
            score = score + case((exact, weight * 2), (_contains(column, word), weight), else_=0)
    return score


def _matches(words: tuple[str, ...]) -> ColumnElement[bool]:
    return and_(
        *(or_(*(_contains(getattr(Ticket, name), word) for name, _ in _WEIGHTS)) for word in words)
    )


def ordering(filters: TicketFilter, words: tuple[str, ...]) -> tuple[ColumnElement[Any], ...]:
    """Best match first when searching; otherwise soonest due first."""
    if words:
        return (_rank(words).desc(), Ticket.due_date, Ticket.id)  # type: ignore[return-value]
    if filters.status is None and not filters.include_closed:
        # Sorting by an expression keeps the planner (SQLite's above all) from walking the due
        # date index past every closed ticket: it finds the few open ones by status, then sorts.
        return (func.coalesce(Ticket.due_date, Ticket.due_date), Ticket.id)  # type: ignore[return-value]
    return (Ticket.due_date, Ticket.id)  # type: ignore[return-value]


class TicketSearch:
    """The console's list and search over the request service's tables."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def page(
        self,
        filters: TicketFilter,
        today: date,
        *,
        text: str | None = None,
        page: int = 1,
        per_page: int = PAGE_SIZE,
    ) -> TicketPage:
        """Return one page of tickets: best matches first when searching, else soonest due."""
        words = search_words(text)
        query = filtered(select(Ticket), filters, today)
        if words:
            query = query.where(_matches(words))
        order = ordering(filters, words)
        with transaction(self._sessions) as session:
            total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
            pages = max(1, -(-total // per_page))
            page = min(max(1, page), pages)
            rows = session.scalars(
                query.order_by(*order).limit(per_page).offset((page - 1) * per_page)
            )
            tickets = tuple(_view(ticket) for ticket in rows)
        return TicketPage(tickets, total, page, pages, per_page)

    def assignees(self) -> list[str]:
        """Everyone a ticket has been given to, for the assignee filter."""
        with transaction(self._sessions) as session:
            names = session.scalars(
                select(Ticket.assignee).where(Ticket.assignee.is_not(None)).distinct()
            )
            return sorted({name for name in names if name}, key=str.lower)
