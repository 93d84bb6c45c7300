"""Receipts for requests logged in the web chat: a printable page, and one copy by email.

Only the device holding the conversation's signed id can reach them: the page's address carries a
token signed over the conversation and the reference, handed out only to that device.
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime

from itsdangerous import BadSignature, Signer
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.content.answers import Answers
from bot.content.markup import to_html
from bot.rules.clock import LONDON
from bot.rules.deadlines import kind_label
from bot.storage.engine import transaction
from bot.storage.tables import ReceiptEmail, Ticket
from bot.storage.tables.requester import RequesterLetter
from bot.tickets.acknowledgements import LETTER as ACKNOWLEDGEMENT
from bot.tickets.mailer import Mailer

RECEIPT_TEMPLATE = "_receipt"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


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


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


class Receipts:
    """Finds a conversation's logged requests and renders or emails their receipts."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        answers: Answers,
        secret: str,
        mailer: Mailer | None,
    ) -> None:
        self._sessions = sessions
        self._answers = answers
        self._signer = Signer(secret, salt="privacybot.web.receipt")
        self.mailer = mailer

    def of_conversation(self, conversation_id: str) -> list[tuple[Receipt, bool]]:
        """Each request logged in the conversation, oldest first, and whether it was emailed."""
        with transaction(self._sessions) as session:
            tickets = session.scalars(
                select(Ticket)
                .where(Ticket.conversation_id == conversation_id, Ticket.reference.is_not(None))
                .order_by(Ticket.id)
            ).all()
            receipts = [_receipt(ticket) for ticket in tickets]
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
            return None if ticket is None else _receipt(ticket)

    def token(self, conversation_id: str, reference: str) -> str:
        return self._signer.sign(f"{conversation_id}|{reference}").decode("ascii")

    def opened(self, token: str) -> tuple[str, str] | None:
        """The (conversation id, reference) inside a receipt token, or None if not ours."""
        try:
            conversation_id, _, reference = (
                self._signer.unsign(token).decode("ascii").partition("|")
            )
        except (BadSignature, UnicodeError):
            return None
        return conversation_id, reference

    def html(self, receipt: Receipt) -> str:
        """The receipt as safe HTML; the person's own words are inserted as text, never markup."""
        # A placeholder that no template or fact contains keeps their words out of the markdown.
        marker = f"REQUEST{secrets.token_hex(8)}"
        rendered = to_html(self._render(receipt, marker))
        return rendered.replace(marker, html.escape(receipt.request_text or receipt.kind))

    def plain_text(self, receipt: Receipt) -> str:
        """The receipt as a plain-text email body: bold marks dropped, links written out."""
        text = self._render(receipt, receipt.request_text or receipt.kind)
        text = _LINK.sub(lambda m: m.group(2).removeprefix("mailto:"), text)
        return text.replace("**", "") + "\n"

    def email(self, receipt: Receipt, subject: str) -> None:
        """Send the receipt to the requester once; AlreadySent if it went before.

        Claimed before sending, and the claim given back if sending fails, so the person can try
        again; MailFailed says why it failed.
        """
        assert self.mailer is not None
        assert receipt.email is not None
        try:
            with transaction(self._sessions) as session:
                session.add(ReceiptEmail(ticket_reference=receipt.reference, sent_at=_now()))
        except IntegrityError as error:
            raise AlreadySent(receipt.reference) from error
        try:
            self.mailer.send(receipt.email, subject, self.plain_text(receipt))
        except Exception:
            with transaction(self._sessions) as session:
                session.execute(
                    delete(ReceiptEmail).where(ReceiptEmail.ticket_reference == receipt.reference)
                )
            raise

    def _render(self, receipt: Receipt, request_text: str) -> str:
        return self._answers.render(
            RECEIPT_TEMPLATE,
            reference=receipt.reference,
            kind_label=receipt.kind,
            request_text=request_text,
            received=long_date(receipt.received),
            due_date=long_date(receipt.due_date),
        )


def _receipt(ticket: Ticket) -> Receipt:
    assert ticket.reference is not None
    return Receipt(
        reference=ticket.reference,
        kind=kind_label(ticket.kind),
        request_text=ticket.request_text,
        received=ticket.received_at.astimezone(LONDON).date(),
        due_date=ticket.due_date,
        contact=ticket.requester_contact,
    )


def _now() -> datetime:
    return datetime.now(UTC)
