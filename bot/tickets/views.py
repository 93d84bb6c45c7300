"""What the request service takes in and hands back: frozen views, never live database objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.rules.clock import LONDON
from bot.rules.deadlines import ClockPause, PauseReason, TicketKind
from bot.rules.lifecycle import (
    PAUSED_STATUSES,
    NoteVisibility,
    Outcome,
    Relationship,
    RequestChannel,
    Status,
    on_time,
)
from bot.rules.restarts import is_late_restart
from bot.storage.tables import Ticket


@dataclass(frozen=True)
class NewRequest:
    """A request to log, as a channel or a member of staff took it down."""

    kind: TicketKind
    channel: RequestChannel
    received_at: datetime  # when the person first asked: the clock runs from this day
    requester_name: str
    requester_contact: str
    requester_relationship: Relationship
    subject_name: str
    subject_is_child: bool
    request_text: str  # the person's own words
    source_key: str | None = None  # the same key logged twice gives the same ticket
    conversation_id: str | None = None


@dataclass(frozen=True)
class TicketView:
    """A ticket as it stood when read; times in Europe/London."""

    reference: str
    kind: TicketKind
    channel: RequestChannel
    received_at: datetime
    logged_at: datetime
    logged_by: str
    requester_name: str
    requester_contact: str
    requester_relationship: Relationship
    subject_name: str
    subject_is_child: bool
    request_text: str
    status: Status
    assignee: str | None
    due_date: date
    extended: bool
    extension_reason: str | None
    extension_told_on: date | None
    id_requested_on: date | None
    id_received_on: date | None
    id_verified_by: str | None
    id_not_needed_reason: str | None
    outcome: Outcome | None
    outcome_reason: str | None
    closed_at: datetime | None
    source_key: str | None
    conversation_id: str | None
    # Waiting for ID or a fee asked for after the due date: the clock did not stop, so it is late.
    late_restart: bool = False

    @property
    def received_on(self) -> date:
        """Return the day of receipt, the clock's day one."""
        return self.received_at.date()

    @property
    def paused(self) -> bool:
        """Return whether the statutory clock is stopped, waiting on the requester."""
        return self.status in PAUSED_STATUSES and not self.late_restart

    @property
    def closed(self) -> bool:
        return self.status is Status.CLOSED

    def days_left(self, today: date) -> int:
        """Return the days until the due date, negative once overdue."""
        return (self.due_date - today).days

    def is_overdue(self, today: date) -> bool:
        """Return whether the clock is running and the due date has passed."""
        return not self.closed and not self.paused and self.due_date < today

    def on_time(self, today: date) -> bool | None:
        """Return whether it was (or still can be) answered in time; None while that is open."""
        closed_on = self.closed_at.date() if self.closed_at is not None else None
        return on_time(closed_on, self.due_date, overdue=self.is_overdue(today))


@dataclass(frozen=True)
class PauseView:
    reason: PauseReason
    started: date
    ended: date | None
    by: str


@dataclass(frozen=True)
class NoteView:
    at: datetime
    author: str
    text: str
    visibility: NoteVisibility


@dataclass(frozen=True)
class EventView:
    at: datetime
    actor: str
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None


@dataclass(frozen=True)
class TicketDetail:
    """A ticket with its clock pauses, notes and audit trail, oldest first."""

    ticket: TicketView
    pauses: tuple[PauseView, ...]
    notes: tuple[NoteView, ...]
    events: tuple[EventView, ...]


@dataclass(frozen=True)
class TicketFilter:
    """Which tickets to list; closed tickets only when asked for by status or `include_closed`."""

    status: Status | None = None
    kind: TicketKind | None = None
    overdue: bool = False
    due_within_days: int | None = None
    assignee: str | None = None
    include_closed: bool = False


@dataclass(frozen=True)
class TicketPage:
    """One page of a ticket list, and how many tickets match in all."""

    tickets: tuple[TicketView, ...]
    total: int
    offset: int


def ticket_reference(ticket: Ticket) -> str:
    """Return the ticket's reference (a stand-in inside the transaction that creates it)."""
    return ticket.reference or f"ticket {ticket.id}"


def in_london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def received_on(ticket: Ticket) -> date:
    return ticket.received_at.astimezone(LONDON).date()


def clock_pauses(ticket: Ticket) -> tuple[ClockPause, ...]:
    return tuple(ClockPause(p.reason, p.started, p.ended) for p in ticket.pauses)


def waiting_too_late(ticket: Ticket) -> bool:
    """Return whether the ticket waits on an ID or fee request made after its due date."""
    if ticket.status not in PAUSED_STATUSES:
        return False  # no need to load the pauses of a ticket that waits for nothing
    return any(
        p.ended is None and is_late_restart(p.reason, p.started, ticket.due_date)
        for p in ticket.pauses
    )


def ticket_view(ticket: Ticket, late_restart: bool | None = None) -> TicketView:
    """Return the frozen view of a ticket row.

    `late_restart` comes from the list query; without it the pauses of a waiting ticket are read.
    """
    return TicketView(
        reference=ticket_reference(ticket),
        kind=ticket.kind,
        channel=ticket.channel,
        received_at=in_london(ticket.received_at),
        logged_at=in_london(ticket.logged_at),
        logged_by=ticket.logged_by,
        requester_name=ticket.requester_name,
        requester_contact=ticket.requester_contact,
        requester_relationship=ticket.requester_relationship,
        subject_name=ticket.subject_name,
        subject_is_child=ticket.subject_is_child,
        request_text=ticket.request_text,
        status=ticket.status,
        assignee=ticket.assignee,
        due_date=ticket.due_date,
        extended=ticket.extended,
        extension_reason=ticket.extension_reason,
        extension_told_on=ticket.extension_told_on,
        id_requested_on=ticket.id_requested_on,
        id_received_on=ticket.id_received_on,
        id_verified_by=ticket.id_verified_by,
        id_not_needed_reason=ticket.id_not_needed_reason,
        outcome=ticket.outcome,
        outcome_reason=ticket.outcome_reason,
        closed_at=in_london(ticket.closed_at) if ticket.closed_at else None,
        source_key=ticket.source_key,
        conversation_id=ticket.conversation_id,
        late_restart=waiting_too_late(ticket) if late_restart is None else bool(late_restart),
    )
