"""One-time codes that let a requester see their own request: issued by email, checked here.

Only a keyed hash of each code is stored, so a copy of the database opens nothing. A code lasts
a quarter of an hour, works once, and dies after five wrong tries; asking again issues a new one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.rules.clock import london_now
from bot.storage.engine import transaction
from bot.storage.tables import Ticket
from bot.storage.tables.requester import AccessCode, RequesterLetter
from bot.tickets.acknowledgements import email_address
from bot.tickets.service import TicketView
from bot.tickets.views import ticket_view

CODE_LIFETIME = timedelta(minutes=15)
MAX_WRONG_TRIES = 5


class Check(StrEnum):
    OPENED = "opened"
    WRONG = "wrong"
    TOO_MANY = "too_many"


@dataclass(frozen=True)
class SentLetter:
    subject: str
    sent_at: datetime
    body: str


@dataclass(frozen=True)
class RequesterStatus:
    ticket: TicketView
    letters: list[SentLetter]


class AccessCodes:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        key: str,
        *,
        now: Callable[[], datetime] = london_now,
    ) -> None:
        self._sessions = sessions
        self._key = key.encode()
        self._now = now

    def _hash(self, ticket_id: int, code: str) -> str:
        message = f"{ticket_id}:{code}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def issue(self, reference: str, email: str) -> tuple[str, str, TicketView] | None:
        """A new code for the ticket when the email is the one it was logged with, else None.

        Returns where to send it, the code itself (never stored) and the ticket.
        """
        given = email_address(email)
        if given is None:
            return None
        with transaction(self._sessions) as session:
            ticket = session.scalar(select(Ticket).where(Ticket.reference == _tidy(reference)))
            logged_with = email_address(ticket.requester_contact) if ticket else None
            # Mail servers treat addresses without regard to case, and so do people.
            if ticket is None or logged_with is None or logged_with.casefold() != given.casefold():
                return None
            code = f"{secrets.randbelow(1_000_000):06d}"
            now = self._now()
            session.add(
                AccessCode(
                    ticket_id=ticket.id,
                    code_hash=self._hash(ticket.id, code),
                    created_at=now,
                    expires_at=now + CODE_LIFETIME,
                    attempts=0,
                )
            )
            return given, code, ticket_view(ticket)

    def issue_for(self, ticket_id: int) -> tuple[str, str, TicketView] | None:
        """A new code for the ticket, sent to the address it was logged with (a secure link)."""
        with transaction(self._sessions) as session:
            ticket = session.get(Ticket, ticket_id)
            address = email_address(ticket.requester_contact) if ticket else None
            if ticket is None or ticket.reference is None or address is None:
                return None
        return self.issue(ticket.reference, address)

    def check(self, reference: str, code: str) -> tuple[Check, int | None]:
        """Whether `code` opens the ticket; on success, the ticket's id (and the code is spent)."""
        now = self._now()
        with transaction(self._sessions) as session:
            wanted = select(Ticket.id).where(Ticket.reference == _tidy(reference))
            ticket_id = session.scalar(wanted)
            live = (
                session.scalars(
                    select(AccessCode)
                    .where(
                        AccessCode.ticket_id == ticket_id,
                        AccessCode.used_at.is_(None),
                        AccessCode.expires_at > now,
                    )
                    .order_by(AccessCode.id.desc())
                    .limit(1)
                ).first()
                if ticket_id is not None
                else None
            )
            if live is None or ticket_id is None:
                return Check.WRONG, None
            if live.attempts >= MAX_WRONG_TRIES:
                return Check.TOO_MANY, None
            if not hmac.compare_digest(live.code_hash, self._hash(ticket_id, code.strip())):
                live.attempts += 1
                return (Check.TOO_MANY if live.attempts >= MAX_WRONG_TRIES else Check.WRONG), None
            live.used_at = now
            return Check.OPENED, ticket_id

    def status(self, ticket_id: int) -> RequesterStatus | None:
        """What the requester may see: the ticket's progress and the letters sent to them."""
        with transaction(self._sessions) as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                return None
            letters = session.execute(
                select(RequesterLetter.subject, RequesterLetter.sent_at, RequesterLetter.body)
                .where(RequesterLetter.ticket_id == ticket_id, RequesterLetter.state == "sent")
                .order_by(RequesterLetter.id)
            ).all()
            return RequesterStatus(
                ticket=ticket_view(ticket),
                letters=[
                    SentLetter(subject or "", sent_at, body or "")
                    for subject, sent_at, body in letters
                    if sent_at is not None
                ],
            )


def _tidy(reference: str) -> str:
    # References are printed in capitals; people type them however they like.
    return reference.strip().upper()
