"""Reopening a closed ticket: the outcome is undone, the reason is kept, every step is audited.

A closed ticket is a record (the lifecycle allows only reading and notes), so reopening is
its own deliberate step: it needs a reason, and the trail shows who reopened it and when.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.rules.clock import london_now
from bot.rules.lifecycle import NoteVisibility, Status
from bot.storage.engine import transaction
from bot.storage.tables import AuditEvent, Ticket, TicketNote
from bot.tickets.messages import TicketMessages, shipped_messages
from bot.tickets.service import InvalidChange, TicketView
from bot.tickets.validation import actor_name, find_ticket, required
from bot.tickets.views import ticket_view as _view

_REASON_LIMIT = 2_000
# The reason may name people; the audit trail outlives the ticket, so it says only that one
# was given, and the words stay in the ticket's notes.
_REASON_KEPT = "[text kept on the ticket]"


class Reopening:
    """Reopen closed tickets through the same tables and audit trail as the request service."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        now: Callable[[], datetime] = london_now,
        messages: TicketMessages | None = None,
    ) -> None:
        self._sessions = sessions
        self._now = now
        # The request service's words: why reopening was refused, and the note it leaves.
        self._messages = messages or shipped_messages()
        self._problems = self._messages.problems

    def reopen(self, reference: str, reason: str, *, actor: str) -> TicketView:
        """Reopen a closed ticket as in progress; its outcome and closing time are cleared."""
        why = required(reason, "reopen_reason", _REASON_LIMIT, self._problems)
        who = actor_name(actor, self._problems)
        with transaction(self._sessions) as session:
            ticket = find_ticket(session, reference, self._problems, lock=True)
            if ticket.status is not Status.CLOSED:
                raise InvalidChange(self._problems.say("not_closed", reference=ticket.reference))
            now = self._now()
            changes = {
                "outcome": (ticket.outcome, None),
                "outcome_reason": (_REASON_KEPT if ticket.outcome_reason else None, None),
                "closed_at": (ticket.closed_at, None),
                "status": (Status.CLOSED, Status.IN_PROGRESS),
            }
            ticket.outcome = None
            ticket.outcome_reason = None
            ticket.closed_at = None
            ticket.status = Status.IN_PROGRESS
            ticket.notes.append(
                TicketNote(
                    at=now,
                    author=who,
                    text=self._messages.reopened_note(why),
                    visibility=NoteVisibility.INTERNAL,
                )
            )
            _audit(session, ticket, who, now, changes)
            session.flush()
            return _view(ticket)


def _audit(
    session: Session,
    ticket: Ticket,
    who: str,
    now: datetime,
    changes: Mapping[str, tuple[object, object]],
) -> None:
    changes = {**changes, "reopen_reason": (None, _REASON_KEPT)}
    for field, (old, new) in changes.items():
        if old == new:
            continue
        session.add(
            AuditEvent(
                ticket_id=ticket.id,
                ticket_reference=ticket.reference,
                at=now,
                actor=who,
                action="reopened",
                field=field,
                old_value=_text(old),
                new_value=_text(new),
            )
        )


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return str(value)
