"""The changes staff make to a ticket: assign, note, the statutory clock's pauses, extend, close.

Each is one locked transaction with its audit events; RequestService offers them.
"""

from __future__ import annotations

from datetime import date

from bot.rules.deadlines import PauseReason
from bot.rules.lifecycle import (
    PAUSED_STATUS,
    PAUSED_STATUSES,
    Action,
    NoteVisibility,
    Outcome,
    Status,
)
from bot.storage.tables import ClockPauseRecord, TicketNote
from bot.tickets.clockwork import TicketClockwork
from bot.tickets.validation import InvalidChange, required
from bot.tickets.views import TicketView, ticket_reference, ticket_view


class TicketWork(TicketClockwork):
    """Every change to a ticket's fields or clock, each audited in its own transaction."""

    def assign(self, reference: str, assignee: str, *, actor: str) -> TicketView:
        """Give the ticket to `assignee`; an open ticket is then in progress."""
        name = required(assignee, "assignee", 100, self.messages.problems)
        with self._change(reference, Action.ASSIGN) as (session, ticket):
            self._set(session, ticket, actor, "assigned", "assignee", name)
            if ticket.status is Status.OPEN:
                self._set(session, ticket, actor, "assigned", "status", Status.IN_PROGRESS)
            return ticket_view(ticket)

    def add_note(
        self,
        reference: str,
        text: str,
        *,
        actor: str,
        visibility: NoteVisibility = NoteVisibility.INTERNAL,
    ) -> TicketView:
        """Add a note: internal, or a record of what was sent to the requester."""
        body = required(text, "note", 20_000, self.messages.problems)
        with self._change(reference, Action.NOTE) as (session, ticket):
            ticket.notes.append(
                TicketNote(
                    at=self._now(), author=self._actor(actor), text=body, visibility=visibility
                )
            )
            # The note's visibility, never its words: they stay on the ticket.
            self._audit(session, ticket, actor, "note_added", "note", None, visibility)
            return ticket_view(ticket)

    def record_hold(self, reference: str, why: str, *, actor: str) -> TicketView:
        """Note an internal hold (legal advice, staff absence); the statutory clock runs on."""
        text = required(why, "hold_reason", 2_000, self.messages.problems)
        return self.add_note(reference, self.messages.hold_note(text), actor=actor)

    def request_id(self, reference: str, *, actor: str, on: date | None = None) -> TicketView:
        """Record that ID was asked for on `on` (default today); the clock waits for it."""
        return self.pause(reference, PauseReason.AWAITING_ID, actor=actor, on=on)

    def pause(
        self, reference: str, reason: PauseReason, *, actor: str, on: date | None = None
    ) -> TicketView:
        """Wait for the requester with a statutory reason (ID, fee or clarification).

        ID or a fee asked for after the due date is recorded, but the request stays late.
        """
        action = Action.REQUEST_ID if reason is PauseReason.AWAITING_ID else Action.PAUSE
        with self._change(reference, action) as (session, ticket):
            started = self._day(ticket, on, "pause")
            if any((p.ended or p.started) > started for p in ticket.pauses):
                raise InvalidChange(
                    self.messages.problem(
                        "pauses_overlap", reference=ticket_reference(ticket), day=started
                    )
                )
            ticket.pauses.append(
                ClockPauseRecord(reason=reason, started=started, by=self._actor(actor))
            )
            self._audit(session, ticket, actor, "paused", "clock_pause", None, reason)
            if reason is PauseReason.AWAITING_ID:
                self._set(session, ticket, actor, "paused", "id_requested_on", started)
            self._set(session, ticket, actor, "paused", "status", PAUSED_STATUS[reason])
            self._recompute_due(session, ticket, actor, "paused")
            return ticket_view(ticket)

    def id_received(self, reference: str, *, actor: str, on: date | None = None) -> TicketView:
        """Record that the ID arrived on `on` (default today): the month starts again from it."""
        with self._change(reference, Action.ID_RECEIVED) as (session, ticket):
            self._end_pause(session, ticket, actor, on)
            return ticket_view(ticket)

    def resume(self, reference: str, *, actor: str, on: date | None = None) -> TicketView:
        """End the current pause on `on` (default today): what was awaited has arrived."""
        with self._change(reference, Action.RESUME) as (session, ticket):
            self._end_pause(session, ticket, actor, on)
            return ticket_view(ticket)

    def id_not_needed(self, reference: str, reason: str, *, actor: str) -> TicketView:
        """Record why no ID is asked for (the DfE expects the decision to be written down)."""
        why = required(reason, "id_not_needed_reason", 2_000, self.messages.problems)
        with self._change(reference, Action.ID_NOT_NEEDED) as (session, ticket):
            if ticket.id_requested_on is not None:
                raise InvalidChange(
                    self.messages.problem(
                        "id_already_requested",
                        reference=ticket_reference(ticket),
                        day=ticket.id_requested_on,
                    )
                )
            self._set(session, ticket, actor, "id_not_needed", "id_not_needed_reason", why)
            return ticket_view(ticket)

    def extend(
        self, reference: str, reason: str, *, actor: str, told_on: date | None = None
    ) -> TicketView:
        """Extend to three months from the start, for a complex request or several requests."""
        why = required(reason, "extension_reason", 2_000, self.messages.problems)
        with self._change(reference, Action.EXTEND) as (session, ticket):
            named = ticket_reference(ticket)
            if ticket.extended:
                raise InvalidChange(self.messages.problem("already_extended", reference=named))
            told = self._day(ticket, told_on, "told_on")
            # The extension only counts if the requester hears of it, with reasons, within the
            # first month (ICO), i.e. by the due date as it stands before extending.
            if told > ticket.due_date:
                raise InvalidChange(
                    self.messages.problem(
                        "told_too_late", reference=named, due=ticket.due_date, told=told
                    )
                )
            self._set(session, ticket, actor, "extended", "extended", True)
            self._set(session, ticket, actor, "extended", "extension_reason", why)
            self._set(session, ticket, actor, "extended", "extension_told_on", told)
            self._recompute_due(session, ticket, actor, "extended")
            return ticket_view(ticket)

    def close(
        self, reference: str, outcome: Outcome, *, actor: str, reason: str | None = None
    ) -> TicketView:
        """Close the ticket with its outcome; a refusal needs its reason."""
        why = reason.strip() if reason and reason.strip() else None
        if outcome is Outcome.REFUSED and why is None:
            raise InvalidChange(self.messages.problem("refusal_reason_missing"))
        with self._change(reference, Action.CLOSE) as (session, ticket):
            if ticket.status in PAUSED_STATUSES:
                self._end_pause(session, ticket, actor, None, resume=False)
            self._set(session, ticket, actor, "closed", "outcome", outcome)
            self._set(session, ticket, actor, "closed", "outcome_reason", why)
            self._set(session, ticket, actor, "closed", "closed_at", self._now())
            self._set(session, ticket, actor, "closed", "status", Status.CLOSED)
            return ticket_view(ticket)
