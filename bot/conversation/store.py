"""Conversation state and transcripts in the database, so any worker can take the next message.

Every message costs two short transactions: one to claim it and read the state, one to write the
state and both sides of the exchange.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, Table, bindparam, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.state import ConversationState
from bot.storage.engine import engine_of, storage_errors
from bot.storage.tables import ConversationTurn, ProcessedMessage, UTCDateTime
from bot.types import Choice, MatchInfo, Message, Reply

# Written once as SQL that SQLite (3.35+) and PostgreSQL both speak: these run for every chat
# message, and building them anew each time cost more than running them.
_CLAIM = text(
    "INSERT INTO processed_messages (source_id, conversation_id, created_at)"
    " VALUES (:source_id, :conversation_id, :created_at)"
    " ON CONFLICT DO NOTHING RETURNING source_id"
).bindparams(bindparam("created_at", type_=UTCDateTime()))
_STORED_REPLY = text("SELECT reply FROM processed_messages WHERE source_id = :source_id")
# A claim with no reply long after it was made belongs to a worker that died mid-message (kill -9,
# a crash): the next retry takes it over, and the UPDATE lets exactly one retry do so.
_TAKE_OVER_STALE = text(
    "UPDATE processed_messages SET created_at = :now"
    " WHERE source_id = :source_id AND reply IS NULL AND created_at < :stale_before"
    " RETURNING source_id"
).bindparams(bindparam("now", type_=UTCDateTime()), bindparam("stale_before", type_=UTCDateTime()))
# Far longer than any message takes to handle, even queued behind a busy database.
STALE_CLAIM = timedelta(minutes=2)
_STATE = text("SELECT state FROM conversations WHERE id = :id")
_SAVE_STATE = text(
    "INSERT INTO conversations (id, channel, audience, state, created_at, updated_at)"
    " VALUES (:id, :channel, :audience, :state, :now, :now)"
    " ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at"
).bindparams(bindparam("now", type_=UTCDateTime()))
_ADD_TURN = text(
    "INSERT INTO conversation_turns (conversation_id, at, role, text)"
    " VALUES (:conversation_id, :at, :role, :text)"
).bindparams(bindparam("at", type_=UTCDateTime()))
_KEEP_REPLY = text("UPDATE processed_messages SET reply = :reply WHERE source_id = :source_id")
log = logging.getLogger(__name__)
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
        # The hot path talks to the engine directly: a Connection costs far less per statement
        # than an ORM Session, and these statements need nothing from the ORM.
        self._engine: Engine = engine_of(sessions)
        self._now = now

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        with storage_errors(self._engine), self._engine.begin() as connection:
            yield connection

    def open(self, message: Message) -> tuple[ConversationState, Reply | None]:
        """Claim the message and read the state; if it was handled before, the reply it got."""
        with self._connection() as connection:
            if message.source_id is not None:
                # RETURNING, because drivers differ on rowcount for a skipped conflict.
                claimed = connection.scalar(
                    _CLAIM,
                    {
                        "source_id": message.source_id,
                        "conversation_id": message.conversation_id,
                        "created_at": self._now(),
                    },
                )
                if claimed is None:
                    stored = connection.scalar(_STORED_REPLY, {"source_id": message.source_id})
                    if stored:
                        return ConversationState(), decode_reply(stored)
                    if not self._take_over_stale(connection, message.source_id):
                        # Still being handled by another worker: answer nothing twice.
                        return ConversationState(), Reply("", duplicate=True)
            raw = connection.scalar(_STATE, {"id": message.conversation_id})
        return read_state(raw, message.conversation_id), None

    def _take_over_stale(self, connection: Connection, source_id: str) -> bool:
        now = self._now()
        taken = connection.scalar(
            _TAKE_OVER_STALE,
            {"source_id": source_id, "now": now, "stale_before": now - STALE_CLAIM},
        )
        return taken is not None

    def save(self, message: Message, state: ConversationState, reply: Reply) -> None:
        """Store the new state and both sides of the exchange, in one transaction."""
        now = self._now()
        with self._connection() as connection:
            connection.execute(
                _SAVE_STATE,
                {
                    "id": message.conversation_id,
                    "channel": message.channel.value,
                    "audience": message.audience.value,
                    "state": json.dumps(state.to_json()),
                    "now": now,
                },
            )
            connection.execute(
                _ADD_TURN,
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
                connection.execute(
                    _KEEP_REPLY, {"source_id": message.source_id, "reply": encode_reply(reply)}
                )

    def transcript(self, conversation_id: str) -> list[tuple[str, str]]:
        """(role, text) pairs in order: what a person handed the conversation over would read."""
        with self._connection() as connection:
            rows = connection.execute(
                select(_TURNS.c.role, _TURNS.c.text)
                .where(_TURNS.c.conversation_id == conversation_id)
                .order_by(_TURNS.c.at, _TURNS.c.id)
            )
            return [(role, text) for role, text in rows]

    def history(self, conversation_id: str) -> tuple[list[tuple[int, str, str]], list[Reply]]:
        """(id, role, text) for every turn in order, and the replies kept as they were shown
        (buttons, match), oldest first, for a reloaded chat page to draw again."""
        with self._connection() as connection:
            turns = connection.execute(
                select(_TURNS.c.id, _TURNS.c.role, _TURNS.c.text)
                .where(_TURNS.c.conversation_id == conversation_id)
                .order_by(_TURNS.c.at, _TURNS.c.id)
            ).all()
            kept = connection.scalars(
                select(_PROCESSED.c.reply)
                .where(
                    _PROCESSED.c.conversation_id == conversation_id,
                    _PROCESSED.c.reply.is_not(None),
                )
                .order_by(_PROCESSED.c.created_at)
            ).all()
        return [(i, role, text) for i, role, text in turns], [decode_reply(d) for d in kept if d]


def read_state(raw: str | None, conversation_id: str) -> ConversationState:
    """The stored state; a row no version of the bot could have written starts afresh."""
    if not raw:
        return ConversationState()
    try:
        return ConversationState.from_json(json.loads(raw))
    except (KeyError, TypeError, ValueError) as error:
        log.error(
            "conversation %s has unreadable state (%s); starting afresh", conversation_id, error
        )
        return ConversationState()


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
