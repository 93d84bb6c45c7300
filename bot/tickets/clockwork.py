"""What every change to a ticket shares: one locked transaction, audited fields, the clock.

RequestService builds on this; nothing else changes a ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.rules.clock import london_day
from bot.rules.deadlines import (
    CalendarError,
    ClockPause,
    PauseReason,
    SchoolCalendar,
    TicketKind,
    due_date,
)
from bot.rules.lifecycle import (
    ALLOWED_ACTIONS,
    CLOCK_ACTIONS,
    Action,
    ActionNotAllowed,
    ClockCannotMove,
    Status,
    allowed_actions,
    fixed_clock,
)
from bot.rules.restarts import counted_pauses
from bot.storage.engine import transaction
from bot.storage.tables import Ticket
from bot.tickets import permissions
from bot.tickets.audit import audit_event
from bot.tickets.messages import TicketMessages
from bot.tickets.validation import (
    CalendarProblem,
    InvalidChange,
    actor_name,
    find_ticket,
)
from bot.tickets.views import clock_pauses, received_on, ticket_reference

log = logging.getLogger(__name__)


class TicketClockwork:
    """The transaction, audit and statutory-clock plumbing behind every ticket change."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        school_type: str,
        calendar: SchoolCalendar | None,
        now: Callable[[], datetime],
        messages: TicketMessages,
    ) -> None:
        self._sessions = sessions
        self.school_type = school_type
        self.calendar = calendar
        self.messages = messages
        self._now = now

    def _today(self) -> date:
        return london_day(self._now())

    @contextmanager
    def _change(
        self, reference: str, action: Action, *, lock: bool = True
    ) -> Iterator[tuple[Session, Ticket]]:
        with transaction(self._sessions) as session:
            ticket = self._load(session, reference, lock=lock)
            self._check_allowed(ticket, action)
            yield session, ticket
            if lock:
                log.info("%s: %s", ticket.reference, action)

    def _check_allowed(self, ticket: Ticket, action: Action) -> None:
        """Refuse an action the ticket's status, or the law for its kind, does not allow."""
        reference = ticket_reference(ticket)
        if action not in ALLOWED_ACTIONS[ticket.status]:
            allowed = allowed_actions(ticket.kind, ticket.status, self.school_type)
            # No school words for statuses and actions yet: staff read them as the CLI writes them.
            # A closed ticket can be reopened, which is not one of its actions: say so.
            key = "not_allowed_closed" if ticket.status is Status.CLOSED else "not_allowed"
            refusal = self.messages.problem(
                key,
                reference=reference,
                status=ticket.status.value,
                action=action.value,
                allowed=", ".join(allowed),
            )
            raise ActionNotAllowed(refusal, allowed)
        rule = fixed_clock(ticket.kind, self.school_type)
        if rule is not None and action in CLOCK_ACTIONS:
            raise ClockCannotMove(self.messages.clock_cannot_move(rule, reference))

    def _load(self, session: Session, reference: str, *, lock: bool) -> Ticket:
        return find_ticket(session, reference, self.messages.problems, lock=lock)

    def _day(self, ticket: Ticket, on: date | None, what: str) -> date:
        """`on` (default today), refused if it is later than today or before receipt; `what`
        names it by its key under `what` in ticket_problems.yaml ("pause")."""
        today = self._today()
        day = today if on is None else on
        named = {"reference": ticket_reference(ticket), "day": day}
        if day > today:
            raise InvalidChange(self._problem("day_in_future", what, **named))
        if day < received_on(ticket):
            received = received_on(ticket)
            raise InvalidChange(
                self._problem("day_before_receipt", what, received=received, **named)
            )
        return day

    def _problem(self, key: str, what: str, **values: object) -> str:
        """A refusal whose {what} is one of the phrases under `what` in ticket_problems.yaml."""
        return self.messages.problem(key, what=self.messages.problem(f"what.{what}"), **values)

    def _actor(self, actor: str) -> str:
        return actor_name(actor, self.messages.problems)

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
        ended = self._day(ticket, on, "pause_end")
        if ended < pause.started:
            raise InvalidChange(
                self.messages.problem(
                    "pause_ends_before_start",
                    reference=ticket_reference(ticket),
                    started=pause.started,
                    ended=ended,
                )
            )
        pause.ended = ended
        action = "resumed" if resume else "closed"
        self._audit(session, ticket, actor, action, "clock_pause", pause.reason, None)
        if resume and pause.reason is PauseReason.AWAITING_ID:
            self._set(session, ticket, actor, action, "id_received_on", ended)
            self._set(session, ticket, actor, action, "id_verified_by", self._actor(actor))
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
            raise CalendarProblem(self.messages.problem("calendar", problem=error)) from error

    def _ticket_due(self, ticket: Ticket, *, extended: bool) -> date:
        """The ticket's due date, leaving out ID or fee asked for after the date had passed."""
        received, today = received_on(ticket), self._today()

        def due_with(pauses: Sequence[ClockPause]) -> date:
            return self._due(ticket.kind, received, extended, pauses, today)

        return due_with(counted_pauses(clock_pauses(ticket), due_with))

    def _recompute_due(self, session: Session, ticket: Ticket, actor: str, action: str) -> None:
        new = self._ticket_due(ticket, extended=ticket.extended)
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
        permissions.check(session, actor, action, field, new, self.messages.problems)
        who = self._actor(actor)
        session.add(
            audit_event(
                ticket, at=self._now(), actor=who, action=action, field=field, old=old, new=new
            )
        )
