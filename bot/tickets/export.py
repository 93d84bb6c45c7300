"""The request log the DfE expects a school to keep, read in batches so it streams at any size.

Only the exported columns are selected (never the requester's name, contact or words), each
batch's clock pauses come in one query, and each batch is its own short transaction: a slow
download never holds a lock that staff working tickets would wait on.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from bot.rules.clock import LONDON
from bot.rules.lifecycle import PAUSED_STATUSES, Status, on_time
from bot.rules.restarts import is_late_restart
from bot.storage.engine import transaction
from bot.storage.tables import ClockPauseRecord, Ticket
from bot.tickets.messages import TicketMessages, shipped_messages

EXPORT_COLUMNS = (
    "reference",
    "kind",
    "channel",
    "received",
    "requester_relationship",
    "subject_is_child",
    "due_date",
    "extended",
    "extension_reason",
    "extension_told_on",
    "id_requested_on",
    "id_received_on",
    "id_verified_by",
    "id_not_needed_reason",
    "clock_pauses",
    "assignee",
    "status",
    "outcome",
    "outcome_reason",
    "closed_on",
    "on_time",
)
EXPORT_BATCH = 1000

_SELECTED = (
    Ticket.id,
    Ticket.reference,
    Ticket.kind,
    Ticket.channel,
    Ticket.received_at,
    Ticket.requester_relationship,
    Ticket.subject_is_child,
    Ticket.due_date,
    Ticket.extended,
    Ticket.extension_reason,
    Ticket.extension_told_on,
    Ticket.id_requested_on,
    Ticket.id_received_on,
    Ticket.id_verified_by,
    Ticket.id_not_needed_reason,
    Ticket.assignee,
    Ticket.status,
    Ticket.outcome,
    Ticket.outcome_reason,
    Ticket.closed_at,
)


def export_rows(
    sessions: sessionmaker[Session],
    today: date,
    messages: TicketMessages,
    *,
    batch: int = EXPORT_BATCH,
) -> Iterator[dict[str, str]]:
    """Yield the request log (EXPORT_COLUMNS), oldest received first, one batch read at a time."""
    after: tuple[Any, int] | None = None
    while True:
        query = select(*_SELECTED).order_by(Ticket.received_at, Ticket.id).limit(batch)
        if after is not None:
            # Keyset paging on the (received_at, id) index: the next batch starts after the
            # last row, however many came before.
            query = query.where(tuple_(Ticket.received_at, Ticket.id) > tuple_(*after))
        with transaction(sessions) as session:
            rows = session.execute(query).all()
            pauses = _pauses_of(session, [row.id for row in rows])
        for row in rows:
            yield _export_row(row, pauses.get(row.id, ()), today, messages)
        if len(rows) < batch:
            return
        after = (rows[-1].received_at, rows[-1].id)


def _pauses_of(session: Session, ids: Sequence[int]) -> dict[int, list[ClockPauseRecord]]:
    found: dict[int, list[ClockPauseRecord]] = defaultdict(list)
    if not ids:
        return found
    query = (
        select(ClockPauseRecord)
        .where(ClockPauseRecord.ticket_id.in_(ids))
        .order_by(ClockPauseRecord.started, ClockPauseRecord.id)
    )
    for pause in session.scalars(query):
        found[pause.ticket_id].append(pause)
    return found


def ticket_export_row(
    ticket: Ticket, today: date, messages: TicketMessages | None = None
) -> dict[str, str]:
    """One ticket's row of the request log, its pauses loaded with it."""
    return _export_row(ticket, ticket.pauses, today, messages or shipped_messages())


def _export_row(
    row: Row[*tuple[Any, ...]] | Ticket,
    pauses: Sequence[ClockPauseRecord],
    today: date,
    messages: TicketMessages,
) -> dict[str, str]:
    late = [p for p in pauses if is_late_restart(p.reason, p.started, row.due_date)]
    waiting_late = any(p.ended is None for p in late)
    stopped = row.status in PAUSED_STATUSES and not waiting_late
    closed = row.status is Status.CLOSED
    closed_on = row.closed_at.astimezone(LONDON).date() if row.closed_at else None
    verdict = on_time(
        closed_on, row.due_date, overdue=not closed and not stopped and row.due_date < today
    )
    values = {
        "reference": row.reference or "",
        "kind": row.kind.value,
        "channel": row.channel.value,
        "received": row.received_at.astimezone(LONDON).isoformat(timespec="minutes"),
        "requester_relationship": row.requester_relationship.value,
        "subject_is_child": _yes_no(row.subject_is_child),
        "due_date": row.due_date.isoformat(),
        "extended": _yes_no(row.extended),
        "extension_reason": _cell(row.extension_reason),
        "extension_told_on": _iso(row.extension_told_on),
        "id_requested_on": _iso(row.id_requested_on),
        "id_received_on": _iso(row.id_received_on),
        "id_verified_by": _cell(row.id_verified_by),
        "id_not_needed_reason": _cell(row.id_not_needed_reason),
        "clock_pauses": "; ".join(_pause_cell(p, p in late, messages) for p in pauses),
        "assignee": _cell(row.assignee),
        "status": row.status.value,
        "outcome": row.outcome.value if row.outcome else "",
        "outcome_reason": _cell(row.outcome_reason),
        "closed_on": _iso(closed_on),
        "on_time": "" if verdict is None else _yes_no(verdict),
    }
    return {column: values[column] for column in EXPORT_COLUMNS}


def _pause_cell(pause: ClockPauseRecord, late: bool, messages: TicketMessages) -> str:
    text = f"{pause.reason} {pause.started} to {pause.ended or 'now'}"
    return f"{text} ({messages.late_restart_in_log})" if late else text


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _cell(text: str | None) -> str:
    # A spreadsheet runs a cell starting with = + - or @ as a formula; staff-typed text must not.
    value = (text or "").replace("\r\n", " ").replace("\n", " ")
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def csv_chunks(rows: Iterable[dict[str, str]], *, lines: int = 500) -> Iterator[str]:
    """Yield the request log as CSV text, header first, a few hundred lines at a time."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % lines == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
