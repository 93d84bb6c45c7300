"""What the school sends a requester, and the one-time codes that open the status page.

Kept apart from the ticket tables: these rows are the school's correspondence, written by the
letters outbox and read by the status page; each belongs to one ticket and goes with it on purge.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.tables.base import Base, UTCDateTime


class RequesterLetter(Base):
    """One letter to a requester: queued, then sent once (or failed, for staff to see)."""

    __tablename__ = "requester_letters"
    # One acknowledgement per ticket, whatever retries or workers do; other letters may repeat
    # (a second request for clarification, say).
    __table_args__ = (
        Index(
            "uq_requester_letters_acknowledgement",
            "ticket_id",
            unique=True,
            sqlite_where=text("letter = 'acknowledgement'"),
            postgresql_where=text("letter = 'acknowledgement'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    letter: Mapped[str] = mapped_column(String(32))
    # queued -> sending -> sent | failed; "skipped" for tickets logged before letters existed.
    state: Mapped[str] = mapped_column(String(16), index=True)
    address: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)


class AccessCode(Base):
    """A one-time code emailed to a requester; only its keyed hash is stored."""

    __tablename__ = "access_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TicketFile(Base):
    """A document on a ticket (the response, or ID the requester sent), encrypted on disk."""

    __tablename__ = "ticket_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    # The file's name under the data directory: random, so it says nothing about the ticket.
    stored_as: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(16))  # "staff" or "requester"
    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PurgedFile(Base):
    """A purged ticket's file still on disk, listed by the purge for the file sweep to delete.

    The purge writes these in the transaction that deletes the tickets (whose file rows go with
    them), so the sweep deletes exactly those files instead of listing the whole folder.
    """

    __tablename__ = "purged_files"

    stored_as: Mapped[str] = mapped_column(String(64), primary_key=True)
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RedactionCheck(Base):
    """The dpo's confirmation that the response was checked before it could be sent."""

    __tablename__ = "redaction_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    items: Mapped[str] = mapped_column(Text)  # the checklist's item ids, space-separated
    checked_by: Mapped[str] = mapped_column(String(100))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Delivery(Base):
    """An expiring link to the response's files; only a keyed hash of its token is stored."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(100))
