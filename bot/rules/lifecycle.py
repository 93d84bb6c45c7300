"""The ticket lifecycle: how requests arrive and end, statuses, what each allows, references."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum

from bot.rules.clock import LONDON
from bot.rules.deadlines import MAINTAINED, PauseReason, TicketKind


class RequestChannel(StrEnum):
    """How a request reached the school."""

    WEB_CHAT = "web_chat"
    SLACK = "slack"
    TEAMS = "teams"
    PHONE = "phone"
    LETTER = "letter"
    EMAIL = "email"
    IN_PERSON = "in_person"


class Relationship(StrEnum):
    """Who the requester is to the person the data is about."""

    PARENT = "parent"
    CARER = "carer"
    PUPIL = "pupil"
    STAFF = "staff"
    REPRESENTATIVE = "representative"  # someone acting for them: a solicitor, an advocate
    OTHER = "other"


class Outcome(StrEnum):
    """How a request ended."""

    COMPLIED = "complied"
    PARTLY_COMPLIED = "partly_complied"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    NO_DATA_HELD = "no_data_held"
    NOT_A_REQUEST = "not_a_request"


class NoteVisibility(StrEnum):
    INTERNAL = "internal"
    TO_REQUESTER = "to_requester"


class Status(StrEnum):
    """Where a ticket is in its life; the three awaiting_* statuses are statutory clock pauses."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    AWAITING_ID = "awaiting_id"
    AWAITING_CLARIFICATION = "awaiting_clarification"
    AWAITING_FEE = "awaiting_fee"
    CLOSED = "closed"


class Action(StrEnum):
    """What staff (or a channel) can do to a ticket; the values are the CLI's command names."""

    VIEW = "view"
    NOTE = "note"
    ASSIGN = "assign"
    REQUEST_ID = "request-id"
    ID_RECEIVED = "id-received"
    ID_NOT_NEEDED = "id-not-needed"
    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"
    CLOSE = "close"


PAUSED_STATUS: Mapping[PauseReason, Status] = {
    PauseReason.AWAITING_ID: Status.AWAITING_ID,
    PauseReason.AWAITING_CLARIFICATION: Status.AWAITING_CLARIFICATION,
    PauseReason.AWAITING_FEE: Status.AWAITING_FEE,
}
PAUSED_STATUSES = frozenset(PAUSED_STATUS.values())
RUNNING_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

_WORKING = (
    Action.VIEW,
    Action.NOTE,
    Action.ASSIGN,
    Action.REQUEST_ID,
    Action.ID_NOT_NEEDED,
    Action.PAUSE,
    Action.EXTEND,
    Action.CLOSE,
)
_WAITING = (Action.VIEW, Action.NOTE, Action.ASSIGN, Action.RESUME, Action.EXTEND, Action.CLOSE)

ALLOWED_ACTIONS: Mapping[Status, tuple[Action, ...]] = {
    Status.OPEN: _WORKING,
    Status.IN_PROGRESS: _WORKING,
    # Only an ID pause ends with "ID received"; any pause can be resumed.
    Status.AWAITING_ID: (
        Action.VIEW,
        Action.NOTE,
        Action.ASSIGN,
        Action.ID_RECEIVED,
        Action.RESUME,
        Action.EXTEND,
        Action.CLOSE,
    ),
    Status.AWAITING_CLARIFICATION: _WAITING,
    Status.AWAITING_FEE: _WAITING,
    # A closed ticket is a record: it can be read and annotated, not worked.
    Status.CLOSED: (Action.VIEW, Action.NOTE),
}

# Actions that move the statutory clock. Some kinds have a clock the law never moves.
CLOCK_ACTIONS = frozenset({Action.REQUEST_ID, Action.PAUSE, Action.EXTEND})


class FixedClock(StrEnum):
    """Why a kind's clock cannot be paused, restarted for ID or extended (its message key)."""

    # DPA 2018 s.164A: acknowledge within 30 days, no pause and no extension.
    COMPLAINT = "complaint"
    # The 2005 Regulations, reg. 5: 15 school days, with no ID restart, pause or extension.
    EDUCATIONAL_RECORD = "educational_record"


def fixed_clock(kind: TicketKind, school_type: str) -> FixedClock | None:
    """Return why this kind's clock never moves, or None when ID, pauses and extension apply."""
    if kind is TicketKind.COMPLAINT:
        return FixedClock.COMPLAINT
    # Academies and independent schools answer an educational record as a SAR, on its clock.
    if kind is TicketKind.EDUCATIONAL_RECORD and school_type == MAINTAINED:
        return FixedClock.EDUCATIONAL_RECORD
    return None


def allowed_actions(kind: TicketKind, status: Status, school_type: str) -> tuple[Action, ...]:
    """Return what can be done to a ticket of this kind in this status, in a stable order."""
    actions = ALLOWED_ACTIONS[status]
    if fixed_clock(kind, school_type) is None:
        return actions
    return tuple(action for action in actions if action not in CLOCK_ACTIONS)


def on_time(closed_on: date | None, due: date, *, overdue: bool) -> bool | None:
    """Return whether a request was (or can still be) answered in time; None while that is open."""
    if closed_on is not None:
        return closed_on <= due
    return False if overdue else None


class TicketError(Exception):
    """A request to change a ticket that cannot be carried out; the message says why."""


class ActionNotAllowed(TicketError):
    """The action is not possible in the ticket's current status; `allowed` is what is.

    The rules hold no words: whoever refuses writes the message, in the school's words.
    """

    def __init__(self, message: str, allowed: tuple[Action, ...]) -> None:
        super().__init__(message)
        self.allowed = allowed


class ClockCannotMove(TicketError):
    """The action would move a clock the law fixes for this kind; the message says which law."""


REFERENCE_PREFIXES: Mapping[TicketKind, str] = {
    TicketKind.SAR: "SAR",
    TicketKind.EDUCATIONAL_RECORD: "EDU",
    TicketKind.RECTIFICATION: "RECT",
    TicketKind.ERASURE: "ERAS",
    TicketKind.RESTRICTION: "REST",
    TicketKind.OBJECTION: "OBJ",
    TicketKind.DIRECT_MARKETING: "DM",
    TicketKind.AUTOMATED_DECISION: "ADM",
    TicketKind.COMPLAINT: "COMP",
}


def make_reference(kind: TicketKind, received_at: datetime, number: int) -> str:
    """Return a reference such as SAR-2026-0042: kind, London year of receipt, ticket number."""
    return f"{REFERENCE_PREFIXES[kind]}-{received_at.astimezone(LONDON).year}-{number:04d}"
