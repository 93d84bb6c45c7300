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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.rules.clock import london_now
from bot.rules.deadlines import kind_label
from bot.storage.engine import storage_errors
from bot.storage.tables import ReminderSent
from bot.tickets.mailer import Mailer, MailFailed
from bot.tickets.service import RequestService, TicketView

log = logging.getLogger(__name__)


class Reminder(StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


class DeliveryFailed(Exception):
    """A target could not take the notices; the message says why (no personal data)."""

    def __init__(self, message: str, delivered: Sequence[Notice] = ()) -> None:
        super().__init__(message)
        # The notices that did go out before the failure: they count as sent.
        self.delivered = tuple(delivered)


@dataclass(frozen=True)
class Notice:
    """One reminder about one ticket."""

    reminder: Reminder
    reference: str
    kind: str  # in words
    due_date: date
    days: int  # left (due soon) or past (overdue)
    assignee: str | None
    link: str | None
    # The ticket as it stood, for a notifier that shows its actions (Teams cards).
    ticket: TicketView | None = field(default=None, compare=False, repr=False)

    def line(self) -> str:
        if self.reminder is Reminder.OVERDUE:
            when = f"was due {self.due_date:%a %-d %b}, {_days(self.days)} overdue"
        elif self.days == 0:
            when = f"due today, {self.due_date:%a %-d %b}"
        else:
            when = f"due {self.due_date:%a %-d %b}, in {_days(self.days)}"
        who = f"with {self.assignee}" if self.assignee else "nobody has taken it"
        return f"{self.reference} ({self.kind}): {when}; {who}"


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def due_notices(
    tickets: Iterable[TicketView], today: date, *, due_soon_days: int, link_base: str | None
) -> list[Notice]:
    """Return the reminders the open tickets call for today, overdue first, soonest due first."""
    notices = []
    for ticket in tickets:
        if ticket.closed or ticket.paused:  # a paused clock has no due date to chase yet
            continue
        left = ticket.days_left(today)
        if left < 0:
            reminder, days = Reminder.OVERDUE, -left
        elif left <= due_soon_days:
            reminder, days = Reminder.DUE_SOON, left
        else:
            continue
        link = f"{link_base}/console/tickets/{ticket.reference}" if link_base else None
        notices.append(
            Notice(
                reminder,
                ticket.reference,
                kind_label(ticket.kind),
                ticket.due_date,
                days,
                ticket.assignee,
                link,
                ticket,
            )
        )
    notices.sort(key=lambda n: (n.reminder is not Reminder.OVERDUE, n.due_date, n.reference))
    return notices


def summary(notices: Sequence[Notice]) -> str:
    overdue = sum(1 for n in notices if n.reminder is Reminder.OVERDUE)
    soon = len(notices) - overdue
    parts = [f"{overdue} overdue"] if overdue else []
    parts += [f"{soon} due soon"] if soon else []
    return "Data protection requests: " + " and ".join(parts)


def plain_text(notices: Sequence[Notice]) -> str:
    """The notices as plain text, grouped: overdue, then due soon."""
    lines = [summary(notices), ""]
    for reminder, heading in ((Reminder.OVERDUE, "Overdue"), (Reminder.DUE_SOON, "Due soon")):
        group = [n for n in notices if n.reminder is reminder]
        if group:
            lines.append(f"{heading}:")
            lines += [f"- {n.line()}" + (f"\n  {n.link}" if n.link else "") for n in group]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


class Notifier(Protocol):
    """Somewhere reminders go; `target` is its name in reminders_sent (slack, teams, email)."""

    @property
    def target(self) -> str: ...

    def send(self, notices: Sequence[Notice]) -> None:
        """Deliver the notices as one message, or raise DeliveryFailed."""


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

    def send(self, notices: Sequence[Notice]) -> None:
        try:
            self._mailer.send(", ".join(self._recipients), summary(notices), plain_text(notices))
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
    ) -> None:
        self._requests = requests
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
                notifier.send(claimed)
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
