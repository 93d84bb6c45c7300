"""Hand-offs in the database: which web chats staff have, where, and what staff wrote back.

Platform-neutral: a staff platform (Slack, Teams) keeps its thread here, staff replies become
"staff" turns of the conversation's transcript, and the web chat reads them back from there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.engine import transaction
from bot.storage.tables import ConversationRecord, ConversationTurn, Handoff, ProcessedMessage

OPEN = "open"
CLOSED = "closed"
STAFF = "staff"


class NoConversation(Exception):
    """The conversation to hand off was never saved, so there is nothing to hand over."""


@dataclass(frozen=True)
class HandoffView:
    id: int
    conversation_id: str
    platform: str
    channel: str
    thread_id: str
    open: bool


@dataclass(frozen=True)
class StaffTurn:
    id: int
    text: str


class HandoffStore:
    """Opens, finds and closes hand-offs, and records staff replies, each in one transaction."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._now = now

    def open(self, conversation_id: str, platform: str, channel: str, thread_id: str) -> int:
        """Record a hand-off posted at `thread_id`; returns its id."""
        with transaction(self._sessions) as session:
            if session.get(ConversationRecord, conversation_id) is None:
                raise NoConversation(conversation_id)
            last_turn = session.scalar(
                select(func.max(ConversationTurn.id)).where(
                    ConversationTurn.conversation_id == conversation_id
                )
            )
            handoff = Handoff(
                conversation_id=conversation_id,
                platform=platform,
                channel=channel,
                thread_id=thread_id,
                status=OPEN,
                opened_at=self._now(),
                last_relayed_turn_id=last_turn or 0,
            )
            session.add(handoff)
            session.flush()
            return handoff.id

    def current(self, conversation_id: str, platform: str | None = None) -> HandoffView | None:
        """The conversation's open hand-off (on `platform`, if given)."""
        query = select(Handoff).where(
            Handoff.conversation_id == conversation_id, Handoff.status == OPEN
        )
        if platform is not None:
            query = query.where(Handoff.platform == platform)
        with transaction(self._sessions) as session:
            row = session.scalar(query.order_by(Handoff.id.desc()).limit(1))
            return None if row is None else _view(row)

    def by_thread(self, platform: str, channel: str, thread_id: str) -> HandoffView | None:
        """The open hand-off whose thread this is, if any."""
        with transaction(self._sessions) as session:
            row = session.scalar(
                select(Handoff).where(
                    Handoff.platform == platform,
                    Handoff.channel == channel,
                    Handoff.thread_id == thread_id,
                    Handoff.status == OPEN,
                )
            )
            return None if row is None else _view(row)

    def close(self, handoff_id: int, notice: str | None = None) -> HandoffView | None:
        """Close it; None if it was already closed (a double click), so callers act once.

        `notice` becomes a staff turn in the same transaction, so the web chat never sees the
        hand-off closed without also seeing why.
        """
        now = self._now()
        with transaction(self._sessions) as session:
            row = session.get(Handoff, handoff_id, with_for_update=True)
            if row is None or row.status != OPEN:
                return None
            row.status = CLOSED
            row.closed_at = now
            if notice:
                session.add(
                    ConversationTurn(
                        conversation_id=row.conversation_id, at=now, role=STAFF, text=notice
                    )
                )
            return _view(row)

    def claim(self, source_id: str, conversation_id: str) -> bool:
        """True the first time `source_id` (a button press, a form) is seen, by any worker."""
        try:
            with transaction(self._sessions) as session:
                session.add(
                    ProcessedMessage(
                        source_id=source_id[:200],
                        conversation_id=conversation_id[:64],
                        created_at=self._now(),
                    )
                )
        except IntegrityError:
            return False
        return True

    def add_staff_turn(self, conversation_id: str, text: str, source_id: str) -> int | None:
        """Add staff's reply to the transcript; None if `source_id` was recorded before."""
        now = self._now()
        try:
            with transaction(self._sessions) as session:
                session.add(
                    ProcessedMessage(
                        source_id=source_id, conversation_id=conversation_id, created_at=now
                    )
                )
                record = session.get(ConversationRecord, conversation_id)
                if record is None:
                    return None
                turn = ConversationTurn(conversation=record, at=now, role=STAFF, text=text)
                session.add(turn)
                # An active hand-off keeps the transcript from being purged as stale.
                record.updated_at = now
                session.flush()
                return turn.id
        except IntegrityError:
            return None

    def staff_turns(self, conversation_id: str, after: int = 0) -> list[StaffTurn]:
        """Staff replies after turn `after`, oldest first."""
        with transaction(self._sessions) as session:
            rows = session.execute(
                select(ConversationTurn.id, ConversationTurn.text)
                .where(
                    ConversationTurn.conversation_id == conversation_id,
                    ConversationTurn.role == STAFF,
                    ConversationTurn.id > after,
                )
                .order_by(ConversationTurn.id)
                .limit(100)
            ).all()
            return [StaffTurn(turn_id, text) for turn_id, text in rows]


def _view(row: Handoff) -> HandoffView:
    return HandoffView(
        id=row.id,
        conversation_id=row.conversation_id,
        platform=row.platform,
        channel=row.channel,
        thread_id=row.thread_id,
        open=row.status == OPEN,
    )
