"""New and changed tickets for a staff platform, read from the audit trail past its cursor.

Every change to a ticket writes an audit event in the same transaction, so the trail is a feed
that no code path can forget to notify: tickets logged from the CLI, the web chat or any platform
all appear in it. One platform's notifier claims the platform's cursor row for the whole batch
(SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite every transaction takes the write
lock, which serialises the same way), hands each changed ticket to `deliver`, records where the
ticket's message lives, and advances the cursor in that one transaction. Several workers therefore
never deliver the same change twice, and a platform that is down only delays delivery: the cursor
stops before the first ticket that could not be delivered.

A platform's cursor starts at the present when the platform is first configured: turning Slack on
over years of tickets must not replay them all into the channel. `post_open` posts the open tickets
that have no message yet, once, for a school that wants them (`privacybot triage post-open`).

Every platform drives its feed the same way (`FeedLoop`): a round whenever something nudges it (a
ticket changed in this process) and every few seconds regardless (changes from the CLI, the
console or another worker), backing off while the platform or the database is down.

The lock is held while `deliver` talks to the platform, so deliveries must fail fast (short
timeouts, no sleeping out a rate limit inside the batch): raise, and the next run tries again.
For the same reason `deliver` must not open a transaction of its own (no service calls): on
SQLite it would wait for the very lock the batch holds. Everything it needs is on the Delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.engine import transaction
from bot.storage.tables import AuditEvent, ChannelCursor, ChannelPost, Ticket
from bot.tickets.service import TicketView

# The service's own conversion: the batch must read through its own session, because on SQLite a
# second transaction (any service call) would wait for the write lock this batch holds.
# (The request service is being split; its public `views.ticket_view` replaces this import.)
from bot.tickets.views import ticket_view

log = logging.getLogger(__name__)

# A platform that keeps failing is tried at least this often.
_MAX_BACKOFF_SECONDS = 300.0
# Reading a ticket changes nothing a platform shows.
_IGNORED_ACTIONS = ("viewed",)


@dataclass(frozen=True)
class PostRecord:
    """Where a ticket's message lives on the platform, as `record` stored it."""

    channel: str
    message_id: str
    extra: dict[str, Any]


@dataclass
class Delivery:
    """One changed ticket for `deliver`: its state now, and its message if one was posted."""

    reference: str
    # None once the ticket has been purged under the retention policy.
    ticket: TicketView | None
    post: PostRecord | None
    actions: tuple[str, ...]
    # The newest event delivered for the ticket: a version that changes with every change.
    last_event: int
    _session: Session = field(repr=False)
    _platform: str = field(repr=False)

    def record(self, channel: str, message_id: str, extra: dict[str, Any] | None = None) -> None:
        """Remember where the ticket's message now lives (after posting or moving it)."""
        now = datetime.now(UTC)
        row = self._session.scalar(
            select(ChannelPost).where(
                ChannelPost.platform == self._platform,
                ChannelPost.ticket_reference == self.reference,
            )
        )
        if row is None:
            row = ChannelPost(
                platform=self._platform,
                ticket_reference=self.reference,
                created_at=now,
            )
            self._session.add(row)
        row.channel = channel
        row.message_id = message_id
        row.extra = json.dumps(extra or {})
        row.updated_at = now
        self._session.flush()  # a second post for the ticket fails here, not at commit
        self.post = PostRecord(channel, message_id, dict(extra or {}))


Deliver = Callable[[Delivery], None]


class TicketFeed:
    """A platform's cursor over the audit trail."""

    def __init__(self, sessions: sessionmaker[Session], platform: str) -> None:
        self._sessions = sessions
        self.platform = platform

    def start(self) -> None:
        """Create the platform's cursor, at the newest audit event, unless it exists already."""
        self._ensure_cursor()

    def run_once(self, deliver: Deliver, limit: int = 200) -> int:
        """Deliver the tickets changed by up to `limit` new events; returns how many were.

        If `deliver` raises, what was delivered before it is kept, the cursor stops just before
        the failed ticket's first event, and the error is raised again for the caller to report.
        """
        self._ensure_cursor()
        failure: Exception | None = None
        delivered = 0
        with transaction(self._sessions) as session:
            cursor = session.scalar(
                select(ChannelCursor)
                .where(ChannelCursor.platform == self.platform)
                .with_for_update(skip_locked=True)
            )
            if cursor is None:  # another worker holds the batch: nothing for us to do
                return 0
            events = session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.id > cursor.last_event_id,
                    AuditEvent.ticket_reference.is_not(None),
                    AuditEvent.action.not_in(_IGNORED_ACTIONS),
                )
                .order_by(AuditEvent.id)
                .limit(limit)
            ).all()
            if not events:
                return 0
            reached = events[-1].id
            for reference, first_event, last_event, actions in _by_ticket(events):
                delivery = Delivery(
                    reference=reference,
                    ticket=self._ticket(session, reference),
                    post=self._post(session, reference),
                    actions=actions,
                    last_event=last_event,
                    _session=session,
                    _platform=self.platform,
                )
                try:
                    deliver(delivery)
                except Exception as error:
                    failure = error
                    reached = first_event - 1
                    break
                delivered += 1
            cursor.last_event_id = max(cursor.last_event_id, reached)
            cursor.updated_at = datetime.now(UTC)
        if failure is not None:
            raise failure
        return delivered

    def _ensure_cursor(self) -> None:
        with transaction(self._sessions) as session:
            if session.get(ChannelCursor, self.platform) is not None:
                return
        try:
            with transaction(self._sessions) as session:
                # A new platform starts at the present; history stays where it is.
                newest = session.scalar(select(func.max(AuditEvent.id))) or 0
                session.add(
                    ChannelCursor(
                        platform=self.platform, last_event_id=newest, updated_at=datetime.now(UTC)
                    )
                )
            log.info("%s triage feed starts after audit event %d", self.platform, newest)
        except IntegrityError:
            pass  # another worker created it first

    def post_open(self, deliver: Deliver) -> int:
        """Hand every open ticket without a message on this platform to `deliver`, once.

        Runs under the cursor's lock like a batch, so it never races a running feed; a ticket
        posted here has its message recorded, and is updated in place from then on.
        """
        self._ensure_cursor()
        delivered = 0
        with transaction(self._sessions) as session:
            cursor = session.scalar(
                select(ChannelCursor)
                .where(ChannelCursor.platform == self.platform)
                .with_for_update()
            )
            assert cursor is not None  # made just above
            posted = select(ChannelPost.ticket_reference).where(
                ChannelPost.platform == self.platform
            )
            tickets = session.scalars(
                select(Ticket)
                .where(Ticket.closed_at.is_(None), Ticket.reference.not_in(posted))
                .order_by(Ticket.id)
            ).all()
            for ticket in tickets:
                view = ticket_view(ticket)
                deliver(
                    Delivery(
                        reference=view.reference,
                        ticket=view,
                        post=None,
                        actions=(),
                        last_event=cursor.last_event_id,
                        _session=session,
                        _platform=self.platform,
                    )
                )
                delivered += 1
        return delivered

    def _ticket(self, session: Session, reference: str) -> TicketView | None:
        ticket = session.scalar(select(Ticket).where(Ticket.reference == reference))
        return None if ticket is None else ticket_view(ticket)

    def _post(self, session: Session, reference: str) -> PostRecord | None:
        row = session.scalar(
            select(ChannelPost).where(
                ChannelPost.platform == self.platform, ChannelPost.ticket_reference == reference
            )
        )
        if row is None:
            return None
        return PostRecord(row.channel, row.message_id, dict(json.loads(row.extra or "{}")))


def _by_ticket(
    events: Sequence[AuditEvent],
) -> list[tuple[str, int, int, tuple[str, ...]]]:
    """(reference, first and last event id, actions) per ticket, in order of first change."""
    grouped: dict[str, tuple[int, list[int], list[str]]] = {}
    for event in events:
        assert event.ticket_reference is not None  # filtered in the query
        _, ids, actions = grouped.setdefault(event.ticket_reference, (event.id, [], []))
        ids.append(event.id)
        if event.action not in actions:
            actions.append(event.action)
    return [
        (reference, first, ids[-1], tuple(actions))
        for reference, (first, ids, actions) in grouped.items()
    ]


class FeedLoop:
    """Runs a platform's feed round when nudged and every `interval` seconds; never stops."""

    def __init__(
        self,
        name: str,
        run_once: Callable[[], Awaitable[int]],
        interval: float,
        *,
        expected: tuple[type[Exception], ...] = (),
        retry_after: Callable[[Exception], float | None] = lambda _error: None,
    ) -> None:
        self.name = name
        self._run_once = run_once
        self._interval = interval
        # Failures the operator needs one line about (the platform or the database is down);
        # anything else is a bug, logged with its traceback.
        self._expected = expected
        self._retry_after = retry_after
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        # Rounds finished so far, failed ones too: what a caller waits on to know the first
        # round (run as the app starts) is over.
        self.rounds = 0

    def nudge(self) -> None:
        """Run a round soon; safe from any thread (the ticket listeners run in worker threads)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    async def run_forever(self) -> None:
        self._loop = asyncio.get_running_loop()
        wait = self._interval
        while True:
            try:
                await self._run_once()
                wait = self._interval
            except self._expected as error:
                wait = self._longer(wait, error)
                log.error("%s not updated (%s); trying again in %.0f s", self.name, error, wait)
            except Exception as error:  # a bug must not end triage for good
                wait = self._longer(wait, error)
                log.exception("%s failed; trying again in %.0f s", self.name, wait)
            self.rounds += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
            self._wake.clear()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run the loop in the background for the duration of the block."""
        task = asyncio.create_task(self.run_forever())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _longer(self, wait: float, error: Exception) -> float:
        at_least = self._retry_after(error)
        if at_least is not None:
            return max(self._interval, at_least)
        return min(max(wait, self._interval) * 2, _MAX_BACKOFF_SECONDS)
