"""Checks on what staff and channels hand the request service, and the errors they raise."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import RequestChannel, TicketError
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


class InvalidChange(TicketError):
    """The change is malformed or the law does not allow it; the message says which."""


class CalendarProblem(TicketError):
    """The school's term dates cannot give a due date (missing, or not covering the date)."""


def check_request(request: NewRequest, now: datetime) -> None:
    """Raise InvalidChange naming the first thing wrong with a request to log."""
    if request.received_at.tzinfo is None:
        raise InvalidChange("the time of receipt needs a time zone")
    if request.received_at > now + _CLOCK_SKEW:
        raise InvalidChange("a request cannot be received in the future")
    for field, limit in _LIMITS.items():
        required(getattr(request, field), field.replace("_", " "), limit)
    required(request.request_text, "the request in the person's words", 20_000)
    if request.kind is TicketKind.EDUCATIONAL_RECORD and request.channel not in _WRITTEN_CHANNELS:
        # Reg. 5 of the 2005 Regulations gives the right to a *written* request; a spoken one
        # is still a subject access request.
        raise InvalidChange(
            "an educational record request must be written; log a spoken one as a sar"
        )


def required(value: str, what: str, limit: int) -> str:
    """Return `value` stripped, or raise InvalidChange if it is empty or too long."""
    text = value.strip()
    if not text:
        raise InvalidChange(f"{what} is missing")
    if len(text) > limit:
        raise InvalidChange(f"{what} is longer than {limit} characters")
    return text


def actor_name(actor: str) -> str:
    """Return who is acting, as the audit trail records it."""
    name = actor.strip()
    if not name:
        raise InvalidChange("who is acting must be recorded")
    return name[:100]
