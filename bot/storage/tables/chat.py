"""The chat's own rows: conversations and their transcripts, platform messages already answered,
questions the bot could not answer, "was this helpful?" votes and emailed receipts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.storage.tables.base import Base, UTCDateTime


class ConversationRecord(Base):
    """A chat conversation's state (an intake in progress survives restarts and worker hops)."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    audience: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    turns: Mapped[list[ConversationTurn]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(ConversationTurn.at, ConversationTurn.id)",
    )


class ConversationTurn(Base):
    """One line of a chat transcript: what the person or the bot said."""

    __tablename__ = "conversation_turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    # Not indexed: every reader finds turns by conversation, and the purge walks ids; an index on
    # the time made deleting a trust's millions of lines five times slower on SQLite.
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    role: Mapped[str] = mapped_column(String(16))  # "person" or "bot"
    text: Mapped[str] = mapped_column(Text)

    conversation: Mapped[ConversationRecord] = relationship(back_populates="turns")


class ProcessedMessage(Base):
    """A platform message id claimed once, with the reply given, so a retry is answered alike."""

    __tablename__ = "processed_messages"

    source_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reply: Mapped[str | None] = mapped_column(Text)  # JSON


class UnansweredQuestion(Base):
    """A question the bot could not answer well, with personal details redacted before storage.

    Kept as long as chat transcripts; the data protection lead turns each into an example for
    an intent or marks it out of scope.
    """

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    channel: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(20))  # "fallback" or "did_you_mean"
    text: Mapped[str] = mapped_column(Text)  # redacted
    nearest_intent: Mapped[str | None] = mapped_column(String(100), nullable=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    state: Mapped[str] = mapped_column(String(20), index=True)  # new, added, out_of_scope
    resolved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    added_to: Mapped[str | None] = mapped_column(String(100), nullable=True)


class AnswerFeedback(Base):
    """One "Was this helpful?" vote on an answer: the intent only, never who asked or what."""

    __tablename__ = "answer_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intent: Mapped[str | None] = mapped_column(String(64), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text)  # at most 500 characters, checked at the API
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ReceiptEmail(Base):
    """A logged request's receipt emailed to the requester, claimed first so it goes only once."""

    __tablename__ = "receipt_emails"

    ticket_reference: Mapped[str] = mapped_column(String(24), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
