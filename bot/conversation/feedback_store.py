"""Votes on the bot's answers ("Was this helpful?") and their one optional comment each."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.engine import transaction
from bot.storage.tables import AnswerFeedback


class FeedbackStore:
    """Keeps each vote with its answer's intent and the time, never who voted."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def vote(self, intent: str | None, helpful: bool) -> int:
        """Record a vote and return its id, for the comment that may follow."""
        with transaction(self._sessions) as session:
            row = AnswerFeedback(intent=intent, helpful=helpful, at=datetime.now(UTC))
            session.add(row)
            session.flush()
            return row.id

    def comment(self, feedback_id: int, text: str) -> bool:
        """Add the comment to the vote; False if the vote already has one."""
        with transaction(self._sessions) as session:
            done = session.execute(
                update(AnswerFeedback)
                .where(AnswerFeedback.id == feedback_id, AnswerFeedback.comment.is_(None))
                .values(comment=text)
            )
            return bool(getattr(done, "rowcount", 0))
