"""What parents and staff could not get answered, and which answers they found helpful.

Only counts per intent leave the database: never a question's words, never who asked. The
"was this helpful?" table belongs to the web chat; a deployment without it shows nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Boolean, Integer, String, case, cast, column, func, inspect, select, table
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.engine import transaction
from bot.storage.tables import UnansweredQuestion

FEEDBACK_TABLE = "answer_feedback"
_feedback = table(FEEDBACK_TABLE, column("intent", String()), column("helpful", Boolean()))


@dataclass(frozen=True)
class TopicCount:
    intent: str | None  # None: nothing came close
    questions: int


@dataclass(frozen=True)
class Helpfulness:
    intent: str | None
    helpful: int
    not_helpful: int

    @property
    def share(self) -> float:
        total = self.helpful + self.not_helpful
        return self.helpful / total if total else 0.0


@dataclass(frozen=True)
class FeedbackFigures:
    unanswered: tuple[TopicCount, ...]  # most asked first
    helpfulness: tuple[Helpfulness, ...] | None  # None: the chat keeps no feedback here


def feedback_figures(sessions: sessionmaker[Session]) -> FeedbackFigures:
    with transaction(sessions) as session:
        rows = session.execute(
            select(UnansweredQuestion.nearest_intent, func.count())
            .where(UnansweredQuestion.state == "new")
            .group_by(UnansweredQuestion.nearest_intent)
            .order_by(func.count().desc())
        ).all()
        unanswered = tuple(TopicCount(intent, int(n)) for intent, n in rows)
        if not inspect(session.connection()).has_table(FEEDBACK_TABLE):
            return FeedbackFigures(unanswered, None)
        yes = func.sum(cast(case((_feedback.c.helpful, 1), else_=0), Integer))
        votes = session.execute(
            select(_feedback.c.intent, yes, func.count())
            .group_by(_feedback.c.intent)
            .order_by(func.count().desc())
        ).all()
    return FeedbackFigures(
        unanswered,
        tuple(Helpfulness(intent, int(y or 0), int(n) - int(y or 0)) for intent, y, n in votes),
    )
