"""Slack and Teams bookkeeping: triage posts, feed cursors, hand-off threads and reminders sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.tables.base import Base, UTCDateTime


class ChannelPost(Base):
    """Where a ticket's triage message lives on a platform, so it can be updated in place."""

    __tablename__ = "channel_posts"
    __table_args__ = (UniqueConstraint("platform", "ticket_reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))  # "slack" or "teams"
    ticket_reference: Mapped[str] = mapped_column(String(24), index=True)
    channel: Mapped[str] = mapped_column(String(200))
    message_id: Mapped[str] = mapped_column(String(200))  # Slack ts, Teams activity id
    extra: Mapped[str] = mapped_column(Text, default="{}")  # JSON: e.g. a Teams conversation ref
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChannelCursor(Base):
    """How far a platform's notifier has read the audit trail (every change is an event there)."""

    __tablename__ = "channel_cursors"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Handoff(Base):
    """A web-chat conversation handed to a person on a staff platform, open until staff close it."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(200))
    thread_id: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # "open" or "closed"
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The last transcript turn copied to the platform, so a restart relays nothing twice.
    last_relayed_turn_id: Mapped[int] = mapped_column(Integer, default=0)


class ReminderSent(Base):
    """One reminder for one ticket to one place, recorded so it is never sent twice."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("ticket_reference", "reminder", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_reference: Mapped[str] = mapped_column(String(24))
    reminder: Mapped[str] = mapped_column(String(16))  # "due_soon" or "overdue"
    target: Mapped[str] = mapped_column(String(16))  # "slack", "teams" or "email"
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
