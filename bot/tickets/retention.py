"""Retention: chat transcripts and closed tickets past their periods are deleted, in batches.

Each batch is its own short transaction, so a purge over a trust's millions of transcript lines
never holds a lock for long, and one that is stopped half way has still removed whole batches.
Every condition is a plain range on a key or an indexed column: a turn goes when it is older
than the cut-off, and the turns of a deleted conversation go with it by the foreign key's ON
DELETE CASCADE (a condition naming the stale conversations made PostgreSQL rescan them for every
turn). Tables are walked in the order they were written where the database has such an order
(ids; SQLite's rowid), because a walk along a time index jumps about the table and its other
indexes: at 100,000 tickets that made SQLite's purge several times slower.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Delete,
    Select,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from bot.rules.lifecycle import Status
from bot.storage.engine import engine_of, storage_errors, transaction
from bot.storage.tables import (
    ConversationRecord,
    ConversationTurn,
    ProcessedMessage,
    PurgedFile,
    Ticket,
    TicketFile,
    UTCDateTime,
)
from bot.tickets.audit import audit_event

PURGE_BATCH = 20_000


@dataclass(frozen=True)
class PurgeReport:
    """What a purge removed, or with `dry_run` would remove."""

    dry_run: bool
    tickets: tuple[str, ...]
    conversations: int
    turns: int
    processed_messages: int


@dataclass(frozen=True)
class Cutoffs:
    """Anything older than these is past its retention period."""

    transcripts: datetime
    closed_tickets: datetime


def purge(
    sessions: sessionmaker[Session],
    cutoffs: Cutoffs,
    *,
    actor: str,
    now: datetime,
    dry_run: bool,
    batch: int = PURGE_BATCH,
) -> PurgeReport:
    """Delete (or with `dry_run` count) what is past retention, batch by batch."""
    if dry_run:
        with transaction(sessions) as session:
            return PurgeReport(
                dry_run=True,
                tickets=tuple(session.scalars(_stale_ticket_references(cutoffs))),
                conversations=_count(session, ConversationRecord, _stale_conversations(cutoffs)),
                turns=_count(session, ConversationTurn, _stale_turns(cutoffs)),
                processed_messages=_count(session, ProcessedMessage, _stale_messages(cutoffs)),
            )
    # Turns first: those of stale conversations are then mostly gone, so the cascade is cheap.
    before = cutoffs.transcripts
    turns = _delete_by_id_ranges(
        sessions, ConversationTurn, ConversationTurn.id.expression, _stale_turns(cutoffs), batch
    )
    _tidy_after_turns(sessions)
    conversations = _delete_stale(
        sessions, ConversationRecord, ConversationRecord.updated_at, before, batch
    )
    messages = _delete_stale(sessions, ProcessedMessage, ProcessedMessage.created_at, before, batch)
    tickets = _purge_tickets(sessions, cutoffs, actor=actor, now=now, batch=batch)
    report = PurgeReport(
        dry_run=False,
        tickets=tickets,
        conversations=conversations,
        turns=turns,
        processed_messages=messages,
    )
    if conversations or turns or messages:
        with transaction(sessions) as session:
            session.add(
                audit_event(
                    None,
                    at=now,
                    actor=actor,
                    action="purged_transcripts",
                    new=f"{conversations} conversations, {turns} turns, "
                    f"{messages} processed messages",
                )
            )
    return report


def _stale_turns(cutoffs: Cutoffs) -> ColumnElement[bool]:
    return ConversationTurn.at < cutoffs.transcripts


def _stale_conversations(cutoffs: Cutoffs) -> ColumnElement[bool]:
    return ConversationRecord.updated_at < cutoffs.transcripts


def _stale_messages(cutoffs: Cutoffs) -> ColumnElement[bool]:
    return ProcessedMessage.created_at < cutoffs.transcripts


def _stale_tickets(cutoffs: Cutoffs) -> ColumnElement[bool]:
    return (Ticket.status == Status.CLOSED) & (Ticket.closed_at < cutoffs.closed_tickets)


def _stale_ticket_references(cutoffs: Cutoffs) -> Select[str | None]:
    return select(Ticket.reference).where(_stale_tickets(cutoffs)).order_by(Ticket.id)


def _count(session: Session, model: type[Any], condition: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(condition)) or 0)


def _tidy_after_turns(sessions: sessionmaker[Session]) -> None:
    """On PostgreSQL, clear the deleted lines' dead index entries before conversations go.

    Each deleted conversation's ON DELETE CASCADE looks its lines up by conversation id; with
    millions of lines just deleted, every lookup wades through their dead entries. At 100,000
    tickets a VACUUM here (2.5 s) took the conversations' share from 13.7 s to 5.6 s. It takes
    no lock that writers wait for, and SKIP_LOCKED passes if autovacuum is already at it.
    """
    engine = engine_of(sessions)
    if engine.dialect.name != "postgresql":
        return
    with storage_errors(engine), engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM needs its own
        connection.exec_driver_sql(f"VACUUM (SKIP_LOCKED) {ConversationTurn.__tablename__}")


def _delete_stale(
    sessions: sessionmaker[Session],
    model: type[Any],
    moment: InstrumentedAttribute[Any],
    before: datetime,
    batch: int,
) -> int:
    """Delete rows whose `moment` is before `before`: by rowid ranges on SQLite, else by time."""
    if engine_of(sessions).dialect.name == "sqlite":
        # These tables' keys are strings; the rowid under them is the order they were written.
        # At 100,000 tickets this about halved the conversations' and claims' share of a purge
        # (29 s by time ranges, 13-15 s by rowid ranges, on a busy machine).
        rowid: ColumnElement[int] = literal_column("rowid")
        return _delete_by_id_ranges(sessions, model, rowid, moment < before, batch)
    return _delete_in_batches(sessions, model, moment, before, batch)


def _delete_by_id_ranges(
    sessions: sessionmaker[Session],
    model: Any,
    key: ColumnElement[int],
    condition: ColumnElement[bool],
    batch: int,
) -> int:
    """Delete matching rows of a table with an integer key, one key range of `batch` at a time.

    Walking the table in key order reads it in the order it was written, where walking a time
    index jumps about the table (chat turns are written conversation by conversation): on
    SQLite that made a purge three times slower. Each range is a plain condition on the key.
    """
    with transaction(sessions) as session:
        first, last = session.execute(select(func.min(key), func.max(key)).select_from(model)).one()
    removed = 0
    if first is None:
        return removed
    for start in range(first, last + 1, batch):
        span = [key >= start, key < start + batch, condition]
        with transaction(sessions) as session:
            result = session.execute(
                delete(model).where(*span).execution_options(synchronize_session=False)
            )
            removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


def _delete_in_batches(
    sessions: sessionmaker[Session],
    model: type[Any],
    moment: InstrumentedAttribute[Any],
    before: datetime,
    batch: int,
) -> int:
    """Delete rows whose `moment` is before `before`, oldest first, about `batch` at a time.

    Each batch is a plain range on the indexed time column, `lower <= moment < boundary`, where
    the boundary is the time `batch` rows further on: both databases delete it straight from the
    index, and the next batch starts where this one ended, never walking over deleted rows.
    """
    removed = 0
    lower: Any = None
    while True:
        stale = [moment < before] if lower is None else [moment < before, moment >= lower]
        with transaction(sessions) as session:
            boundary = session.scalar(
                select(moment).where(*stale).order_by(moment).offset(batch).limit(1)
            )
            if boundary is None:
                span = stale  # the last batch: everything left before the cut-off
            elif boundary == lower:
                span = [*stale, moment <= boundary]  # a whole batch at one instant: take it
            else:
                span = [*stale, moment < boundary]
            result = session.execute(
                delete(model).where(*span).execution_options(synchronize_session=False)
            )
            removed += int(getattr(result, "rowcount", 0) or 0)
        if boundary is None:
            return removed
        lower = boundary


def _purge_tickets(
    sessions: sessionmaker[Session], cutoffs: Cutoffs, *, actor: str, now: datetime, batch: int
) -> tuple[str, ...]:
    """Delete closed tickets past retention, each leaving a 'purged' event in the audit trail."""
    purged: list[str] = []
    last = 0
    while True:
        query = (
            select(Ticket.id, Ticket.reference)
            .where(_stale_tickets(cutoffs), Ticket.id > last)
            .order_by(Ticket.id)
            .limit(batch)
        )
        with transaction(sessions) as session:
            found = session.execute(query).all()
            for ticket_id, reference in found:
                event = audit_event(None, at=now, actor=actor, action="purged")
                event.ticket_id, event.ticket_reference = ticket_id, reference
                session.add(event)
            if found:
                ids = [ticket_id for ticket_id, _ in found]
                _list_files_to_remove(session, ids, now)
                # Clock pauses, notes, letters and file rows go with the ticket (ON DELETE
                # CASCADE).
                statement: Delete = delete(Ticket).where(Ticket.id.in_(ids))
                session.execute(statement.execution_options(synchronize_session=False))
        purged += [reference or "" for _, reference in found]
        if len(found) < batch:
            return tuple(purged)
        last = found[-1][0]


def _list_files_to_remove(session: Session, ticket_ids: list[int], now: datetime) -> None:
    """Hand the tickets' files on disk to the file sweep, before their rows go with them."""
    files = select(TicketFile.stored_as, literal(now, UTCDateTime)).where(
        TicketFile.ticket_id.in_(ticket_ids)
    )
    session.execute(insert(PurgedFile).from_select(["stored_as", "purged_at"], files))
