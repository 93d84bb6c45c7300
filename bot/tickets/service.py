"""The request service: the one way anything logs, works or purges data-protection tickets.

Every change runs in one transaction with the audit events that describe it. Results come back
as frozen views (bot.tickets.views), so callers never hold a live database object. The database
being unreachable raises StorageUnavailable; a change the ticket's status or the law does not
allow raises a TicketError whose message can be shown to staff as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import ConfigError, Settings
from bot.content.errors import ContentError
from bot.content.school import School
from bot.rules.clock import london_day, london_now
from bot.rules.deadlines import MAINTAINED, SchoolCalendar
from bot.rules.lifecycle import (
    Action,
    Status,
    allowed_actions,
    make_reference,
)
from bot.storage.engine import ensure_schema, make_engine, session_factory, transaction
from bot.storage.tables import AuditEvent, Ticket
from bot.tickets import export, permissions, queries, retention
from bot.tickets.export import EXPORT_COLUMNS
from bot.tickets.messages import TicketMessages, shipped_messages
from bot.tickets.retention import Cutoffs, PurgeReport
from bot.tickets.school import school_from_settings
from bot.tickets.validation import (
    CalendarProblem,
    InvalidChange,
    TicketNotFound,
    check_request,
)
from bot.tickets.views import (
    EventView,
    NewRequest,
    NoteView,
    PauseView,
    TicketDetail,
    TicketFilter,
    TicketPage,
    TicketView,
    in_london,
    ticket_view,
)
from bot.tickets.work import TicketWork

# The service's API, so callers need one import for the service and what it takes and returns.
__all__ = [
    "EXPORT_COLUMNS",
    "CalendarProblem",
    "InvalidChange",
    "NewRequest",
    "PurgeReport",
    "RequestService",
    "TicketDetail",
    "TicketFilter",
    "TicketNotFound",
    "TicketPage",
    "TicketView",
]

log = logging.getLogger(__name__)


class RequestService(TicketWork):
    """Log, read, work, export and purge tickets; every change is audited in its transaction."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        school_type: str = MAINTAINED,
        calendar: SchoolCalendar | None = None,
        now: Callable[[], datetime] = london_now,
        messages: TicketMessages | None = None,
    ) -> None:
        super().__init__(
            sessions,
            school_type=school_type,
            calendar=calendar,
            now=now,
            messages=messages or shipped_messages(),
        )
        self._engine: Engine | None = sessions.kw.get("bind")

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        school: School | None = None,
        now: Callable[[], datetime] = london_now,
    ) -> RequestService:
        """Open the configured database, apply pending migrations, and take the school's rules."""
        # The school's rules first: a mistake in them should not leave a database half opened.
        school = school or school_from_settings(settings)
        try:
            messages = TicketMessages.load(school.answers_dir)
        except ContentError as error:
            raise ConfigError(str(error)) from error
        engine = make_engine(settings.resolved_database_url())
        try:
            ensure_schema(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(
            session_factory(engine),
            school_type=school.school_type,
            calendar=school.calendar,
            now=now,
            messages=messages,
        )

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The session factory, for stores that keep their own tables in the same database."""
        return self._sessions

    def dispose(self) -> None:
        """Close the database connections this service holds."""
        if self._engine is not None:
            self._engine.dispose()

    def actions_for(self, ticket: TicketView) -> tuple[Action, ...]:
        """What staff can do to this ticket now, given its status and its kind's clock."""
        return allowed_actions(ticket.kind, ticket.status, self.school_type)

    def may_refuse(self, actor: str) -> bool:
        """Whether `actor` may close a request as refused (the dpo and admin roles only)."""
        with transaction(self._sessions) as session:
            return permissions.may_refuse(session, actor)

    # -- reading --------------------------------------------------------------------------

    def get(self, reference: str, *, actor: str) -> TicketDetail:
        """Return a ticket with its history, recording that `actor` viewed it."""
        with self._change(reference, Action.VIEW, lock=False) as (session, ticket):
            self._audit(session, ticket, actor, "viewed")
            session.flush()
            events = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.ticket_id == ticket.id)
                .order_by(AuditEvent.at, AuditEvent.id)
            ).all()
            return TicketDetail(
                ticket=ticket_view(ticket),
                pauses=tuple(PauseView(p.reason, p.started, p.ended, p.by) for p in ticket.pauses),
                notes=tuple(
                    NoteView(in_london(n.at), n.author, n.text, n.visibility) for n in ticket.notes
                ),
                events=tuple(
                    EventView(in_london(e.at), e.actor, e.action, e.field, e.old_value, e.new_value)
                    for e in events
                ),
            )

    def view(self, reference: str) -> TicketView:
        """The ticket as its page heading shows it, without its history; TicketNotFound if none.

        Not audited as a view: the pages that use it (letters, files) are reached from the
        ticket's own page, whose opening was recorded.
        """
        with transaction(self._sessions) as session:
            return ticket_view(self._load(session, reference, lock=False))

    def list_tickets(self, filters: TicketFilter | None = None) -> list[TicketView]:
        """Return every matching ticket, soonest due first.

        Not audited as a view: callers show a list without the requester's details.
        """
        return list(self.page_tickets(filters).tickets)

    def page_tickets(
        self, filters: TicketFilter | None = None, *, limit: int | None = None, offset: int = 0
    ) -> TicketPage:
        """Return one page of matching tickets, soonest due first, with how many match in all."""
        filters = filters or TicketFilter()
        today = self._today()
        query = queries.ticket_list(filters, today)
        with transaction(self._sessions) as session:
            if limit is None and offset == 0:
                tickets = tuple(ticket_view(t, late) for t, late in session.execute(query))
                return TicketPage(tickets, len(tickets), 0)
            total = int(session.scalar(queries.ticket_count(filters, today)) or 0)
            page = session.execute(query.offset(offset).limit(limit))
            return TicketPage(tuple(ticket_view(t, late) for t, late in page), total, offset)

    # -- logging --------------------------------------------------------------------------

    def log(self, request: NewRequest, *, actor: str) -> TicketView:
        """Log a new request and return its ticket (the existing one if its source_key is known)."""
        now = self._now()
        check_request(request, now, self.messages.problems)
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
                return ticket_view(existing)

    def _insert(self, request: NewRequest, actor: str, now: datetime) -> TicketView:
        with transaction(self._sessions) as session:
            if request.source_key is not None:
                existing = session.scalar(
                    select(Ticket).where(Ticket.source_key == request.source_key)
                )
                if existing is not None:
                    return ticket_view(existing)
            day_one = london_day(request.received_at)
            ticket = Ticket(
                kind=request.kind,
                channel=request.channel,
                received_at=request.received_at,
                logged_at=now,
                logged_by=self._actor(actor),
                requester_name=request.requester_name.strip(),
                requester_contact=request.requester_contact.strip(),
                requester_relationship=request.requester_relationship,
                subject_name=request.subject_name.strip(),
                subject_is_child=request.subject_is_child,
                request_text=request.request_text.strip(),
                status=Status.OPEN,
                due_date=self._due(request.kind, day_one, False, (), day_one),
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
            return ticket_view(ticket)

    # -- the record and retention -----------------------------------------------------------

    def export_rows(self, *, actor: str) -> list[dict[str, str]]:
        """Return the request log (EXPORT_COLUMNS), oldest first, without requesters' details."""
        return list(self.iter_export_rows(actor=actor))

    def iter_export_rows(self, *, actor: str) -> Iterator[dict[str, str]]:
        """Audit an export of the request log now, and return its rows to stream, oldest first."""
        today = self._today()
        with transaction(self._sessions) as session:
            count = int(session.scalar(select(func.count(Ticket.id))) or 0)
            self._audit(session, None, actor, "exported", None, None, f"{count} tickets")
        return export.export_rows(self._sessions, today, self.messages)

    def purge(
        self, *, actor: str, transcript_days: int, closed_ticket_days: int, dry_run: bool = False
    ) -> PurgeReport:
        """Delete chat transcripts and closed tickets past retention, keeping a 'purged' event."""
        now = self._now()
        self._actor(actor)  # refuse a nameless purge before deleting anything
        with transaction(self._sessions) as session:
            # Only record keepers purge: checked before the first batch deletes anything.
            permissions.check(session, actor, "purged", None, None, self.messages.problems)
        cutoffs = Cutoffs(
            transcripts=now - timedelta(days=transcript_days),
            closed_tickets=now - timedelta(days=closed_ticket_days),
        )
        report = retention.purge(self._sessions, cutoffs, actor=actor, now=now, dry_run=dry_run)
        if not dry_run:
            log.info(
                "purged %d closed tickets, %d conversations, %d turns",
                len(report.tickets),
                report.conversations,
                report.turns,
            )
        return report
