"""The database tables, one module per part of the product; importing this package defines them all.

Every module imports `Base` from `base`, so `Base.metadata` (what Alembic and the tests use) holds
every table once this package is imported.
"""

from bot.storage.tables.audit import AuditEvent, AuditTrailIsAppendOnly
from bot.storage.tables.base import Base, EnumText, UTCDateTime
from bot.storage.tables.channels import ChannelCursor, ChannelPost, Handoff, ReminderSent
from bot.storage.tables.chat import (
    AnswerFeedback,
    ConversationRecord,
    ConversationTurn,
    ProcessedMessage,
    ReceiptEmail,
    UnansweredQuestion,
)
from bot.storage.tables.requester import (
    AccessCode,
    Delivery,
    PurgedFile,
    RedactionCheck,
    RequesterLetter,
    TicketFile,
)
from bot.storage.tables.staff import StaffLink, StaffSession, StaffUser
from bot.storage.tables.tickets import ClockPauseRecord, Ticket, TicketNote

__all__ = [
    "AccessCode",
    "AnswerFeedback",
    "AuditEvent",
    "AuditTrailIsAppendOnly",
    "Base",
    "ChannelCursor",
    "ChannelPost",
    "ClockPauseRecord",
    "ConversationRecord",
    "ConversationTurn",
    "Delivery",
    "EnumText",
    "Handoff",
    "ProcessedMessage",
    "PurgedFile",
    "ReceiptEmail",
    "RedactionCheck",
    "ReminderSent",
    "RequesterLetter",
    "StaffLink",
    "StaffSession",
    "StaffUser",
    "Ticket",
    "TicketFile",
    "TicketNote",
    "UTCDateTime",
    "UnansweredQuestion",
]
