"""Sending the response safely: a redaction check by the dpo, then an expiring link, never email.

The response's documents never travel by email. The requester gets a link that works for a set
number of days (14 by default) and only with a one-time code sent to their email address; every
download is written to the audit trail, and staff can revoke the link at once. The link cannot
be made until a dpo or admin has confirmed every item of the redaction checklist.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.content.wordbook import Wordbook
from bot.rules.clock import london_now
from bot.storage.engine import transaction
from bot.storage.tables import AuditEvent, Ticket
from bot.storage.tables.requester import Delivery, RedactionCheck, TicketFile
from bot.tickets.messages import shipped_messages
from bot.tickets.service import InvalidChange, TicketNotFound
from bot.tickets.validation import find_ticket

LINK_DAYS = 14


@dataclass(frozen=True)
class Link:
    id: int
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class OpenDelivery:
    delivery_id: int
    ticket_id: int
    reference: str


def load_checklist(answers_dir: Path) -> dict[str, str]:
    loaded = yaml.safe_load((answers_dir / "letters" / "redaction.yaml").read_text("utf-8"))
    return {str(key): str(value) for key, value in loaded.items()}


class Deliveries:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        key: str,
        checklist: Mapping[str, str],
        *,
        now: Callable[[], datetime] = london_now,
        link_days: int = LINK_DAYS,
        problems: Wordbook | None = None,
    ) -> None:
        self._sessions, self._key = sessions, key.encode()
        self.checklist = dict(checklist)
        self._now, self._days = now, link_days
        # Why a step was refused, in the school's words: the request service's ticket_problems.
        self._problems = problems or shipped_messages().problems

    def _hash(self, token: str) -> str:
        return hmac.new(self._key, token.encode(), hashlib.sha256).hexdigest()

    def confirm_checks(self, reference: str, items: set[str], *, actor: str) -> None:
        """The dpo confirms the checklist; every item must be ticked."""
        missing = [text for item, text in self.checklist.items() if item not in items]
        if missing:
            raise InvalidChange(self._problems.say("checks_unconfirmed", check=missing[0]))
        with transaction(self._sessions) as session:
            ticket = self._ticket(session, reference)
            session.add(
                RedactionCheck(
                    ticket_id=ticket.id,
                    items=" ".join(sorted(items)),
                    checked_by=actor[:100],
                    checked_at=self._now(),
                )
            )
            self._audit(session, ticket, actor, "redaction_checked")

    def checked_by(self, reference: str) -> tuple[str, datetime] | None:
        with transaction(self._sessions) as session:
            check = session.execute(
                select(RedactionCheck.checked_by, RedactionCheck.checked_at)
                .where(RedactionCheck.ticket_id == self._ticket(session, reference).id)
                .order_by(RedactionCheck.id.desc())
                .limit(1)
            ).first()
            return (check[0], check[1]) if check else None

    def create_link(self, reference: str, *, actor: str) -> str:
        """A new link token for the response; refused before the checks or without files."""
        with transaction(self._sessions) as session:
            ticket = self._ticket(session, reference)
            checked = session.scalar(
                select(RedactionCheck.id).where(RedactionCheck.ticket_id == ticket.id).limit(1)
            )
            if checked is None:
                raise InvalidChange(self._problems.say("checks_first", reference=ticket.reference))
            staff_files = session.scalar(
                select(TicketFile.id)
                .where(TicketFile.ticket_id == ticket.id, TicketFile.source == "staff")
                .limit(1)
            )
            if staff_files is None:
                raise InvalidChange(
                    self._problems.say("response_files_first", reference=ticket.reference)
                )
            token = secrets.token_urlsafe(32)
            now = self._now()
            session.add(
                Delivery(
                    ticket_id=ticket.id,
                    token_hash=self._hash(token),
                    created_by=actor[:100],
                    created_at=now,
                    expires_at=now + timedelta(days=self._days),
                )
            )
            self._audit(session, ticket, actor, "response_link_sent")
            return token

    def links(self, reference: str) -> list[Link]:
        with transaction(self._sessions) as session:
            rows = session.scalars(
                select(Delivery)
                .where(Delivery.ticket_id == self._ticket(session, reference).id)
                .order_by(Delivery.id)
            ).all()
            return [
                Link(row.id, row.created_by, row.created_at, row.expires_at, row.revoked_at)
                for row in rows
            ]

    def revoke(self, reference: str, link_id: int, *, actor: str) -> None:
        with transaction(self._sessions) as session:
            ticket = self._ticket(session, reference)
            row = session.scalar(
                select(Delivery).where(Delivery.id == link_id, Delivery.ticket_id == ticket.id)
            )
            if row is None:
                raise TicketNotFound(
                    self._problems.say("no_link", reference=ticket.reference, link=link_id)
                )
            if row.revoked_at is None:
                row.revoked_at, row.revoked_by = self._now(), actor[:100]
                self._audit(session, ticket, actor, "response_link_revoked")

    def open(self, token: str) -> OpenDelivery | None:
        """The delivery a link's token names, if it is still live."""
        with transaction(self._sessions) as session:
            row = session.scalar(select(Delivery).where(Delivery.token_hash == self._hash(token)))
            if row is None or row.revoked_at is not None or row.expires_at <= self._now():
                return None
            reference = session.scalar(select(Ticket.reference).where(Ticket.id == row.ticket_id))
            if reference is None:
                return None
            return OpenDelivery(row.id, row.ticket_id, reference)

    def record_download(self, delivery: OpenDelivery) -> None:
        with transaction(self._sessions) as session:
            ticket = session.get(Ticket, delivery.ticket_id)
            if ticket is not None:
                # The file's name stays on the ticket; the trail records only that one was taken.
                self._audit(session, ticket, "requester (secure link)", "response_downloaded")

    def _ticket(self, session: Session, reference: str) -> Ticket:
        return find_ticket(session, reference, self._problems)

    def _audit(self, session: Session, ticket: Ticket, actor: str, action: str) -> None:
        session.add(
            AuditEvent(
                ticket_id=ticket.id,
                ticket_reference=ticket.reference,
                at=self._now(),
                actor=actor[:100],
                action=action,
            )
        )
