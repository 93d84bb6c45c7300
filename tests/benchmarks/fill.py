"""Fill a database with N tickets as a trust would have them, through the project's own schema.

    .venv/bin/python tests/benchmarks/fill.py N --database-url URL

Each ticket gets the audit events its life would have written (logged, assigned, paused and
resumed for about a third, closed for most), clock pauses and notes; each ticket stands for six
chat conversations of ten turns with a processed-message claim each, as the web chat writes them.
Dates spread over seven years, so some closed tickets and most transcripts are past retention.
Rows go in by bulk INSERTs on the migrated tables (the service would take hours for 100,000).
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, text

from bot.rules.deadlines import PauseReason, TicketKind, one_month_from
from bot.rules.lifecycle import (
    NoteVisibility,
    Outcome,
    Relationship,
    RequestChannel,
    Status,
    make_reference,
)
from bot.storage.engine import ensure_schema, make_engine
from bot.storage.tables import (
    AuditEvent,
    ClockPauseRecord,
    ConversationRecord,
    ConversationTurn,
    ProcessedMessage,
    Ticket,
    TicketNote,
)

CONVERSATIONS_PER_TICKET = 6
TURNS_PER_CONVERSATION = 10
CHUNK = 5_000
KINDS = [TicketKind.SAR] * 6 + [TicketKind.ERASURE, TicketKind.RECTIFICATION, TicketKind.OBJECTION]


def fill(engine: Engine, tickets: int, *, now: datetime, seed: int = 20) -> dict[str, int]:
    """Insert `tickets` tickets and their history; return how many rows of each went in."""
    ensure_schema(engine)
    rng = random.Random(seed)
    counts = {"tickets": 0, "audit_events": 0, "pauses": 0, "notes": 0}
    for first in range(1, tickets + 1, CHUNK):
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in counts}
        for number in range(first, min(first + CHUNK, tickets + 1)):
            _ticket(rng, number, now, rows)
        with engine.begin() as connection:
            for model, name in (
                (Ticket, "tickets"),
                (AuditEvent, "audit_events"),
                (ClockPauseRecord, "pauses"),
                (TicketNote, "notes"),
            ):
                if rows[name]:
                    connection.execute(insert(model), rows[name])
                counts[name] += len(rows[name])
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:  # explicit ids: move the sequence past them
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('tickets', 'id'), max(id)) FROM tickets")
            )
    counts.update(_transcripts(engine, rng, tickets * CONVERSATIONS_PER_TICKET, now))
    return counts


def _ticket(rng: random.Random, number: int, now: datetime, rows: dict[str, list[Any]]) -> None:
    kind = rng.choice(KINDS)
    received = now - timedelta(days=rng.uniform(0, 7 * 365), hours=rng.uniform(0, 8))
    day = received.date()
    due = one_month_from(day)
    reference = make_reference(kind, received, number)
    closed = received + timedelta(days=rng.uniform(5, 40)) if rng.random() < 0.85 else None
    if closed is not None and closed > now:
        closed = None
    paused = rng.random() < 0.3
    status = Status.CLOSED if closed else Status.AWAITING_ID if paused else Status.IN_PROGRESS
    rows["tickets"].append(
        {
            "id": number,
            "reference": reference,
            "kind": kind,
            "channel": rng.choice(list(RequestChannel)),
            "received_at": received,
            "logged_at": received,
            "logged_by": "office@school.example",
            "requester_name": f"Requester {number}",
            "requester_contact": f"parent{number}@example.org",
            "requester_relationship": rng.choice(list(Relationship)),
            "subject_name": f"Pupil {number}",
            "subject_is_child": True,
            "request_text": "Please send me a copy of everything you hold on my child.",
            "status": status,
            "assignee": "Dana Price",
            "due_date": due,
            "extended": False,
            "id_requested_on": day + timedelta(days=2) if paused else None,
            "id_received_on": day + timedelta(days=6) if paused and closed else None,
            "outcome": rng.choice(list(Outcome)[:2]) if closed else None,
            "outcome_reason": None,
            "closed_at": closed,
        }
    )
    _history(rows, number, reference, received, status, paused=paused, closed=closed is not None)
    rows["notes"].append(
        {
            "ticket_id": number,
            "at": received,
            "author": "Dana Price",
            "text": "Rang the parent to confirm what they need.",
            "visibility": NoteVisibility.INTERNAL,
        }
    )


def _history(
    rows: dict[str, list[Any]],
    number: int,
    reference: str,
    received: datetime,
    status: Status,
    *,
    paused: bool,
    closed: bool,
) -> None:
    """The audit events and the clock pause such a ticket's life would have written."""
    day = received.date()
    events = ["logged"] * 5 + ["viewed", "assigned", "assigned"]
    if paused:
        events += ["paused", "paused", "paused"] + (["resumed"] * 3 if closed else [])
        rows["pauses"].append(
            {
                "ticket_id": number,
                "reason": PauseReason.AWAITING_ID,
                "started": day + timedelta(days=2),
                "ended": day + timedelta(days=6) if closed else None,
                "by": "Dana Price",
            }
        )
    if closed:
        events += ["closed"] * 4
    for action in events:
        rows["audit_events"].append(
            {
                "ticket_id": number,
                "ticket_reference": reference,
                "at": received,
                "actor": "Dana Price",
                "action": action,
                "field": "status",
                "old_value": None,
                "new_value": status.value,
            }
        )


def _transcripts(
    engine: Engine, rng: random.Random, conversations: int, now: datetime
) -> dict[str, int]:
    counts = {"conversations": 0, "turns": 0, "processed_messages": 0}
    for first in range(0, conversations, CHUNK):
        batch = range(first, min(first + CHUNK, conversations))
        records, turns, claims = [], [], []
        for number in batch:
            # Four months of chat: about three quarters is past a 30-day retention period.
            started = now - timedelta(days=rng.uniform(0, 120))
            conversation_id = f"web-{number:09d}"
            records.append(
                {
                    "id": conversation_id,
                    "channel": "web",
                    "audience": "public",
                    "state": "{}",
                    "created_at": started,
                    "updated_at": started + timedelta(minutes=TURNS_PER_CONVERSATION),
                }
            )
            for turn in range(TURNS_PER_CONVERSATION):
                turns.append(
                    {
                        "conversation_id": conversation_id,
                        "at": started + timedelta(minutes=turn),
                        "role": "person" if turn % 2 == 0 else "bot",
                        "text": "how long do you keep my son's data?",
                    }
                )
            claims.append(
                {
                    "source_id": f"web:{conversation_id}",
                    "conversation_id": conversation_id,
                    "created_at": started,
                    "reply": None,
                }
            )
        with engine.begin() as connection:
            connection.execute(insert(ConversationRecord), records)
            connection.execute(insert(ConversationTurn), turns)
            connection.execute(insert(ProcessedMessage), claims)
        counts["conversations"] += len(records)
        counts["turns"] += len(turns)
        counts["processed_messages"] += len(claims)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tickets", type=int)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    engine = make_engine(args.database_url)
    started = time.perf_counter()
    counts = fill(engine, args.tickets, now=datetime.now(UTC))
    engine.dispose()
    print(", ".join(f"{count:,} {name}" for name, count in counts.items()))
    print(f"filled in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
