"""Conversation state and transcripts in the database, so any worker can take the next message.

Every message costs two short transactions: one to claim it and read the state, one to write the
state and both sides of the exchange. They are plain SQL statements rather than ORM work because
they sit on the path of every chat message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Insert, Table, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from bot.db import transaction
from bot.models import ConversationRecord, ConversationTurn, ProcessedMessage
from bot.types import Choice, MatchInfo, Message, Reply

State = dict[str, Any]

_CONVERSATIONS: Table = ConversationRecord.__table__  # type: ignore[assignment]
_TURNS: Table = ConversationTurn.__table__  # type: ignore[assignment]
_PROCESSED: Table = ProcessedMessage.__table__  # type: ignore[assignment]


class ConversationStore:
    """Reads and writes one conversation's state; claims each platform message id once."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._now = now

    def _insert(self, session: Session, table: Table) -> Any:
        # Both databases can skip or update a conflicting row in the same statement, which keeps
        # a duplicate from aborting the transaction around it.
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            return postgresql.insert(table)
        if dialect == "sqlite":
            return sqlite.insert(table)
        return insert(table)

    def open(self, message: Message) -> tuple[State, Reply | None]:
        """Claim the message and read the state; if it was handled before, the reply it got."""
        with transaction(self._sessions) as session:
            if message.source_id is not None:
                claim: Insert = self._insert(session, _PROCESSED).values(
                    source_id=message.source_id,
                    conversation_id=message.conversation_id,
                    created_at=self._now(),
                )
                # RETURNING, because drivers differ on rowcount for a skipped conflict.
                claimed = session.scalar(
                    claim.on_conflict_do_nothing().returning(_PROCESSED.c.source_id)  # type: ignore[attr-defined]
                )
                if claimed is None:
                    stored = session.scalar(
                        select(_PROCESSED.c.reply).where(
                            _PROCESSED.c.source_id == message.source_id
                        )
                    )
                    # Still being handled by another worker: answer nothing twice.
                    return {}, decode_reply(stored) if stored else Reply("", duplicate=True)
            raw = session.scalar(
                select(_CONVERSATIONS.c.state).where(_CONVERSATIONS.c.id == message.conversation_id)
            )
        return (dict(json.loads(raw)) if raw else {}), None

    def load(self, conversation_id: str) -> State:
        with transaction(self._sessions) as session:
            raw = session.scalar(
                select(_CONVERSATIONS.c.state).where(_CONVERSATIONS.c.id == conversation_id)
            )
        return dict(json.loads(raw)) if raw else {}

    def save(self, message: Message, state: State, reply: Reply) -> None:
        """Store the new state and both sides of the exchange, in one transaction."""
        now = self._now()
        encoded = json.dumps(state)
        with transaction(self._sessions) as session:
            upsert = self._insert(session, _CONVERSATIONS).values(
                id=message.conversation_id,
                channel=message.channel.value,
                audience=message.audience.value,
                state=encoded,
                created_at=now,
                updated_at=now,
            )
            session.execute(
                upsert.on_conflict_do_update(
                    index_elements=[_CONVERSATIONS.c.id],
                    set_={"state": encoded, "updated_at": now},
                )
            )
            session.execute(
                insert(_TURNS),
                [
                    {
                        "conversation_id": message.conversation_id,
                        "at": message.received_at,
                        "role": "person",
                        "text": message.text,
                    },
                    {
                        "conversation_id": message.conversation_id,
                        "at": now,
                        "role": "bot",
                        "text": reply.text,
                    },
                ],
            )
            if message.source_id is not None:
                session.execute(
                    update(_PROCESSED)
                    .where(_PROCESSED.c.source_id == message.source_id)
                    .values(reply=encode_reply(reply))
                )

    def transcript(self, conversation_id: str) -> list[tuple[str, str]]:
        """(role, text) pairs in order: what a person handed the conversation over would read."""
        with transaction(self._sessions) as session:
            rows = session.execute(
                select(_TURNS.c.role, _TURNS.c.text)
                .where(_TURNS.c.conversation_id == conversation_id)
                .order_by(_TURNS.c.at, _TURNS.c.id)
            )
            return [(role, text) for role, text in rows]


def encode_reply(reply: Reply) -> str:
    return json.dumps(asdict(reply))


def decode_reply(data: str) -> Reply:
    raw = json.loads(data)
    match = MatchInfo(**raw["match"]) if raw.get("match") else None
    return Reply(
        text=raw["text"],
        choices=tuple(Choice(**c) for c in raw.get("choices", ())),
        match=match,
        ticket_reference=raw.get("ticket_reference"),
        duplicate=True,
    )
