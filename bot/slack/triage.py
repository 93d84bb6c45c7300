"""The triage channel: every ticket posted once, then updated in place as it changes.

Driven by the audit trail through bot.tickets.feed, so tickets logged anywhere (CLI, web chat,
Teams, Slack) arrive, several workers never post twice, and an outage only delays posting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import WebClient

from bot.rules.lifecycle import Action
from bot.slack import blocks
from bot.storage.engine import StorageUnavailable
from bot.tickets.feed import Delivery, FeedLoop, TicketFeed
from bot.tickets.messages import TicketMessages
from bot.tickets.service import TicketView

log = logging.getLogger(__name__)

PLATFORM = "slack"
# The message was deleted, or the channel changed: post the ticket afresh.
_GONE = frozenset({"message_not_found", "cant_update_message", "channel_not_found"})


class TriageFeed:
    """Posts and updates triage messages in `channel` from the audit trail."""

    def __init__(
        self,
        feed: TicketFeed,
        client: Callable[[], WebClient],
        channel: str,
        channel_labels: Mapping[str, Any],
        today: Callable[[], date],
        actions_for: Callable[[TicketView], tuple[Action, ...]],
        messages: TicketMessages,
    ) -> None:
        self.feed = feed
        self._client = client
        self.channel = channel
        self._labels = channel_labels
        self._today = today
        # The request service's rule (status and the law for the kind), with no transaction.
        self._actions_for = actions_for
        self._messages = messages

    def run_once(self) -> int:
        """Bring the channel up to date; returns how many tickets were posted or updated.

        Raises what stopped it (Slack or the database); what was done before is kept.
        """
        # Made before the batch: finding an installation's token reads the database, which on
        # SQLite would wait for the write lock the batch holds.
        client = self._client()
        return self.feed.run_once(lambda delivery: self._deliver(client, delivery))

    def _deliver(self, client: WebClient, delivery: Delivery) -> None:
        ticket, post = delivery.ticket, delivery.post
        if ticket is None:
            if post is not None:
                summary, body = blocks.purged_blocks(delivery.reference, self._messages)
                _update(client, post.channel, post.message_id, summary, body)
            return
        if post is None and ticket.closed:
            return  # closed before it was ever posted: nothing left to triage
        summary, body = blocks.triage_blocks(
            ticket,
            self._today(),
            delivery.last_event,
            self._labels,
            self._actions_for(ticket),
            self._messages,
        )
        if post is not None:
            try:
                _update(client, post.channel, post.message_id, summary, body)
                return
            except SlackApiError as error:
                if error.response.get("error") not in _GONE:
                    raise
        posted = client.chat_postMessage(
            channel=self.channel, text=summary, blocks=body, unfurl_links=False
        )
        delivery.record(str(posted.get("channel") or self.channel), str(posted["ts"]))

    def post_open(self) -> int:
        """Post every open ticket that has no message in the channel yet (once)."""
        client = self._client()
        return self.feed.post_open(lambda delivery: self._deliver(client, delivery))

    def loop(self, interval: float) -> FeedLoop:
        """The background rounds, the same shape as every platform's."""

        async def run_once() -> int:
            return await asyncio.to_thread(self.run_once)

        return FeedLoop(
            "Slack triage channel",
            run_once,
            interval,
            expected=(SlackClientError, OSError, StorageUnavailable),
            retry_after=_retry_after,
        )


def _update(
    client: WebClient, channel: str, ts: str, summary: str, body: list[blocks.Block]
) -> None:
    client.chat_update(channel=channel, ts=ts, text=summary, blocks=body)


def _retry_after(error: Exception) -> float | None:
    # Sleep out a rate limit here, outside the batch, rather than holding the database.
    if isinstance(error, SlackApiError) and error.response.status_code == 429:
        retry_after = str(error.response.headers.get("Retry-After", "") or "")
        return float(retry_after) if retry_after.isdigit() else None
    return None
