"""The request log the DfE expects a school to keep, read in batches so it streams at any size.

Only the exported columns are selected (never the requester's name, contact or words), each
batch's clock pauses come in one query, and each batch is its own short transaction: a slow
download never holds a lock that staff working tickets would wait on.
"""

from __future__ import annotations

import csv
import io
import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from enum import Enum
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, String, select, tuple_, type_coerce
from sqlalchemy.orm import Session, sessionmaker

from bot.rules.clock import LONDON
from bot.rules.deadlines import PauseReason
from bot.rules.lifecycle import PAUSED_STATUSES, Status, on_time
from bot.rules.restarts import is_late_restart
from bot.storage.engine import transaction
from bot.storage.tables import ClockPauseRecord, Ticket
from bot.storage.tables.base import EnumText
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

_COLUMNS = (
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
# Coded columns come back as the stored codes, which is what the log prints: making an enum
# member of each of a trust's half a million codes and reading its value back cost seconds.
_SELECTED: tuple[ColumnElement[Any], ...] = tuple(
    type_coerce(column, String).label(column.key)
    if isinstance(column.type, EnumText)
    else column.expression
    for column in _COLUMNS
)
_ORDER = (Ticket.received_at, Ticket.id)
_PAUSED = frozenset(status.value for status in PAUSED_STATUSES)
_CLOSED = Status.CLOSED.value


def export_rows(
    sessions: sessionmaker[Session],
    today: date,
    messages: TicketMessages,
    *,
    batch: int = EXPORT_BATCH,
) -> Iterator[dict[str, str]]:
    """Yield the request log (EXPORT_COLUMNS), oldest received first, one batch read at a time."""
    after: list[ColumnElement[bool]] = []
    while True:
        query = select(*_SELECTED).where(*after).order_by(*_ORDER).limit(batch)
        with transaction(sessions) as session:
            # Through the connection: plain rows, without the ORM's work on each of them.
            rows = session.connection().execute(query).all()
            if not rows:
                return
            # The batch's span of the (received_at, id) index, for its clock pauses: a range of
            # four values, where a list of a thousand ids cost the driver seconds to parse.
            last = tuple_(*_ORDER) <= tuple_(rows[-1][4], rows[-1][0])  # received_at, id
            pauses = _pauses_of(session, [*after, last])
        for row in rows:
            yield _export_row(row, pauses.get(row[0], ()), today, messages)
        if len(rows) < batch:
            return
        # Keyset paging: the next batch starts after the last row, however many came before.
        after = [tuple_(*_ORDER) > tuple_(rows[-1][4], rows[-1][0])]


class _Pause(NamedTuple):
    reason: PauseReason
    started: date
    ended: date | None


def _pauses_of(session: Session, span: list[ColumnElement[bool]]) -> dict[int, list[_Pause]]:
    """The clock pauses of the tickets in `span` (conditions on tickets), by ticket id."""
    found: dict[int, list[_Pause]] = defaultdict(list)
    query = (
        select(
            ClockPauseRecord.ticket_id,
            ClockPauseRecord.reason,
            ClockPauseRecord.started,
            ClockPauseRecord.ended,
        )
        .where(ClockPauseRecord.ticket_id.in_(select(Ticket.id).where(*span)))
        .order_by(ClockPauseRecord.started, ClockPauseRecord.id)
    )
    for ticket_id, reason, started, ended in session.execute(query):
        found[ticket_id].append(_Pause(reason, started, ended))
    return found


def ticket_export_row(
    ticket: Ticket, today: date, messages: TicketMessages | None = None
) -> dict[str, str]:
    """One ticket's row of the request log, its pauses loaded with it."""
    row = tuple(_code(getattr(ticket, column.key)) for column in _COLUMNS)
    pauses = [_Pause(p.reason, p.started, p.ended) for p in ticket.pauses]
    return _export_row(row, pauses, today, messages or shipped_messages())


def _export_row(
    row: Sequence[Any],
    pauses: Sequence[_Pause],
    today: date,
    messages: TicketMessages,
) -> dict[str, str]:
    # Unpacked once: at a hundred thousand rows, reading each field by name cost seconds.
    (
        _,
        reference,
        kind,
        channel,
        received_at,
        relationship,
        child,
        due_date,
        extended,
        extension_reason,
        extension_told_on,
        id_requested_on,
        id_received_on,
        id_verified_by,
        id_not_needed_reason,
        assignee,
        status,
        outcome,
        outcome_reason,
        closed_at,
    ) = row
    late = [p for p in pauses if is_late_restart(p.reason, p.started, due_date)]
    waiting_late = any(p.ended is None for p in late)
    stopped = status in _PAUSED and not waiting_late
    closed = status == _CLOSED
    closed_on = closed_at.astimezone(LONDON).date() if closed_at else None
    verdict = on_time(closed_on, due_date, overdue=not closed and not stopped and due_date < today)
    # Built in EXPORT_COLUMNS order: the CSV writers take the values as they come.
    return {
        "reference": reference or "",
        "kind": kind,
        "channel": channel,
        "received": received_at.astimezone(LONDON).isoformat(timespec="minutes"),
        "requester_relationship": relationship,
        "subject_is_child": "yes" if child else "no",
        "due_date": due_date.isoformat(),
        "extended": "yes" if extended else "no",
        "extension_reason": _cell(extension_reason),
        "extension_told_on": _iso(extension_told_on),
        "id_requested_on": _iso(id_requested_on),
        "id_received_on": _iso(id_received_on),
        "id_verified_by": _cell(id_verified_by),
        "id_not_needed_reason": _cell(id_not_needed_reason),
        "clock_pauses": "; ".join(_pause_cell(p, p in late, messages) for p in pauses),
        "assignee": _cell(assignee),
        "status": status,
        "outcome": outcome or "",
        "outcome_reason": _cell(outcome_reason),
        "closed_on": _iso(closed_on),
        "on_time": "" if verdict is None else "yes" if verdict else "no",
    }


def _code(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _pause_cell(pause: _Pause, late: bool, messages: TicketMessages) -> str:
    text = f"{pause.reason} {pause.started} to {pause.ended or 'now'}"
    return f"{text} ({messages.late_restart_in_log})" if late else text


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _cell(text: str | None) -> str:
    if not text:
        return ""
    # A spreadsheet runs a cell starting with = + - or @ as a formula; staff-typed text must not.
    value = text.replace("\r\n", " ").replace("\n", " ")
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def csv_chunks(rows: Iterable[dict[str, str]], *, lines: int = 500) -> Iterator[str]:
    """Yield the request log as CSV text, header first, a few hundred lines at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    # A plain writer fed the values in column order: DictWriter's checks on every row were
    # a third of the time of a large log.
    values = operator.itemgetter(*EXPORT_COLUMNS)
    for count, row in enumerate(rows, start=1):
        writer.writerow(values(row))
        if count % lines == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
