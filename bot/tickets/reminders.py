"""Deadline reminders: due-soon and overdue notices to Slack, Teams and email, each sent once.

Each (ticket, reminder, target) is claimed in the reminders_sent table before anything is sent:
the unique constraint lets exactly one run, in one process, claim it, however many run at once or
one after another. If sending fails the claims are given back, so the next run tries again. A
process killed between claiming and sending loses that one notice: a reminder is sent at most
once, never twice.

The notices carry the reference, kind, due date and assignee, never the requester's name or
words: a triage channel or a shared mailbox is not the place for them.

A target is anything with a `target` name and a `send` method (the Notifier protocol). Email is
here (SMTP); each staff platform keeps its own notifier beside its other code: Slack's in
bot/slack/reminders.py, Teams' (cards from the bot, or an incoming webhook) in
bot/teams/reminders.py. A notifier that posts one message per notice says which ones went out
before a failure, so those are never sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.rules.clock import london_now
from bot.storage.engine import storage_errors
from bot.storage.tables import ReminderSent
from bot.tickets.mailer import Mailer, MailFailed
from bot.tickets.notices import Notice, due_notices
from bot.tickets.reminder_words import ReminderWords, shipped_reminder_words
from bot.tickets.service import RequestService

log = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """A target could not take the notices; the message says why (no personal data)."""

    def __init__(self, message: str, delivered: Sequence[Notice] = ()) -> None:
        super().__init__(message)
        # The notices that did go out before the failure: they count as sent.
        self.delivered = tuple(delivered)


class Notifier(Protocol):
    """Somewhere reminders go; `target` is its name in reminders_sent (slack, teams, email)."""

    @property
    def target(self) -> str: ...

    def send(self, notices: Sequence[Notice], words: ReminderWords) -> None:
        """Deliver the notices in `words` as one message, or raise DeliveryFailed."""


class EmailNotifier:
    """One email to the configured addresses, through the same mailer as letters to requesters."""

    target = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: str,
        sender: str,
        recipients: Sequence[str],
        user: str | None = None,
        password: str | None = None,
    ) -> None:
        self._mailer = Mailer(host, port, security, sender, user, password)
        self._recipients = list(recipients)

    def send(self, notices: Sequence[Notice], words: ReminderWords) -> None:
        try:
            subject, body = words.summary(notices), words.plain_text(notices)
            self._mailer.send(", ".join(self._recipients), subject, body)
        except MailFailed as error:
            where = f"{self._mailer.host}:{self._mailer.port}"
            raise DeliveryFailed(f"email via {where} failed: {error}") from error


@dataclass
class RunReport:
    """What one run found and did, per target."""

    notices: list[Notice]
    sent: dict[str, list[Notice]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # target -> why


class Reminders:
    """Work out today's reminders and send each one not yet sent to each target."""

    def __init__(
        self,
        requests: RequestService,
        notifiers: Sequence[Notifier],
        *,
        due_soon_days: int,
        link_base: str | None = None,
        now: Callable[[], datetime] = london_now,
        words: ReminderWords | None = None,
    ) -> None:
        self._requests = requests
        self.words = words or shipped_reminder_words()
        self._sessions = requests.sessions
        self._notifiers = list(notifiers)
        self._due_soon_days = due_soon_days
        self._link_base = link_base
        self._now = now

    def run(self, *, dry_run: bool = False) -> RunReport:
        """Send what is due; with `dry_run`, only report what would be sent, claiming nothing."""
        today = self._now().date()
        notices = due_notices(
            self._requests.list_tickets(),
            today,
            due_soon_days=self._due_soon_days,
            link_base=self._link_base,
            kind_label=self._requests.messages.kind_label,
        )
        report = RunReport(notices)
        for notifier in self._notifiers:
            fresh = self._unsent(notifier.target, notices)
            if dry_run:
                report.sent[notifier.target] = fresh
                continue
            claimed = [n for n in fresh if self._claim(notifier.target, n)]
            if not claimed:
                continue
            try:
                notifier.send(claimed, self.words)
            except DeliveryFailed as error:
                log.error("reminders to %s not sent, will retry: %s", notifier.target, error)
                for notice in claimed:
                    if notice not in error.delivered:
                        self._release(notifier.target, notice)
                report.failed[notifier.target] = str(error)
                if error.delivered:
                    report.sent[notifier.target] = list(error.delivered)
                continue
            log.info("sent %d reminders to %s", len(claimed), notifier.target)
            report.sent[notifier.target] = claimed
        return report

    def _unsent(self, target: str, notices: Sequence[Notice]) -> list[Notice]:
        with storage_errors(), self._sessions.begin() as session:
            rows = session.execute(
                select(ReminderSent.ticket_reference, ReminderSent.reminder).where(
                    ReminderSent.target == target
                )
            )
            sent = {(reference, reminder) for reference, reminder in rows}
        return [n for n in notices if (n.reference, n.reminder.value) not in sent]

    def _claim(self, target: str, notice: Notice) -> bool:
        """Record the reminder as sent before sending it; False if another run already did."""
        try:
            with storage_errors(), self._sessions.begin() as session:
                session.add(
                    ReminderSent(
                        ticket_reference=notice.reference,
                        reminder=notice.reminder.value,
                        target=target,
                        sent_at=datetime.now(UTC),
                    )
                )
        except IntegrityError:
            return False
        return True

    def _release(self, target: str, notice: Notice) -> None:
        with storage_errors(), self._sessions.begin() as session:
            session.execute(
                delete(ReminderSent).where(
                    ReminderSent.ticket_reference == notice.reference,
                    ReminderSent.reminder == notice.reminder.value,
                    ReminderSent.target == target,
                )
            )
