"""The database tables: tickets with their clock pauses, notes and audit trail, and chat state.

The domain's enums and status rules live in bot.rules.lifecycle; here they are only column types.

Times are stored in UTC and shown in Europe/London; the dates the statutory clock counts (receipt,
pauses, ID, the due date) are London calendar dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    UOWTransaction,
    mapped_column,
    relationship,
)

from bot.rules.deadlines import PauseReason, TicketKind
from bot.rules.lifecycle import NoteVisibility, Outcome, Relationship, RequestChannel, Status

E = TypeVar("E", bound=StrEnum)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored as UTC (SQLite has no time zones, so naive UTC there)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            # A naive time is ambiguous by an hour for half the year; refuse it at the door.
            raise ValueError("times stored in the ticket database must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EnumText(TypeDecorator[E], Generic[E]):
    """A StrEnum stored as its value in a plain string column, so new members need no migration."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int = 32) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


class Base(DeclarativeBase):
    # Named constraints, because SQLite migrations can only drop a constraint they can name.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


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


class AuditEvent(Base):
    """One append-only line of the audit trail: who did what to which ticket, when.

    Audit events outlive the tickets they describe, so they carry no personal data about the
    requester: free text (notes, reasons, the request) stays on the ticket and is purged with it.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Not a foreign key: deleting a ticket must leave its trail untouched, and ticket ids are
    # never reused, so a dangling id cannot point at another ticket.
    ticket_id: Mapped[int | None] = mapped_column(Integer, index=True)
    ticket_reference: Mapped[str | None] = mapped_column(String(24), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class AuditTrailIsAppendOnly(Exception):
    """Code tried to change or delete an audit event."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditTrailIsAppendOnly("audit events cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AuditTrailIsAppendOnly("audit events cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_changes(state: ORMExecuteState) -> None:
    # Bulk UPDATE and DELETE statements bypass the flush; the database triggers catch raw SQL.
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is AuditEvent for mapper in state.all_mappers
    ):
        raise AuditTrailIsAppendOnly("audit events cannot be changed or deleted")


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
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
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


# -- Channels, staff accounts and reminders ---------------------------------------------------


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


class StaffUser(Base):
    """An office console account; the password is stored only as an argon2 hash."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # "office", "dpo" or "admin"
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class StaffSession(Base):
    """A signed-in console session; the cookie holds the token, the database only its hash.

    Deleting the row ends the session at once, whichever copy of the cookie is used next.
    """

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StaffLink(Base):
    """A Slack or Teams user who acts as a console account, with that account's role."""

    __tablename__ = "staff_links"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)  # "slack" or "teams"
    platform_user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    linked_by: Mapped[str] = mapped_column(String(100))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReminderSent(Base):
    """One reminder for one ticket to one place, recorded so it is never sent twice."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("ticket_reference", "reminder", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_reference: Mapped[str] = mapped_column(String(24))
    reminder: Mapped[str] = mapped_column(String(16))  # "due_soon" or "overdue"
    target: Mapped[str] = mapped_column(String(16))  # "slack", "teams" or "email"
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


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


# The console's lists, search, log and audit viewer filter and sort on these (issue 16).
Index("ix_tickets_kind", Ticket.kind)
Index("ix_tickets_assignee", Ticket.assignee)
Index("ix_tickets_received_at_id", Ticket.received_at, Ticket.id)
Index("ix_tickets_status_due_date", Ticket.status, Ticket.due_date, Ticket.id)
Index("ix_audit_events_at", AuditEvent.at)
Index("ix_audit_events_actor", AuditEvent.actor)
Index("ix_audit_events_action", AuditEvent.action)


# -- The web chat's feedback and receipts -------------------------------------------------------


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
