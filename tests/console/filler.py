"""Fill a database with many plausible tickets and their audit events, fast (bulk inserts).

The request service logs one ticket per transaction, which is right for a school office and far
too slow to build a trust's hundred thousand tickets for a benchmark or a query-plan test.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session, sessionmaker

from bot.rules.clock import LONDON
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import REFERENCE_PREFIXES, Outcome, Relationship, RequestChannel, Status
from bot.storage.tables import AuditEvent, Ticket

FIRST_NAMES = ("Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Maisie", "Arjun", "Zara")
LAST_NAMES = ("Smith", "Jones", "Patel", "Khan", "Brown", "Taylor", "Okafor", "Nowak", "Evans")
STAFF = ("office@school.example", "dpo@school.example", "head@school.example", None)
_BATCH = 2000


def _ticket(number: int, today: date, rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(list(TicketKind))
    received_on = today - timedelta(days=rng.randint(0, 5 * 365))
    received = datetime.combine(received_on, time(9 + number % 8, number % 60), LONDON)
    due = received_on + timedelta(days=31)
    closed = received_on < today - timedelta(days=60) or rng.random() < 0.3
    status = Status.CLOSED if closed else rng.choice([Status.OPEN, Status.IN_PROGRESS])
    child = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {
        "id": number,
        "reference": f"{REFERENCE_PREFIXES[kind]}-{received.year}-{number:04d}",
        "kind": kind,
        "channel": rng.choice(list(RequestChannel)),
        "received_at": received,
        "logged_at": received,
        "logged_by": "office@school.example",
        "requester_name": f"{rng.choice(FIRST_NAMES)} {child[1]}",
        "requester_contact": f"parent{number}@example.org",
        "requester_relationship": Relationship.PARENT,
        "subject_name": f"{child[0]} {child[1]}",
        "subject_is_child": True,
        "request_text": f"Please send me everything you hold on {child[0]}, request {number}",
        "status": status,
        "assignee": rng.choice(STAFF),
        "due_date": due,
        "extended": False,
        "outcome": Outcome.COMPLIED if closed else None,
        "closed_at": received + timedelta(days=rng.randint(5, 40)) if closed else None,
    }


def _events(ticket: dict[str, Any]) -> list[dict[str, Any]]:
    at = ticket["received_at"]
    base = {"ticket_id": ticket["id"], "ticket_reference": ticket["reference"]}
    rows = [
        {**base, "at": at, "actor": "office@school.example", "action": "logged", "field": "status"},
        {**base, "at": at + timedelta(hours=1), "actor": "dpo@school.example", "action": "viewed"},
    ]
    if ticket["closed_at"] is not None:
        rows.append(
            {
                **base,
                "at": ticket["closed_at"],
                "actor": "dpo@school.example",
                "action": "closed",
                "field": "status",
            }
        )
    return rows


def fill(sessions: sessionmaker[Session], count: int, today: date, seed: int = 16) -> None:
    """Insert `count` tickets (ids 1..count) received over five years, with audit events."""
    rng = random.Random(seed)
    for start in range(1, count + 1, _BATCH):
        tickets = [_ticket(n, today, rng) for n in range(start, min(start + _BATCH, count + 1))]
        events = [event for ticket in tickets for event in _events(ticket)]
        with sessions.begin() as session:
            session.execute(insert(Ticket), tickets)
            session.execute(insert(AuditEvent), events)


def after_fill(sessions: sessionmaker[Session]) -> None:
    """Move PostgreSQL's id sequences past the inserted ids, and refresh the planner's figures."""
    with sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            for table in ("tickets", "audit_events"):
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    with sessions.begin() as session:
        session.execute(text("ANALYZE"))
