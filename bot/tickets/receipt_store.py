"""The requests a web chat logged, as receipts, and the one emailed copy each may have."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.rules.clock import LONDON
from bot.rules.deadlines import TicketKind
from bot.storage.engine import transaction
from bot.storage.tables import ReceiptEmail, Ticket
from bot.storage.tables.requester import RequesterLetter
from bot.tickets.acknowledgements import LETTER as ACKNOWLEDGEMENT

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AlreadySent(Exception):
    """This receipt was emailed before: it goes once."""


@dataclass(frozen=True)
class Receipt:
    reference: str
    kind: str  # in words
    request_text: str
    received: date
    due_date: date
    contact: str

    @property
    def email(self) -> str | None:
        """The requester's address, when the contact they gave is one."""
        contact = self.contact.strip()
        return contact if _EMAIL.match(contact) else None


class ReceiptStore:
    """Reads a conversation's logged requests; claims and gives back the one emailed copy."""

    def __init__(
        self, sessions: sessionmaker[Session], kind_label: Callable[[TicketKind], str]
    ) -> None:
        self._sessions = sessions
        self._kind_label = kind_label

    def of_conversation(self, conversation_id: str) -> list[tuple[Receipt, bool]]:
        """Each request logged in the conversation, oldest first, and whether it was emailed."""
        with transaction(self._sessions) as session:
            tickets = session.scalars(
                select(Ticket)
                .where(Ticket.conversation_id == conversation_id, Ticket.reference.is_not(None))
                .order_by(Ticket.id)
            ).all()
            receipts = [self._receipt(ticket) for ticket in tickets]
            emailed = set(
                session.scalars(
                    select(ReceiptEmail.ticket_reference).where(
                        ReceiptEmail.ticket_reference.in_([r.reference for r in receipts])
                    )
                )
            )
            # The acknowledgement email (bot/tickets/acknowledgements.py) holds what the receipt
            # holds: once it is queued or sent, offering another copy would send the same again.
            emailed |= set(
                session.scalars(
                    select(Ticket.reference)
                    .join(RequesterLetter, RequesterLetter.ticket_id == Ticket.id)
                    .where(
                        Ticket.id.in_([t.id for t in tickets]),
                        RequesterLetter.letter == ACKNOWLEDGEMENT,
                        RequesterLetter.state.in_(("queued", "sending", "sent")),
                    )
                )
            )
        return [(receipt, receipt.reference in emailed) for receipt in receipts]

    def find(self, conversation_id: str, reference: str) -> Receipt | None:
        """The receipt for `reference`, if it was logged in this conversation."""
        with transaction(self._sessions) as session:
            ticket = session.scalar(
                select(Ticket).where(
                    Ticket.reference == reference, Ticket.conversation_id == conversation_id
                )
            )
            return None if ticket is None else self._receipt(ticket)

    def claim_email(self, reference: str) -> None:
        """Mark the receipt as emailed before sending it; AlreadySent if it was."""
        try:
            with transaction(self._sessions) as session:
                session.add(ReceiptEmail(ticket_reference=reference, sent_at=datetime.now(UTC)))
        except IntegrityError as error:
            raise AlreadySent(reference) from error

    def give_back_email(self, reference: str) -> None:
        """Undo a claim whose email could not be sent, so the person can try again."""
        with transaction(self._sessions) as session:
            session.execute(delete(ReceiptEmail).where(ReceiptEmail.ticket_reference == reference))

    def _receipt(self, ticket: Ticket) -> Receipt:
        assert ticket.reference is not None
        return Receipt(
            reference=ticket.reference,
            kind=self._kind_label(ticket.kind),
            request_text=ticket.request_text,
            received=ticket.received_at.astimezone(LONDON).date(),
            due_date=ticket.due_date,
            contact=ticket.requester_contact,
        )
