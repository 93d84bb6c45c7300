"""The audit trail, filtered and paged for the audit viewer, or streamed for its CSV."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.rules.clock import LONDON
from bot.storage.engine import transaction
from bot.storage.tables import AuditEvent

PAGE_SIZE = 50
_BATCH = 1000
AUDIT_CSV_COLUMNS = (
    "at",
    "at_in_words",
    "actor",
    "action",
    "ticket_reference",
    "field",
    "old_value",
    "new_value",
)


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    reference: str | None = None
    since: date | None = None  # London days, both included
    until: date | None = None


@dataclass(frozen=True)
class AuditRow:
    at: datetime  # London
    actor: str
    action: str
    reference: str | None
    field: str | None
    old_value: str | None
    new_value: str | None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), LONDON).astimezone(UTC)


def _filtered(query: Select[Any], wanted: AuditFilter) -> Select[Any]:
    if wanted.actor:
        query = query.where(AuditEvent.actor == wanted.actor.strip().lower())
    if wanted.action:
        query = query.where(AuditEvent.action == wanted.action)
    if wanted.reference:
        query = query.where(AuditEvent.ticket_reference == wanted.reference.strip().upper())
    if wanted.since:
        query = query.where(AuditEvent.at >= _start_of(wanted.since))
    if wanted.until:
        query = query.where(AuditEvent.at < _start_of(wanted.until + timedelta(days=1)))
    return query


def _row(event: AuditEvent) -> AuditRow:
    return AuditRow(
        event.at.astimezone(LONDON),
        event.actor,
        event.action,
        event.ticket_reference,
        event.field,
        event.old_value,
        event.new_value,
    )


class AuditQuery:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def page(self, wanted: AuditFilter, page: int) -> tuple[list[AuditRow], int, int]:
        """Newest first: the rows of one page, the page number shown and the number of pages."""
        query = _filtered(select(AuditEvent), wanted)
        with transaction(self._sessions) as session:
            total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
            pages = max(1, -(-total // PAGE_SIZE))
            page = min(max(page, 1), pages)
            events = session.scalars(
                query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                .limit(PAGE_SIZE)
                .offset((page - 1) * PAGE_SIZE)
            )
            return [_row(event) for event in events], page, pages

    def choices(self) -> tuple[list[str], list[str]]:
        """The people and the actions that occur, for the filters' lists."""
        with transaction(self._sessions) as session:
            actors = session.scalars(select(AuditEvent.actor).distinct()).all()
            actions = session.scalars(select(AuditEvent.action).distinct()).all()
        return sorted(actors), sorted(actions)

    def stream(self, wanted: AuditFilter) -> Iterator[AuditRow]:
        """Every matching event, oldest first, in batches (keyset paging on the id)."""
        last_id = 0
        while True:
            query = (
                _filtered(select(AuditEvent), wanted)
                .where(AuditEvent.id > last_id)
                .order_by(AuditEvent.id)
                .limit(_BATCH)
            )
            with transaction(self._sessions) as session:
                events = list(session.scalars(query))
                rows = [_row(event) for event in events]
            if events:
                last_id = events[-1].id
            yield from rows
            if len(events) < _BATCH:
                return
