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
from microsoft_agents.activity import (
    Activity,
    ActivityEventNames,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
)
from microsoft_agents.hosting.core import CardFactory, TurnContext

from bot.storage.tables import LONDON
from bot.teams.sdk import TeamsConnection
from bot.teams.triage_card import triage_card
from bot.tickets.feed import Delivery, TicketFeed
from bot.tickets.service import TicketView

log = logging.getLogger(__name__)

PLATFORM = "teams"
TEAMS_CHANNEL_ID = "msteams"
# The feed holds its cursor lock while a card is posted, so a slow Teams must fail fast.
DELIVERY_TIMEOUT_SECONDS = 10.0
# How often the trail is read when nothing nudges the poster (tickets from the CLI or console).
POLL_SECONDS = 15.0
# What the Bot Connector answers for a message that was deleted.
_GONE = (404, 410)


class TriagePoster:
    """Posts and updates triage cards in one channel, from the audit trail."""

    def __init__(
        self,
        connection: TeamsConnection,
        feed: TicketFeed,
        *,
        channel_id: str,
        service_url: str,
        tenant_id: str | None,
        now: Callable[[], datetime] = lambda: datetime.now(LONDON),
    ) -> None:
        self._connection = connection
        self._feed = feed
        self.channel_id = channel_id
        self._service_url = service_url
        self._tenant_id = tenant_id
        self._now = now
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def card_for(self, ticket: TicketView) -> dict[str, Any]:
        return triage_card(ticket, self._now().astimezone(LONDON).date())

    def is_triage_conversation(self, conversation_id: str) -> bool:
        """Whether a conversation is the triage channel or a thread in it."""
        return conversation_id.split(";", 1)[0] == self.channel_id

    # -- reading the trail ---------------------------------------------------------------------

    async def run_once(self) -> int:
        """Deliver what the trail holds since the last run; returns how many tickets."""
        loop = asyncio.get_running_loop()

        def deliver(delivery: Delivery) -> None:
            # The feed runs in a worker thread (it blocks on the database); the SDK's calls run
            # on this event loop, and the result comes back to the feed's own transaction.
            future = asyncio.run_coroutine_threadsafe(self._deliver(delivery), loop)
            posted = future.result(timeout=DELIVERY_TIMEOUT_SECONDS + 1)
            if posted is not None:
                delivery.record(self.channel_id, posted, self._reference_extra())

        batch = asyncio.ensure_future(asyncio.to_thread(self._feed.run_once, deliver))
        try:
            return await asyncio.shield(batch)
        except asyncio.CancelledError:
            # Shutting down: let the batch's transaction finish (deliveries time out quickly)
            # before the application closes the database under it.
            with contextlib.suppress(Exception):
                await batch
            raise

    def nudge(self) -> None:
        """Read the trail soon; safe to call from any thread (a ticket listener runs in one)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    async def run_forever(self) -> None:
        """Read the trail whenever nudged, and every POLL_SECONDS regardless."""
        self._loop = asyncio.get_running_loop()
        while True:
            try:
                await self.run_once()
            except Exception:
                # The cursor stopped before what failed; the next round tries it again.
                log.exception("posting to the Teams triage channel failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
            self._wake.clear()

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
                await self._send(
                    lambda context: context.update_activity(update),
                    service_url=str(extra.get("service_url") or self._service_url),
                    conversation_id=str(extra.get("conversation_id") or delivery.post.channel),
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
        post = Activity(type=ActivityTypes.message, attachments=[card])
        posted: list[str] = []

        async def send(context: TurnContext) -> None:
            response = await context.send_activity(post)
            posted.append(response.id or "")

        await self._send(send, service_url=self._service_url, conversation_id=self.channel_id)
        if not posted or not posted[0]:
            raise RuntimeError(f"Teams gave no message id for the card of {ticket.reference}")
        log.info("posted %s to the Teams triage channel", ticket.reference)
        return posted[0]

    async def _send(
        self, callback: Callable[[TurnContext], Any], *, service_url: str, conversation_id: str
    ) -> None:
        """Run `callback` in a turn the bot starts itself in the channel."""
        connection = self._connection
        # Built by hand rather than with ConversationReference.get_continuation_activity(),
        # which gives the activity a random id: the card would then go out as a reply to a
        # message that does not exist, instead of as a new post in the channel.
        continuation = Activity(
            type=ActivityTypes.event,
            name=ActivityEventNames.continue_conversation,
            channel_id=TEAMS_CHANNEL_ID,
            service_url=service_url,
            conversation=ConversationAccount(
                id=conversation_id,
                is_group=True,
                conversation_type="channel",
                tenant_id=self._tenant_id,
            ),
            recipient=ChannelAccount(id=f"28:{connection.app_id or 'privacybot'}"),
        )

        async def run(context: TurnContext) -> None:
            await callback(context)

        await asyncio.wait_for(
            connection.adapter.continue_conversation_with_claims(
                connection.outgoing_identity(),
                continuation,
                run,
                audience=connection.outgoing_audience,
            ),
            DELIVERY_TIMEOUT_SECONDS,
        )

    def _reference_extra(self) -> dict[str, Any]:
        # Enough to reach the message again even if the configured channel changes later.
        return {
            "service_url": self._service_url,
            "conversation_id": self.channel_id,
            "tenant_id": self._tenant_id,
        }
