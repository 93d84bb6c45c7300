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

from bot.slack import blocks
from bot.storage.engine import StorageUnavailable
from bot.tickets.feed import Delivery, TicketFeed

log = logging.getLogger(__name__)

PLATFORM = "slack"
# The message was deleted, or the channel changed: post the ticket afresh.
_GONE = frozenset({"message_not_found", "cant_update_message", "channel_not_found"})
_MAX_BACKOFF_SECONDS = 300.0


class TriageFeed:
    """Posts and updates triage messages in `channel` from the audit trail."""

    def __init__(
        self,
        feed: TicketFeed,
        client: Callable[[], WebClient],
        channel: str,
        channel_labels: Mapping[str, Any],
        today: Callable[[], date],
    ) -> None:
        self.feed = feed
        self._client = client
        self.channel = channel
        self._labels = channel_labels
        self._today = today

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
                summary, body = blocks.purged_blocks(delivery.reference)
                _update(client, post.channel, post.message_id, summary, body)
            return
        if post is None and ticket.closed:
            return  # closed before it was ever posted: nothing left to triage
        summary, body = blocks.triage_blocks(
            ticket, self._today(), delivery.last_event, self._labels
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

    async def run_forever(self, interval: float) -> None:
        """Run every `interval` seconds until cancelled; failures wait longer, never stop it."""
        wait = interval
        while True:
            try:
                await asyncio.to_thread(self.run_once)
                wait = interval
            except SlackApiError as error:
                wait = _backoff(wait, interval, error)
                log.error(
                    "Slack triage channel not updated (%s); trying again in %.0f s",
                    error.response.get("error") or error.response.status_code,
                    wait,
                )
            except (SlackClientError, OSError, StorageUnavailable) as error:
                wait = min(wait * 2, _MAX_BACKOFF_SECONDS)
                log.error(
                    "Slack triage channel not updated (%s); trying again in %.0f s", error, wait
                )
            except Exception:  # a bug must not end triage for good; the operator sees it
                wait = min(wait * 2, _MAX_BACKOFF_SECONDS)
                log.exception("Slack triage feed failed; trying again in %.0f s", wait)
            await asyncio.sleep(wait)


def _update(
    client: WebClient, channel: str, ts: str, summary: str, body: list[blocks.Block]
) -> None:
    client.chat_update(channel=channel, ts=ts, text=summary, blocks=body)


def _backoff(wait: float, interval: float, error: SlackApiError) -> float:
    if error.response.status_code == 429:
        # Sleep out the rate limit here, outside the batch, rather than holding the database.
        retry_after = str(error.response.headers.get("Retry-After", "") or "")
        return max(interval, float(retry_after) if retry_after.isdigit() else interval)
    return min(wait * 2, _MAX_BACKOFF_SECONDS)
