"""Checks on what staff and channels hand the request service, and the errors they raise.

The refusals are in the school's words (answers/ticket_problems.yaml): the caller hands in the
Wordbook its service holds (`RequestService.messages.problems`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.content.wordbook import Wordbook
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import RequestChannel, TicketError
from bot.storage.tables import Ticket
from bot.tickets.views import NewRequest

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


def find_ticket(
    session: Session, reference: str, problems: Wordbook, *, lock: bool = False
) -> Ticket:
    """The ticket with this reference, typed in any case; TicketNotFound if there is none."""
    wanted = reference.strip().upper()
    query = select(Ticket).where(Ticket.reference == wanted)
    if lock:
        # Two staff changing one ticket at once: the second waits, then sees the first's work.
        query = query.with_for_update()
    ticket = session.scalar(query)
    if ticket is None:
        raise TicketNotFound(problems.say("no_ticket", reference=wanted))
    return ticket


class InvalidChange(TicketError):
    """The change is malformed or the law does not allow it; the message says which."""


class CalendarProblem(TicketError):
    """The school's term dates cannot give a due date (missing, or not covering the date)."""


def check_request(request: NewRequest, now: datetime, problems: Wordbook) -> None:
    """Raise InvalidChange naming the first thing wrong with a request to log."""
    if request.received_at.tzinfo is None:
        raise InvalidChange(problems.say("no_time_zone"))
    if request.received_at > now + _CLOCK_SKEW:
        raise InvalidChange(problems.say("received_in_future"))
    for field, limit in _LIMITS.items():
        required(getattr(request, field), field, limit, problems)
    required(request.request_text, "request_text", 20_000, problems)
    if request.kind is TicketKind.EDUCATIONAL_RECORD and request.channel not in _WRITTEN_CHANNELS:
        # Reg. 5 of the 2005 Regulations gives the right to a *written* request; a spoken one
        # is still a subject access request.
        raise InvalidChange(problems.say("spoken_educational_record"))


def required(value: str, what: str, limit: int, problems: Wordbook) -> str:
    """Return `value` stripped, or raise InvalidChange if it is empty or too long.

    `what` names the value by its key under `what` in ticket_problems.yaml ("note")."""
    text = value.strip()
    if not text:
        raise InvalidChange(problems.say("missing", what=problems.say(f"what.{what}")))
    if len(text) > limit:
        raise InvalidChange(
            problems.say("too_long", what=problems.say(f"what.{what}"), limit=limit)
        )
    return text


def actor_name(actor: str, problems: Wordbook) -> str:
    """Return who is acting, as the audit trail records it."""
    name = actor.strip()
    if not name:
        raise InvalidChange(problems.say("no_actor"))
    return name[:100]
