"""Questions the bot could not answer: recorded (redacted) as they happen, read and resolved.

The conversation calls `UnansweredStore.record` for every fallback and every "did you mean"
reply; personal details are taken out before anything is written. The data protection lead
then adds each question to an intent or marks it out of scope; both are audited.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.console.redaction import redact
from bot.console.worded import Worded
from bot.content.matching import Outcome
from bot.rules.clock import LONDON
from bot.storage.engine import StorageUnavailable, transaction
from bot.storage.tables import AuditEvent, UnansweredQuestion
from bot.types import Message, Reply

log = logging.getLogger(__name__)

NEW, ADDED, OUT_OF_SCOPE = "new", "added", "out_of_scope"
MISSES = frozenset({Outcome.FALLBACK.value, Outcome.DID_YOU_MEAN.value})
PAGE_SIZE = 50
_TEXT_LIMIT = 500


class NotWaiting(Worded):
    """The question was already dealt with, or purged."""

    def __init__(self) -> None:
        super().__init__("examples.dealt_with")


@dataclass(frozen=True)
class Unanswered:
    id: int
    at: datetime  # London
    channel: str
    outcome: str
    text: str
    nearest_intent: str | None
    score: float


class UnansweredStore:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        out_of_scope: Callable[[str], bool] = lambda _text: False,
        nearest: Callable[[str], tuple[str | None, float]] = lambda _text: (None, 0.0),
    ) -> None:
        self._sessions = sessions
        self._now = now
        # A question already marked out of scope gets the fallback on purpose: not a miss.
        self._out_of_scope = out_of_scope
        self._nearest = nearest

    def record(self, message: Message, reply: Reply) -> None:
        """Keep a question the bot answered with its fallback or a "did you mean" (a listener)."""
        match = reply.match
        if match is None or match.outcome not in MISSES or self._out_of_scope(message.text):
            return
        intent, score = (match.intent, match.score) if match.intent else self._nearest(message.text)
        row = UnansweredQuestion(
            at=self._now(),
            channel=message.channel.value,
            outcome=match.outcome,
            text=redact(message.text)[:_TEXT_LIMIT],  # before anything is stored
            nearest_intent=intent,
            score=round(score, 1),
            state=NEW,
        )
        try:
            with transaction(self._sessions) as session:
                session.add(row)
        except StorageUnavailable as error:
            # The parent still gets their answer; only the record for the lead is missed.
            log.warning("unanswered question not recorded: %s", error)

    def waiting(self, page: int = 1) -> tuple[list[Unanswered], int, int]:
        """Newest first: one page of questions still waiting, the page shown, the page count."""
        query = select(UnansweredQuestion).where(UnansweredQuestion.state == NEW)
        with transaction(self._sessions) as session:
            total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
            pages = max(1, -(-total // PAGE_SIZE))
            page = min(max(page, 1), pages)
            rows = session.scalars(
                query.order_by(UnansweredQuestion.at.desc(), UnansweredQuestion.id.desc())
                .limit(PAGE_SIZE)
                .offset((page - 1) * PAGE_SIZE)
            )
            return [_view(row) for row in rows], page, pages

    def get(self, question_id: int) -> Unanswered:
        with transaction(self._sessions) as session:
            row = session.get(UnansweredQuestion, question_id)
            if row is None or row.state != NEW:
                raise NotWaiting
            return _view(row)

    def resolve(self, question_id: int, state: str, intent: str | None, *, actor: str) -> None:
        """Mark a question added to `intent`, or out of scope; the staff member is audited."""
        with transaction(self._sessions) as session:
            row = session.get(UnansweredQuestion, question_id, with_for_update=True)
            if row is None or row.state != NEW:
                raise NotWaiting
            row.state, row.added_to = state, intent
            row.resolved_by, row.resolved_at = actor, self._now()
            action = "question_added_to_intent" if state == ADDED else "question_out_of_scope"
            session.add(
                AuditEvent(
                    at=self._now(),
                    actor=actor[:100],
                    action=action,
                    field="intent",
                    new_value=intent,
                )
            )

    def purge(self, days: int, *, dry_run: bool) -> int:
        """Delete questions older than the transcript retention period; return how many."""
        before = self._now() - timedelta(days=days)
        stale = UnansweredQuestion.at < before
        with transaction(self._sessions) as session:
            count = int(session.scalar(select(func.count(UnansweredQuestion.id)).where(stale)) or 0)
            if not dry_run and count:
                session.execute(delete(UnansweredQuestion).where(stale))
        return count


def _view(row: UnansweredQuestion) -> Unanswered:
    return Unanswered(
        row.id,
        row.at.astimezone(LONDON),
        row.channel,
        row.outcome,
        row.text,
        row.nearest_intent,
        row.score,
    )
