"""Staff letters to a requester: previewed, sent (or recorded for post), kept, and the clock moved.

Each letter's clock effect is the law's, not a choice: asking for ID or a fee starts the month
again when it arrives (the ticket waits), asking for clarification pauses the clock, telling the
requester of an extension extends it (only within the first month), and a refusal closes the
ticket as refused. The request service makes the change first, so a letter the rules forbid is
never sent; then the letter goes by email, or is recorded as sent by post when there is no email
address. The text sent is kept on the ticket, and the status page shows it to the requester.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from bot.rules.clock import london_now
from bot.rules.deadlines import PauseReason, due_date
from bot.rules.lifecycle import NoteVisibility, Outcome
from bot.storage.engine import transaction
from bot.storage.tables import Ticket
from bot.storage.tables.requester import RequesterLetter
from bot.tickets.acknowledgements import email_address
from bot.tickets.letters import Letter, Letters
from bot.tickets.mailer import Mailer, MailFailed
from bot.tickets.service import InvalidChange, RequestService, TicketView


class LetterKind(StrEnum):
    ID_REQUEST = "id_request"
    CLARIFICATION_REQUEST = "clarification_request"
    FEE_REQUEST = "fee_request"
    EXTENSION_NOTICE = "extension_notice"
    REFUSAL = "refusal"
    RESPONSE_COVER = "response_cover"
    COMPLAINT_ACKNOWLEDGEMENT = "complaint_acknowledgement"


# Letters only the data protection lead or an administrator may send (as with refusing in the
# console: a refusal is a legal decision).
RECORD_KEEPERS_ONLY = frozenset({LetterKind.REFUSAL})


@dataclass(frozen=True)
class Sent:
    ticket: TicketView
    letter: Letter
    emailed_to: str | None
    failed: str | None = None


@dataclass(frozen=True)
class KeptLetter:
    """A letter as it went (or failed to go), for the ticket's record of what was sent."""

    subject: str | None
    body: str | None
    sent_at: datetime | None
    state: str


class Correspondence:
    def __init__(
        self,
        requests: RequestService,
        letters: Letters,
        mailer: Mailer | None,
        answers_dir: Path,
        *,
        now: Callable[[], datetime] = london_now,
    ) -> None:
        self._requests, self._letters, self._mailer = requests, letters, mailer
        folder = answers_dir / "letters"
        self.catalogue: dict[str, dict[str, Any]] = _yaml(folder / "catalogue.yaml")
        self._notes: Mapping[str, Any] = _yaml(folder / "notes.yaml")
        # What the console says when a step other than a letter is done.
        self.done_words: Mapping[str, str] = self._notes.get("done", {})
        self._now = now

    def offered(self, ticket: TicketView) -> list[LetterKind]:
        """The letters that fit this kind of request (the service still checks its status)."""
        if ticket.closed:
            return []
        return [
            kind for kind in LetterKind if ticket.kind.value in self.catalogue[kind.value]["kinds"]
        ]

    def preview(self, ticket: TicketView, kind: LetterKind, message: str) -> Letter:
        """The letter as it would be sent, for staff to read first."""
        self._check_offered(ticket, kind)
        new_due = ticket.due_date
        if kind is LetterKind.EXTENSION_NOTICE:
            # Three months from the start; sending recomputes it with any pauses exactly.
            new_due = due_date(
                ticket.kind,
                ticket.received_on,
                extended=True,
                calendar=self._requests.calendar,
                school_type=self._requests.school_type,
                today=self._now().date(),
            )
        text = self._required(message)
        return self._letters.write(kind.value, ticket, message=text, new_due=new_due)

    def send(self, ticket: TicketView, kind: LetterKind, message: str, *, actor: str) -> Sent:
        self._check_offered(ticket, kind)
        text = self._required(message)
        moved = self._move_clock(ticket, kind, text, actor)
        letter = self._letters.write(kind.value, moved, message=text, new_due=moved.due_date)
        title = self.catalogue[kind.value]["title"]
        address = email_address(moved.requester_contact)
        failed: str | None = None
        if address is not None and self._mailer is not None:
            try:
                self._mailer.send(address, letter.subject, letter.body)
            except MailFailed as error:
                failed = str(error)
        state = "failed" if failed else "sent"
        self._keep(moved.reference, kind, state, address or "", letter, failed)
        if failed:
            note = self._notes["letter_failed"].format(title=title, address=address, error=failed)
            visibility = NoteVisibility.INTERNAL
        elif address is not None and self._mailer is not None:
            note = self._notes["letter_sent"].format(title=title, address=address)
            visibility = NoteVisibility.TO_REQUESTER
        else:
            note = self._notes["letter_recorded"].format(title=title)
            visibility = NoteVisibility.TO_REQUESTER
        self._requests.add_note(moved.reference, note, actor=actor, visibility=visibility)
        emailed = address if not failed and self._mailer is not None else None
        return Sent(moved, letter, emailed, failed)

    def sent_so_far(self, reference: str) -> list[KeptLetter]:
        """The letters sent (or that failed) on a ticket, oldest first."""
        with transaction(self._requests.sessions) as session:
            rows = session.execute(
                select(
                    RequesterLetter.subject,
                    RequesterLetter.body,
                    RequesterLetter.sent_at,
                    RequesterLetter.state,
                )
                .join(Ticket, Ticket.id == RequesterLetter.ticket_id)
                .where(
                    Ticket.reference == reference.strip().upper(),
                    RequesterLetter.state.in_(("sent", "failed")),
                )
                .order_by(RequesterLetter.id)
            ).all()
        return [KeptLetter(*row) for row in rows]

    def link_paragraph(self, link: str) -> str:
        """The covering letter's paragraph about the secure link to the documents."""
        return str(self._notes["link"]).format(link=link)

    def _required(self, message: str) -> str:
        text = message.strip()
        if not text:
            raise InvalidChange(self._requests.messages.problem("letter_paragraph_missing"))
        return text[:5_000]

    def _check_offered(self, ticket: TicketView, kind: LetterKind) -> None:
        if kind not in self.offered(ticket):
            messages = self._requests.messages
            raise InvalidChange(
                messages.problem(
                    "letter_does_not_fit",
                    reference=ticket.reference,
                    letter=self.catalogue[kind.value]["title"].lower(),
                    kind=messages.kind_label(ticket.kind),
                )
            )

    def _move_clock(
        self, ticket: TicketView, kind: LetterKind, text: str, actor: str
    ) -> TicketView:
        reference, today = ticket.reference, self._now().date()
        if kind is LetterKind.ID_REQUEST:
            return self._requests.request_id(reference, actor=actor, on=today)
        if kind is LetterKind.CLARIFICATION_REQUEST:
            return self._requests.pause(
                reference, PauseReason.AWAITING_CLARIFICATION, actor=actor, on=today
            )
        if kind is LetterKind.FEE_REQUEST:
            return self._requests.pause(reference, PauseReason.AWAITING_FEE, actor=actor, on=today)
        if kind is LetterKind.EXTENSION_NOTICE:
            return self._requests.extend(reference, text, actor=actor, told_on=today)
        if kind is LetterKind.REFUSAL:
            return self._requests.close(reference, Outcome.REFUSED, actor=actor, reason=text)
        return ticket

    def _keep(
        self,
        reference: str,
        kind: LetterKind,
        state: str,
        address: str,
        letter: Letter,
        error: str | None,
    ) -> None:
        with transaction(self._requests.sessions) as session:
            ticket_id = session.scalar(select(Ticket.id).where(Ticket.reference == reference))
            session.add(
                RequesterLetter(
                    ticket_id=ticket_id,
                    letter=kind.value,
                    state=state,
                    address=address,
                    subject=letter.subject,
                    body=letter.body,
                    created_at=self._now(),
                    sent_at=self._now(),
                    error=error,
                )
            )


def _yaml(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), path
    return loaded
