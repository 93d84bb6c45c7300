"""Tickets: a formal request with its statutory clock pauses and its notes.

Times are stored in UTC and shown in Europe/London; the dates the statutory clock counts (receipt,
pauses, ID, the due date) are London calendar dates. The domain's enums and status rules live in
bot.rules.lifecycle; here they are only column types.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.rules.deadlines import PauseReason, TicketKind
from bot.rules.lifecycle import NoteVisibility, Outcome, Relationship, RequestChannel, Status
from bot.storage.tables.base import Base, EnumText, UTCDateTime


class Ticket(Base):
    """A formal data-protection request and everything done about it."""

    __tablename__ = "tickets"
    # AUTOINCREMENT stops SQLite reusing the id of a purged ticket: the reference is derived from
    # the id, and the purged ticket's reference lives on in the audit trail.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 - SQLAlchemy's own spelling

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Null only inside the transaction that creates the ticket, until its id is known.
    reference: Mapped[str | None] = mapped_column(String(24), unique=True)
    kind: Mapped[TicketKind] = mapped_column(EnumText(TicketKind))
    channel: Mapped[RequestChannel] = mapped_column(EnumText(RequestChannel))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    logged_by: Mapped[str] = mapped_column(String(100))

    requester_name: Mapped[str] = mapped_column(String(200))
    requester_contact: Mapped[str] = mapped_column(String(200))
    requester_relationship: Mapped[Relationship] = mapped_column(EnumText(Relationship))
    subject_name: Mapped[str] = mapped_column(String(200))
    subject_is_child: Mapped[bool] = mapped_column(Boolean)
    request_text: Mapped[str] = mapped_column(Text)

    status: Mapped[Status] = mapped_column(EnumText(Status), index=True)
    assignee: Mapped[str | None] = mapped_column(String(100))
    due_date: Mapped[date] = mapped_column(Date, index=True)

    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    # The day the requester was told of the extension: it must fall within the first month.
    extension_told_on: Mapped[date | None] = mapped_column(Date)

    # Days, because the clock counts days; when staff recorded them is in the audit trail.
    id_requested_on: Mapped[date | None] = mapped_column(Date)
    id_received_on: Mapped[date | None] = mapped_column(Date)
    id_verified_by: Mapped[str | None] = mapped_column(String(100))
    id_not_needed_reason: Mapped[str | None] = mapped_column(Text)

    outcome: Mapped[Outcome | None] = mapped_column(EnumText(Outcome))
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    # The channel's id for what was logged (a chat intake, a platform message): logging the same
    # source twice finds this ticket instead of making another.
    source_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # Not a foreign key: chat transcripts are purged long before the ticket is.
    conversation_id: Mapped[str | None] = mapped_column(String(64))

    pauses: Mapped[list[ClockPauseRecord]] = relationship(
        back_populates="ticket",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(ClockPauseRecord.started, ClockPauseRecord.id)",
    )
    notes: Mapped[list[TicketNote]] = relationship(
        back_populates="ticket",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(TicketNote.at, TicketNote.id)",
    )


class ClockPauseRecord(Base):
    """A statutory pause: waiting for ID, a fee or clarification, from `started` to `ended`."""

    __tablename__ = "clock_pauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    reason: Mapped[PauseReason] = mapped_column(EnumText(PauseReason))
    started: Mapped[date] = mapped_column(Date)
    ended: Mapped[date | None] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(100))

    ticket: Mapped[Ticket] = relationship(back_populates="pauses")


class TicketNote(Base):
    """A note on a ticket: internal, or a record of what was sent to the requester."""

    __tablename__ = "ticket_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    author: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    visibility: Mapped[NoteVisibility] = mapped_column(EnumText(NoteVisibility))

    ticket: Mapped[Ticket] = relationship(back_populates="notes")


# The console's lists, search, log and audit viewer filter and sort on these (issue 16).
Index("ix_tickets_kind", Ticket.kind)
Index("ix_tickets_assignee", Ticket.assignee)
Index("ix_tickets_received_at_id", Ticket.received_at, Ticket.id)
Index("ix_tickets_status_due_date", Ticket.status, Ticket.due_date, Ticket.id)
# The acknowledgement round looks only at tickets logged since its last round (bot.tickets).
Index("ix_tickets_logged_at", Ticket.logged_at)
# Everything the dashboard's months count, so it reads a year of tickets from this index alone
# (at 100,000 tickets on SQLite that query took 81 ms reading the table, 48 ms from the index).
Index(
    "ix_tickets_received_at_figures",
    Ticket.received_at,
    Ticket.kind,
    Ticket.status,
    Ticket.due_date,
    Ticket.closed_at,
)
