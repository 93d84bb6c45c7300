"""Conversation state and transcripts in the database, so any worker can take the next message."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import storage_errors
from bot.models import ConversationRecord, ConversationTurn, ProcessedMessage
from bot.types import Choice, MatchInfo, Message, Reply

State = dict[str, Any]


class ConversationStore:
    """Reads and writes one conversation's state; claims each platform message id once."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._engine: Engine | None = sessions.kw.get("bind")
        self._now = now

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with storage_errors(self._engine), self._sessions.begin() as session:
            yield session

    def load(self, conversation_id: str) -> State:
        with self._transaction() as session:
            record = session.get(ConversationRecord, conversation_id)
            return dict(json.loads(record.state)) if record else {}

    def save(self, message: Message, state: State, reply: Reply) -> None:
        """Store the new state and both sides of the exchange, in one transaction."""
        now = self._now()
        with self._transaction() as session:
            record = session.get(ConversationRecord, message.conversation_id)
            if record is None:
                record = ConversationRecord(
                    id=message.conversation_id,
                    channel=message.channel.value,
                    audience=message.audience.value,
                    created_at=now,
                )
                session.add(record)
            record.state = json.dumps(state)
            record.updated_at = now
            session.add_all(
                [
                    ConversationTurn(
                        conversation=record,
                        at=message.received_at,
                        role="person",
                        text=message.text,
                    ),
                    ConversationTurn(conversation=record, at=now, role="bot", text=reply.text),
                ]
            )
            if message.source_id is not None:
                claimed = session.get(ProcessedMessage, message.source_id)
                if claimed is not None:
                    claimed.reply = encode_reply(reply)

    def claim(self, message: Message) -> Reply | None:
        """Claim the message's source id; if it was handled before, the reply it got then."""
        if message.source_id is None:
            return None
        try:
            with self._transaction() as session:
                session.add(
                    ProcessedMessage(
                        source_id=message.source_id,
                        conversation_id=message.conversation_id,
                        created_at=self._now(),
                    )
                )
        except IntegrityError:
            with self._transaction() as session:
                stored = session.scalar(
                    select(ProcessedMessage.reply).where(
                        ProcessedMessage.source_id == message.source_id
                    )
                )
            # Still being handled by another worker: answer nothing twice.
            return decode_reply(stored) if stored else Reply("", duplicate=True)
        return None

    def transcript(self, conversation_id: str) -> list[tuple[str, str]]:
        """(role, text) pairs in order: what a person handed the conversation over would read."""
        with self._transaction() as session:
            turns = session.scalars(
                select(ConversationTurn)
                .where(ConversationTurn.conversation_id == conversation_id)
                .order_by(ConversationTurn.at, ConversationTurn.id)
            )
            return [(turn.role, turn.text) for turn in turns]


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
