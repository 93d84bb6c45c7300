"""Acknowledgement emails: every request logged with an email address gets one, exactly once.

An outbox in the database, so no channel has to remember to send and no crash can send twice:
logging a ticket commits it; `queue_new` then gives each new ticket one `requester_letters` row
(unique per ticket, so two workers cannot both queue it); `send_queued` claims a row by moving it
from queued to sending in one statement, sends, and records the outcome on the ticket's timeline.
A row found still "sending" later was interrupted mid-send: it is never retried blindly (that
could send twice), but marked failed so staff can check with the requester.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import yaml
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import CursorResult, Row, and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.content.school import School
from bot.rules.clock import london_now
from bot.rules.lifecycle import NoteVisibility
from bot.storage.engine import transaction
from bot.storage.tables import Ticket
from bot.storage.tables.requester import RequesterLetter
from bot.tickets.letters import LetterProblem, Letters
from bot.tickets.mailer import Mailer, MailFailed
from bot.tickets.service import RequestService, TicketView
from bot.tickets.views import ticket_view

log = logging.getLogger(__name__)

LETTER = "acknowledgement"
# The requester's status page (bot/web/status.py), linked from every letter.
STATUS_PATH = "/requests/status"
# Who the timeline names for what the bot does by itself.
BOT_ACTOR = "privacybot"
# A send takes seconds; a row still "sending" after this long belongs to a worker that died.
_INTERRUPTED_AFTER = timedelta(minutes=10)
# Longer than any transaction that logs a ticket, and than clocks on two servers differ.
_LOOK_BACK = timedelta(minutes=10)


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    failed: int = 0


def email_address(contact: str) -> str | None:
    """The contact as a normalised email address, or None for a phone number or a postal address."""
    try:
        return validate_email(contact.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


class Acknowledgements:
    def __init__(
        self,
        requests: RequestService,
        letters: Letters,
        mailer: Mailer,
        notes: Mapping[str, str],
        *,
        status_url: str | None = None,
        now: Callable[[], datetime] = london_now,
    ) -> None:
        self._requests = requests
        self._sessions: sessionmaker[Session] = requests.sessions
        self._letters, self._mailer, self._notes = letters, mailer, notes
        self._status_url, self._now = status_url, now
        self._logged_since: datetime | None = None

    def run_once(self) -> SendReport:
        """Queue what is new, then send what is queued."""
        self.queue_new()
        return self.send_queued()

    def queue_new(self) -> int:
        """Give every ticket without one an acknowledgement row; returns how many were queued.

        A process's first round looks at every ticket; later rounds only at those logged since
        shortly before the previous round began (the logged_at index), so a round costs what
        is new, not the trust's whole history. The look-back covers a ticket whose transaction
        began before that round and committed after it.
        """
        started = self._now()
        query = (
            select(Ticket.id, Ticket.requester_contact)
            .outerjoin(
                RequesterLetter,
                and_(RequesterLetter.ticket_id == Ticket.id, RequesterLetter.letter == LETTER),
            )
            .where(RequesterLetter.id.is_(None), Ticket.reference.is_not(None))
        )
        if self._logged_since is not None:
            query = query.where(Ticket.logged_at >= self._logged_since)
        with transaction(self._sessions) as session:
            new = session.execute(query).all()
        queued = self._queue(new)
        self._logged_since = started - _LOOK_BACK
        return queued

    def _queue(self, new: Sequence[Row[int, str]]) -> int:
        queued = 0
        for ticket_id, contact in new:
            address = email_address(contact)
            try:
                with transaction(self._sessions) as session:
                    session.add(
                        RequesterLetter(
                            ticket_id=ticket_id,
                            letter=LETTER,
                            # No email address: there is nobody to email, and nothing to retry.
                            state="queued" if address else "skipped",
                            address=address or "",
                            created_at=self._now(),
                        )
                    )
            except IntegrityError:
                continue  # another worker queued it first: one row, one email
            queued += address is not None
        return queued

    def send_queued(self) -> SendReport:
        self._fail_interrupted()
        with transaction(self._sessions) as session:
            ids = session.scalars(
                select(RequesterLetter.id)
                .where(RequesterLetter.letter == LETTER, RequesterLetter.state == "queued")
                .order_by(RequesterLetter.id)
            ).all()
        sent = failed = 0
        for letter_id in ids:
            outcome = self._send_one(letter_id)
            sent += outcome == "sent"
            failed += outcome == "failed"
        return SendReport(sent=sent, failed=failed)

    def _claim(self, letter_id: int) -> tuple[str, TicketView] | None:
        with transaction(self._sessions) as session:
            claimed = cast(
                "CursorResult[Any]",
                session.execute(
                    update(RequesterLetter)
                    .where(RequesterLetter.id == letter_id, RequesterLetter.state == "queued")
                    .values(state="sending", sent_at=self._now())
                ),
            )
            if claimed.rowcount != 1:
                return None  # another worker has it
            row = session.get(RequesterLetter, letter_id)
            ticket = session.get(Ticket, row.ticket_id) if row is not None else None
            if row is None or ticket is None:
                return None
            # Reading to write a letter is not a member of staff viewing the ticket: no audit.
            return row.address, ticket_view(ticket)

    def _send_one(self, letter_id: int) -> str | None:
        claimed = self._claim(letter_id)
        if claimed is None:
            return None
        address, ticket = claimed
        try:
            letter = self._letters.write(LETTER, ticket, status_url=self._status_url)
            self._mailer.send(address, letter.subject, letter.body)
        except (MailFailed, LetterProblem) as error:
            log.warning("acknowledgement for %s not sent: %s", ticket.reference, error)
            self._finish(letter_id, "failed", error=str(error))
            note = self._notes["failed"].format(address=address, error=error)
            self._requests.add_note(ticket.reference, note, actor=BOT_ACTOR)
            return "failed"
        self._finish(letter_id, "sent", subject=letter.subject, body=letter.body)
        note = self._notes["sent"].format(address=address)
        self._requests.add_note(
            ticket.reference, note, actor=BOT_ACTOR, visibility=NoteVisibility.TO_REQUESTER
        )
        log.info("acknowledgement for %s sent", ticket.reference)
        return "sent"

    def _finish(self, letter_id: int, state: str, **values: str) -> None:
        with transaction(self._sessions) as session:
            session.execute(
                update(RequesterLetter)
                .where(RequesterLetter.id == letter_id)
                .values(state=state, sent_at=self._now(), **values)
            )

    def _fail_interrupted(self) -> None:
        cutoff = self._now() - _INTERRUPTED_AFTER
        with transaction(self._sessions) as session:
            stuck = session.execute(
                select(RequesterLetter.id, RequesterLetter.address, Ticket.reference)
                .join(Ticket, Ticket.id == RequesterLetter.ticket_id)
                .where(RequesterLetter.state == "sending", RequesterLetter.sent_at < cutoff)
            ).all()
        for letter_id, address, reference in stuck:
            assert reference is not None  # only a ticket mid-creation has none
            self._finish(letter_id, "failed", error="interrupted while sending")
            note = self._notes["interrupted"].format(address=address)
            self._requests.add_note(reference, note, actor=BOT_ACTOR)


def build_acknowledgements(
    settings: Settings, requests: RequestService, school: School
) -> Acknowledgements | None:
    """The configured sender, or None when SMTP is not set up (nothing is queued either)."""
    mailer = Mailer.from_settings(settings)
    if mailer is None:
        return None
    notes_file = school.answers_dir / "letters" / "notes.yaml"
    notes = yaml.safe_load(notes_file.read_text(encoding="utf-8"))
    status_url = f"{settings.public_url}{STATUS_PATH}" if settings.public_url else None
    return Acknowledgements(
        requests,
        Letters(school.answers_dir, school.facts),
        mailer,
        notes,
        status_url=status_url,
    )
