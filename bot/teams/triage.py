"""New tickets to the Teams triage channel, and every later change to their cards there.

The audit trail is the source (bot.tickets.feed): whichever way a ticket was logged or changed (a
Teams chat, the web chat, Slack, the console, the CLI), its events reach this poster, which posts
a card for a ticket that has none and updates the card of one that has. The channel is configured
(TEAMS_TRIAGE_CONVERSATION_ID with TEAMS_SERVICE_URL and TEAMS_TENANT_ID) rather than captured
when the bot is installed: a school chooses its triage channel once, and a restart or a second
worker needs nothing in memory to find it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import aiohttp
from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import CardFactory

from bot.rules.clock import LONDON
from bot.rules.lifecycle import Action
from bot.storage.engine import StorageUnavailable
from bot.teams.poster import TIMEOUT_SECONDS, ChannelPoster
from bot.teams.triage_card import triage_card
from bot.tickets.feed import Deliver, Delivery, FeedLoop, TicketFeed
from bot.tickets.messages import TicketMessages
from bot.tickets.service import TicketView

log = logging.getLogger(__name__)

PLATFORM = "teams"
# What the Bot Connector answers for a message that was deleted.
_GONE = (404, 410)


class TriagePoster:
    """Posts and updates triage cards in one channel, from the audit trail."""

    def __init__(
        self,
        poster: ChannelPoster,
        feed: TicketFeed,
        *,
        channel_id: str,
        actions_for: Callable[[TicketView], tuple[Action, ...]],
        messages: TicketMessages,
        now: Callable[[], datetime] = lambda: datetime.now(LONDON),
    ) -> None:
        self._poster = poster
        self._feed = feed
        self.channel_id = channel_id
        # The request service's rule (status and the law for the kind), with no transaction.
        self._actions_for = actions_for
        self._messages = messages
        self._now = now
        self._loop: FeedLoop | None = None

    def card_for(self, ticket: TicketView) -> dict[str, Any]:
        today = self._now().astimezone(LONDON).date()
        return triage_card(ticket, today, self._actions_for(ticket), self._messages)

    def is_triage_conversation(self, conversation_id: str) -> bool:
        """Whether a conversation is the triage channel or a thread in it."""
        return conversation_id.split(";", 1)[0] == self.channel_id

    # -- reading the trail ---------------------------------------------------------------------

    async def run_once(self) -> int:
        """Deliver what the trail holds since the last run; returns how many tickets."""
        return await self._in_thread(self._feed.run_once)

    async def post_open(self) -> int:
        """Post every open ticket that has no card in the channel yet (once)."""
        return await self._in_thread(self._feed.post_open)

    async def _in_thread(self, batch_of: Callable[[Deliver], int]) -> int:
        loop = asyncio.get_running_loop()

        def deliver(delivery: Delivery) -> None:
            # The feed runs in a worker thread (it blocks on the database); the SDK's calls run
            # on this event loop, and the result comes back to the feed's own transaction.
            future = asyncio.run_coroutine_threadsafe(self._deliver(delivery), loop)
            posted = future.result(timeout=TIMEOUT_SECONDS + 1)
            if posted is not None:
                delivery.record(self.channel_id, posted, self._reference_extra())

        batch = asyncio.ensure_future(asyncio.to_thread(batch_of, deliver))
        try:
            return await asyncio.shield(batch)
        except asyncio.CancelledError:
            # Shutting down: let the batch's transaction finish (deliveries time out quickly)
            # before the application closes the database under it.
            with contextlib.suppress(Exception):
                await batch
            raise

    def loop(self, interval: float) -> FeedLoop:
        """The background rounds, the same shape as every platform's; `nudge` wakes them."""
        self._loop = FeedLoop(
            "Teams triage channel",
            self.run_once,
            interval,
            expected=(aiohttp.ClientError, OSError, TimeoutError, StorageUnavailable),
        )
        return self._loop

    def nudge(self) -> None:
        """Read the trail soon; safe to call from any thread (a ticket listener runs in one)."""
        if self._loop is not None:
            self._loop.nudge()

    # -- talking to Teams ----------------------------------------------------------------------

    async def _deliver(self, delivery: Delivery) -> str | None:
        """Post or update one ticket's card; the new message's id when one was posted."""
        ticket = delivery.ticket
        if ticket is None:
            return None  # purged under the retention policy: its old card stays as it was
        card = CardFactory.adaptive_card(self.card_for(ticket))
        if delivery.post is not None:
            extra = delivery.post.extra
            update = Activity(
                type=ActivityTypes.message, id=delivery.post.message_id, attachments=[card]
            )
            try:
                await self._poster.update(
                    str(extra.get("conversation_id") or delivery.post.channel),
                    update,
                    service_url=str(extra.get("service_url") or self._poster.service_url),
                )
                return None
            except aiohttp.ClientResponseError as error:
                # Someone deleted the card. Retrying the update would stall the feed for every
                # ticket after this one, so the ticket gets a new card instead.
                if error.status not in _GONE:
                    raise
                log.warning("the Teams card of %s is gone; posting it again", ticket.reference)
        if ticket.closed:
            # Closed before the channel was set up: history, not work to triage.
            return None
        posted = await self._poster.post(
            self.channel_id, Activity(type=ActivityTypes.message, attachments=[card])
        )
        log.info("posted %s to the Teams triage channel", ticket.reference)
        return posted

    def _reference_extra(self) -> dict[str, Any]:
        # Enough to reach the message again even if the configured channel changes later.
        return {"service_url": self._poster.service_url, "conversation_id": self.channel_id}
