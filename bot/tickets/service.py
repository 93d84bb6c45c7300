"""The request service: the one way anything logs, works or purges data-protection tickets.

Every change runs in one transaction with the audit events that describe it. Results come back
as frozen views, so callers never hold a live database object. The database being unreachable
raises StorageUnavailable; a change the ticket's status or the law does not allow raises a
TicketError whose message can be shown to staff as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, Select, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import ConfigError, Settings
from bot.content.answers import FACTS_FILE, load_facts
from bot.content.intents import ContentError
from bot.rules.deadlines import (
    MAINTAINED,
    CalendarError,
    ClockPause,
    PauseReason,
    SchoolCalendar,
    TicketKind,
    due_date,
)
from bot.storage.engine import ensure_schema, make_engine, session_factory, transaction
from bot.storage.tables import (
    LONDON,
    PAUSED_STATUS,
    PAUSED_STATUSES,
    Action,
    AuditEvent,
    ClockPauseRecord,
    ConversationRecord,
    ConversationTurn,
    NoteVisibility,
    Outcome,
    ProcessedMessage,
    Relationship,
    RequestChannel,
    Status,
    Ticket,
    TicketError,
    TicketNote,
    check_allowed,
    make_reference,
)
from bot.tickets import permissions

log = logging.getLogger(__name__)

SCHOOL_TYPES = ("maintained", "academy", "independent")
# Free text may name people, and audit events outlive the ticket: the trail says that such a
# field changed, and the words stay on the ticket until it is purged.
_FREE_TEXT = frozenset(
    {"extension_reason", "id_not_needed_reason", "outcome_reason", "request_text"}
)
_TEXT_KEPT_ON_TICKET = "[text kept on the ticket]"
# Staff clocks and servers drift; a request "received" a few minutes ahead is not an error.
_CLOCK_SKEW = timedelta(minutes=5)
_WRITTEN_CHANNELS = frozenset(
    {
        RequestChannel.WEB_CHAT,
        RequestChannel.LETTER,
        RequestChannel.EMAIL,
        RequestChannel.SLACK,
        RequestChannel.TEAMS,
    }
)
_LIMITS = {"requester_name": 200, "requester_contact": 200, "subject_name": 200}


class TicketNotFound(TicketError):
    """No ticket has that reference."""


class InvalidChange(TicketError):
    """The change is malformed or the law does not allow it; the message says which."""


class CalendarProblem(TicketError):
    """The school's term dates cannot give a due date (missing, or not covering the date)."""


def london_now() -> datetime:
    """Return the current time in Europe/London."""
    return datetime.now(LONDON)


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

    @property
    def received_on(self) -> date:
        """Return the day of receipt, the clock's day one."""
        return self.received_at.date()

    @property
    def paused(self) -> bool:
        """Return whether the statutory clock is waiting on the requester."""
        return self.status in PAUSED_STATUSES

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
        if self.closed_at is not None:
            return self.closed_at.date() <= self.due_date
        return False if self.is_overdue(today) else None


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
class PurgeReport:
    """What a purge removed, or with `dry_run` would remove."""

    dry_run: bool
    tickets: tuple[str, ...]
    conversations: int
    turns: int
    processed_messages: int


EXPORT_COLUMNS = (
    "reference",
    "kind",
    "channel",
    "received",
    "requester_relationship",
    "subject_is_child",
    "due_date",
    "extended",
    "extension_reason",
    "extension_told_on",
    "id_requested_on",
    "id_received_on",
    "id_verified_by",
    "id_not_needed_reason",
    "clock_pauses",
    "assignee",
    "status",
    "outcome",
    "outcome_reason",
    "closed_on",
    "on_time",
)


class RequestService:
    """Log, read, work, export and purge tickets; every change is audited in its transaction."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        school_type: str = MAINTAINED,
        calendar: SchoolCalendar | None = None,
        now: Callable[[], datetime] = london_now,
    ) -> None:
        self._sessions = sessions
        self._engine: Engine | None = sessions.kw.get("bind")
        self.school_type = school_type
        self.calendar = calendar
        self._now = now

    @classmethod
    def from_settings(
        cls, settings: Settings, *, now: Callable[[], datetime] = london_now
    ) -> RequestService:
        """Open the configured database, apply pending migrations, and load the school's rules."""
        # The school's rules first: a mistake in them should not leave a database half opened.
        school_type = load_school_type(settings.answers_dir / FACTS_FILE)
        calendar = load_calendar(
            settings.resolved_school_calendar_file(),
            required=settings.school_calendar_file is not None,
        )
        engine = make_engine(settings.resolved_database_url())
        try:
            ensure_schema(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(session_factory(engine), school_type=school_type, calendar=calendar, now=now)

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The session factory, for stores that keep their own tables in the same database."""
        return self._sessions

    def dispose(self) -> None:
        """Close the database connections this service holds."""
        if self._engine is not None:
            self._engine.dispose()

    # -- reading --------------------------------------------------------------------------

    def get(self, reference: str, *, actor: str) -> TicketDetail:
        """Return a ticket with its history, recording that `actor` viewed it."""
        with transaction(self._sessions) as session:
            ticket = self._load(session, reference, lock=False)
            check_allowed(_ref(ticket), ticket.status, Action.VIEW)
            self._audit(session, ticket, actor, "viewed")
            session.flush()
            events = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.ticket_id == ticket.id)
                .order_by(AuditEvent.at, AuditEvent.id)
            ).all()
            return TicketDetail(
                ticket=_view(ticket),
                pauses=tuple(PauseView(p.reason, p.started, p.ended, p.by) for p in ticket.pauses),
                notes=tuple(
                    NoteView(_london(n.at), n.author, n.text, n.visibility) for n in ticket.notes
                ),
                events=tuple(
                    EventView(_london(e.at), e.actor, e.action, e.field, e.old_value, e.new_value)
                    for e in events
                ),
            )

    def list_tickets(self, filters: TicketFilter | None = None) -> list[TicketView]:
        """Return matching tickets, soonest due first.

        Not audited as a view: callers show a list without the requester's details.
        """
        filters = filters or TicketFilter()
        today = self._today()
        query = select(Ticket)
        if filters.status is not None:
            query = query.where(Ticket.status == filters.status)
        elif not filters.include_closed:
            query = query.where(Ticket.status != Status.CLOSED)
        if filters.kind is not None:
            query = query.where(Ticket.kind == filters.kind)
        if filters.assignee is not None:
            query = query.where(func.lower(Ticket.assignee) == filters.assignee.strip().lower())
        running = (Status.OPEN, Status.IN_PROGRESS)
        if filters.overdue:
            query = query.where(Ticket.status.in_(running), Ticket.due_date < today)
        if filters.due_within_days is not None:
            last = today + timedelta(days=filters.due_within_days)
            query = query.where(
                Ticket.status.in_(running), Ticket.due_date >= today, Ticket.due_date <= last
            )
        query = query.order_by(Ticket.due_date, Ticket.id)
        with transaction(self._sessions) as session:
            return [_view(ticket) for ticket in session.scalars(query)]

    # -- logging --------------------------------------------------------------------------

    def log(self, request: NewRequest, *, actor: str) -> TicketView:
        """Log a new request and return its ticket (the existing one if its source_key is known)."""
        now = self._now()
        _check_request(request, now)
        try:
            return self._insert(request, actor, now)
        except IntegrityError:
            # Another worker logged the same source between our check and our insert: the
            # unique constraint kept one ticket, and that is the one to return.
            if request.source_key is None:
                raise
            with transaction(self._sessions) as session:
                existing = session.scalar(
                    select(Ticket).where(Ticket.source_key == request.source_key)
                )
                if existing is None:
                    raise
                return _view(existing)

    def _insert(self, request: NewRequest, actor: str, now: datetime) -> TicketView:
        with transaction(self._sessions) as session:
            if request.source_key is not None:
                existing = session.scalar(
                    select(Ticket).where(Ticket.source_key == request.source_key)
                )
                if existing is not None:
                    return _view(existing)
            received_on = request.received_at.astimezone(LONDON).date()
            ticket = Ticket(
                kind=request.kind,
                channel=request.channel,
                received_at=request.received_at,
                logged_at=now,
                logged_by=_actor(actor),
                requester_name=request.requester_name.strip(),
                requester_contact=request.requester_contact.strip(),
                requester_relationship=request.requester_relationship,
                subject_name=request.subject_name.strip(),
                subject_is_child=request.subject_is_child,
                request_text=request.request_text.strip(),
                status=Status.OPEN,
                due_date=self._due(request.kind, received_on, False, (), received_on),
                extended=False,
                source_key=request.source_key,
                conversation_id=request.conversation_id,
            )
            session.add(ticket)
            session.flush()  # the id, from which the reference is made without any race
            ticket.reference = make_reference(request.kind, request.received_at, ticket.id)
            for field in ("kind", "channel", "received_at", "status", "due_date"):
                self._audit(session, ticket, actor, "logged", field, None, getattr(ticket, field))
            log.info("logged %s (%s, %s)", ticket.reference, request.kind, request.channel)
            return _view(ticket)

    # -- working a ticket -----------------------------------------------------------------

    def assign(self, reference: str, assignee: str, *, actor: str) -> TicketView:
        """Give the ticket to `assignee`; an open ticket is then in progress."""
        name = _required(assignee, "the assignee", 100)
        with self._change(reference, Action.ASSIGN) as (session, ticket):
            self._set(session, ticket, actor, "assigned", "assignee", name)
            if ticket.status is Status.OPEN:
                self._set(session, ticket, actor, "assigned", "status", Status.IN_PROGRESS)
            return _view(ticket)

    def add_note(
        self,
        reference: str,
        text: str,
        *,
        actor: str,
        visibility: NoteVisibility = NoteVisibility.INTERNAL,
    ) -> TicketView:
        """Add a note: internal, or a record of what was sent to the requester."""
        body = _required(text, "the note", 20_000)
        with self._change(reference, Action.NOTE) as (session, ticket):
            ticket.notes.append(
                TicketNote(at=self._now(), author=_actor(actor), text=body, visibility=visibility)
            )
            # The note's visibility, never its words: they stay on the ticket.
            self._audit(session, ticket, actor, "note_added", "note", None, visibility)
            return _view(ticket)

    def record_hold(self, reference: str, why: str, *, actor: str) -> TicketView:
        """Note an internal hold (legal advice, staff absence); the statutory clock runs on."""
        text = _required(why, "the reason for the hold", 2_000)
        return self.add_note(
            reference, f"Internal hold, the statutory clock keeps running: {text}", actor=actor
        )

    def request_id(self, reference: str, *, actor: str, on: date | None = None) -> TicketView:
        """Record that ID was asked for on `on` (default today); the clock waits for it."""
        return self.pause(reference, PauseReason.AWAITING_ID, actor=actor, on=on)

    def pause(
        self, reference: str, reason: PauseReason, *, actor: str, on: date | None = None
    ) -> TicketView:
        """Wait for the requester with a statutory reason (ID, fee or clarification)."""
        action = Action.REQUEST_ID if reason is PauseReason.AWAITING_ID else Action.PAUSE
        with self._change(reference, action) as (session, ticket):
            started = self._day(ticket, on, "the pause")
            if any((p.ended or p.started) > started for p in ticket.pauses):
                raise InvalidChange(
                    f"{_ref(ticket)}: an earlier pause ran past {started}; pauses cannot overlap"
                )
            ticket.pauses.append(ClockPauseRecord(reason=reason, started=started, by=_actor(actor)))
            self._audit(session, ticket, actor, "paused", "clock_pause", None, reason)
            if reason is PauseReason.AWAITING_ID:
                self._set(session, ticket, actor, "paused", "id_requested_on", started)
            self._set(session, ticket, actor, "paused", "status", PAUSED_STATUS[reason])
            self._recompute_due(session, ticket, actor, "paused")
            return _view(ticket)

    def id_received(self, reference: str, *, actor: str, on: date | None = None) -> TicketView:
        """Record that the ID arrived on `on` (default today): the month starts again from it."""
        with self._change(reference, Action.ID_RECEIVED) as (session, ticket):
            self._end_pause(session, ticket, actor, on)
            return _view(ticket)

    def resume(self, reference: str, *, actor: str, on: date | None = None) -> TicketView:
        """End the current pause on `on` (default today): what was awaited has arrived."""
        with self._change(reference, Action.RESUME) as (session, ticket):
            self._end_pause(session, ticket, actor, on)
            return _view(ticket)

    def id_not_needed(self, reference: str, reason: str, *, actor: str) -> TicketView:
        """Record why no ID is asked for (the DfE expects the decision to be written down)."""
        why = _required(reason, "the reason ID is not needed", 2_000)
        with self._change(reference, Action.ID_NOT_NEEDED) as (session, ticket):
            if ticket.id_requested_on is not None:
                raise InvalidChange(
                    f"{_ref(ticket)}: ID was asked for on {ticket.id_requested_on}; "
                    "it cannot also be recorded as not needed"
                )
            self._set(session, ticket, actor, "id_not_needed", "id_not_needed_reason", why)
            return _view(ticket)

    def extend(
        self, reference: str, reason: str, *, actor: str, told_on: date | None = None
    ) -> TicketView:
        """Extend to three months from the start, for a complex request or several requests."""
        why = _required(reason, "the reason for the extension", 2_000)
        with self._change(reference, Action.EXTEND) as (session, ticket):
            if ticket.extended:
                raise InvalidChange(f"{_ref(ticket)} is already extended")
            told = self._day(ticket, told_on, "the day the requester was told")
            # The extension only counts if the requester hears of it, with reasons, within the
            # first month (ICO), i.e. by the due date as it stands before extending.
            if told > ticket.due_date:
                raise InvalidChange(
                    f"{_ref(ticket)}: the requester must be told of an extension by "
                    f"{ticket.due_date}, within the first month; {told} is too late"
                )
            try:
                self._due(ticket.kind, _received_on(ticket), True, _pauses(ticket), self._today())
            except ValueError as error:  # the kind cannot be extended; deadlines says why
                raise InvalidChange(f"{_ref(ticket)}: {error}") from error
            self._set(session, ticket, actor, "extended", "extended", True)
            self._set(session, ticket, actor, "extended", "extension_reason", why)
            self._set(session, ticket, actor, "extended", "extension_told_on", told)
            self._recompute_due(session, ticket, actor, "extended")
            return _view(ticket)

    def close(
        self, reference: str, outcome: Outcome, *, actor: str, reason: str | None = None
    ) -> TicketView:
        """Close the ticket with its outcome; a refusal needs its reason."""
        why = reason.strip() if reason and reason.strip() else None
        if outcome is Outcome.REFUSED and why is None:
            raise InvalidChange(
                "a refusal needs its reason (manifestly unfounded or excessive, and why)"
            )
        with self._change(reference, Action.CLOSE) as (session, ticket):
            if ticket.status in PAUSED_STATUSES:
                self._end_pause(session, ticket, actor, None, resume=False)
            self._set(session, ticket, actor, "closed", "outcome", outcome)
            self._set(session, ticket, actor, "closed", "outcome_reason", why)
            self._set(session, ticket, actor, "closed", "closed_at", self._now())
            self._set(session, ticket, actor, "closed", "status", Status.CLOSED)
            return _view(ticket)

    # -- the record and retention -----------------------------------------------------------

    def export_rows(self, *, actor: str) -> list[dict[str, str]]:
        """Return the request log (EXPORT_COLUMNS), oldest first, without requesters' details."""
        today = self._today()
        with transaction(self._sessions) as session:
            tickets = session.scalars(select(Ticket).order_by(Ticket.received_at, Ticket.id))
            rows = [_export_row(ticket, today) for ticket in tickets]
            self._audit(session, None, actor, "exported", None, None, f"{len(rows)} tickets")
        return rows

    def purge(
        self, *, actor: str, transcript_days: int, closed_ticket_days: int, dry_run: bool = False
    ) -> PurgeReport:
        """Delete chat transcripts and closed tickets past retention, keeping a 'purged' event."""
        now = self._now()
        transcripts_before = now - timedelta(days=transcript_days)
        tickets_before = now - timedelta(days=closed_ticket_days)
        stale_conversations = select(ConversationRecord.id).where(
            ConversationRecord.updated_at < transcripts_before
        )
        stale_turns = or_(
            ConversationTurn.at < transcripts_before,
            ConversationTurn.conversation_id.in_(stale_conversations),
        )
        stale_messages = ProcessedMessage.created_at < transcripts_before
        with transaction(self._sessions) as session:
            tickets = session.execute(
                select(Ticket.id, Ticket.reference)
                .where(Ticket.status == Status.CLOSED, Ticket.closed_at < tickets_before)
                .order_by(Ticket.id)
            ).all()
            report = PurgeReport(
                dry_run=dry_run,
                tickets=tuple(reference or "" for _, reference in tickets),
                conversations=_count(session, stale_conversations),
                turns=_count(session, select(ConversationTurn.id).where(stale_turns)),
                processed_messages=_count(
                    session, select(ProcessedMessage.source_id).where(stale_messages)
                ),
            )
            if dry_run:
                return report
            session.execute(delete(ConversationTurn).where(stale_turns))
            session.execute(
                delete(ConversationRecord).where(ConversationRecord.id.in_(stale_conversations))
            )
            session.execute(delete(ProcessedMessage).where(stale_messages))
            for ticket_id, reference in tickets:
                session.add(
                    AuditEvent(
                        ticket_id=ticket_id,
                        ticket_reference=reference,
                        at=now,
                        actor=_actor(actor),
                        action="purged",
                    )
                )
            if tickets:
                ids = [ticket_id for ticket_id, _ in tickets]
                session.execute(delete(Ticket).where(Ticket.id.in_(ids)))
            if report.conversations or report.turns or report.processed_messages:
                self._audit(
                    session,
                    None,
                    actor,
                    "purged_transcripts",
                    None,
                    None,
                    f"{report.conversations} conversations, {report.turns} turns, "
                    f"{report.processed_messages} processed messages",
                )
        log.info(
            "purged %d closed tickets, %d conversations, %d turns",
            len(report.tickets),
            report.conversations,
            report.turns,
        )
        return report

    # -- plumbing -------------------------------------------------------------------------

    def _today(self) -> date:
        return self._now().astimezone(LONDON).date()

    @contextmanager
    def _change(self, reference: str, action: Action) -> Iterator[tuple[Session, Ticket]]:
        with transaction(self._sessions) as session:
            ticket = self._load(session, reference, lock=True)
            check_allowed(_ref(ticket), ticket.status, action)
            yield session, ticket
            log.info("%s: %s", ticket.reference, action)

    @staticmethod
    def _load(session: Session, reference: str, *, lock: bool) -> Ticket:
        wanted = reference.strip().upper()
        query = select(Ticket).where(Ticket.reference == wanted)
        if lock:
            # Two staff changing one ticket at once: the second waits, then sees the first's work.
            query = query.with_for_update()
        ticket = session.scalar(query)
        if ticket is None:
            raise TicketNotFound(f"no ticket {wanted}")
        return ticket

    def _day(self, ticket: Ticket, on: date | None, what: str) -> date:
        today = self._today()
        day = today if on is None else on
        if day > today:
            raise InvalidChange(f"{_ref(ticket)}: {what} cannot be in the future ({day})")
        if day < _received_on(ticket):
            raise InvalidChange(
                f"{_ref(ticket)}: {what} ({day}) cannot be before the request was received "
                f"({_received_on(ticket)})"
            )
        return day

    def _end_pause(
        self,
        session: Session,
        ticket: Ticket,
        actor: str,
        on: date | None,
        *,
        resume: bool = True,
    ) -> None:
        pause = next(p for p in reversed(ticket.pauses) if p.ended is None)
        ended = self._day(ticket, on, "the end of the pause")
        if ended < pause.started:
            raise InvalidChange(
                f"{_ref(ticket)}: the pause began on {pause.started}; it cannot end on {ended}"
            )
        pause.ended = ended
        action = "resumed" if resume else "closed"
        self._audit(session, ticket, actor, action, "clock_pause", pause.reason, None)
        if resume and pause.reason is PauseReason.AWAITING_ID:
            self._set(session, ticket, actor, action, "id_received_on", ended)
            self._set(session, ticket, actor, action, "id_verified_by", _actor(actor))
        if resume:
            self._set(session, ticket, actor, action, "status", Status.IN_PROGRESS)
        self._recompute_due(session, ticket, actor, action)

    def _due(
        self,
        kind: TicketKind,
        received: date,
        extended: bool,
        pauses: Sequence[ClockPause],
        today: date,
    ) -> date:
        try:
            return due_date(
                kind,
                received,
                extended=extended,
                pauses=pauses,
                calendar=self.calendar,
                school_type=self.school_type,
                today=today,
            )
        except CalendarError as error:
            raise CalendarProblem(
                f"{error} (the term dates are in the school calendar file, "
                "PRIVACYBOT_SCHOOL_CALENDAR_FILE)"
            ) from error

    def _recompute_due(self, session: Session, ticket: Ticket, actor: str, action: str) -> None:
        new = self._due(
            ticket.kind, _received_on(ticket), ticket.extended, _pauses(ticket), self._today()
        )
        self._set(session, ticket, actor, action, "due_date", new)

    def _set(
        self, session: Session, ticket: Ticket, actor: str, action: str, field: str, new: Any
    ) -> None:
        old = getattr(ticket, field)
        if old == new:
            return
        setattr(ticket, field, new)
        self._audit(session, ticket, actor, action, field, old, new)

    def _audit(
        self,
        session: Session,
        ticket: Ticket | None,
        actor: str,
        action: str,
        field: str | None = None,
        old: object = None,
        new: object = None,
    ) -> None:
        # Every recorded change passes the role rules, whichever channel it came from.
        permissions.check(session, actor, action, field, new)
        session.add(
            AuditEvent(
                ticket_id=ticket.id if ticket else None,
                ticket_reference=ticket.reference if ticket else None,
                at=self._now(),
                actor=_actor(actor),
                action=action,
                field=field,
                old_value=_audit_value(field, old),
                new_value=_audit_value(field, new),
            )
        )


def load_school_type(facts_file: Path) -> str:
    """Read `school.school_type` from the notice facts: maintained, academy or independent."""
    try:
        facts = load_facts(facts_file)
    except ContentError as error:
        raise ConfigError(str(error)) from error
    school = facts.get("school")
    value = school.get("school_type") if isinstance(school, dict) else None
    if value not in SCHOOL_TYPES:
        raise ConfigError(
            f"{facts_file}: school.school_type must be one of {', '.join(SCHOOL_TYPES)}"
        )
    return str(value)


def load_calendar(path: Path, *, required: bool) -> SchoolCalendar | None:
    """Read the school's term dates; a missing default file only matters for educational records."""
    if not path.exists() and not required:
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: cannot read the school calendar ({error})") from error
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the school calendar needs 'terms' and 'closures'")
    try:
        return SchoolCalendar.from_mapping(data)
    except CalendarError as error:
        raise ConfigError(f"{path}: {error}") from error


def _check_request(request: NewRequest, now: datetime) -> None:
    if request.received_at.tzinfo is None:
        raise InvalidChange("the time of receipt needs a time zone")
    if request.received_at > now + _CLOCK_SKEW:
        raise InvalidChange("a request cannot be received in the future")
    for field, limit in _LIMITS.items():
        _required(getattr(request, field), field.replace("_", " "), limit)
    _required(request.request_text, "the request in the person's words", 20_000)
    if request.kind is TicketKind.EDUCATIONAL_RECORD and request.channel not in _WRITTEN_CHANNELS:
        # Reg. 5 of the 2005 Regulations gives the right to a *written* request; a spoken one
        # is still a subject access request.
        raise InvalidChange(
            "an educational record request must be written; log a spoken one as a sar"
        )


def _required(value: str, what: str, limit: int) -> str:
    text = value.strip()
    if not text:
        raise InvalidChange(f"{what} is missing")
    if len(text) > limit:
        raise InvalidChange(f"{what} is longer than {limit} characters")
    return text


def _actor(actor: str) -> str:
    name = actor.strip()
    if not name:
        raise InvalidChange("who is acting must be recorded")
    return name[:100]


def _ref(ticket: Ticket) -> str:
    return ticket.reference or f"ticket {ticket.id}"


def _london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def _received_on(ticket: Ticket) -> date:
    return ticket.received_at.astimezone(LONDON).date()


def _pauses(ticket: Ticket) -> tuple[ClockPause, ...]:
    return tuple(ClockPause(p.reason, p.started, p.ended) for p in ticket.pauses)


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _audit_value(field: str | None, value: object) -> str | None:
    if value is None:
        return None
    if field in _FREE_TEXT:
        return _TEXT_KEPT_ON_TICKET
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _view(ticket: Ticket) -> TicketView:
    return TicketView(
        reference=_ref(ticket),
        kind=ticket.kind,
        channel=ticket.channel,
        received_at=_london(ticket.received_at),
        logged_at=_london(ticket.logged_at),
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
        closed_at=_london(ticket.closed_at) if ticket.closed_at else None,
        source_key=ticket.source_key,
        conversation_id=ticket.conversation_id,
    )


def _export_row(ticket: Ticket, today: date) -> dict[str, str]:
    view = _view(ticket)
    on_time = view.on_time(today)
    pauses = "; ".join(f"{p.reason} {p.started} to {p.ended or 'now'}" for p in ticket.pauses)
    row = {
        "reference": view.reference,
        "kind": view.kind.value,
        "channel": view.channel.value,
        "received": view.received_at.isoformat(timespec="minutes"),
        "requester_relationship": view.requester_relationship.value,
        "subject_is_child": "yes" if view.subject_is_child else "no",
        "due_date": view.due_date.isoformat(),
        "extended": "yes" if view.extended else "no",
        "extension_reason": _cell(view.extension_reason),
        "extension_told_on": _iso(view.extension_told_on),
        "id_requested_on": _iso(view.id_requested_on),
        "id_received_on": _iso(view.id_received_on),
        "id_verified_by": _cell(view.id_verified_by),
        "id_not_needed_reason": _cell(view.id_not_needed_reason),
        "clock_pauses": pauses,
        "assignee": _cell(view.assignee),
        "status": view.status.value,
        "outcome": view.outcome.value if view.outcome else "",
        "outcome_reason": _cell(view.outcome_reason),
        "closed_on": _iso(view.closed_at.date() if view.closed_at else None),
        "on_time": "" if on_time is None else "yes" if on_time else "no",
    }
    return {column: row[column] for column in EXPORT_COLUMNS}


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _cell(text: str | None) -> str:
    # A spreadsheet runs a cell starting with = + - or @ as a formula; staff-typed text must not.
    value = (text or "").replace("\r\n", " ").replace("\n", " ")
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value
