"""The bot starting turns of its own in a Teams channel: new posts, replies in a thread, updates.

Teams lets a bot post only from inside a turn, so each post continues the conversation with the
bot's own identity (bot.teams.sdk). The triage feed, the hand-off threads and the reminders all
post through here. The web application's synchronous parts (the conversation handler runs in a
worker thread) reach the event loop the SDK lives on through `call`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from microsoft_agents.activity import (
    Activity,
    ActivityEventNames,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
)
from microsoft_agents.hosting.core import TurnContext

from bot.teams.sdk import TeamsConnection

TEAMS_CHANNEL_ID = "msteams"
# A slow Teams must fail fast: the feed holds its cursor lock, and a parent is waiting.
TIMEOUT_SECONDS = 10.0

T = TypeVar("T")


class NotRunning(RuntimeError):
    """A post was asked for from a worker thread while the application's loop is not running."""


def thread_conversation(channel_id: str, root_id: str) -> str:
    """The conversation id of the thread under the channel post `root_id` (Teams' own form)."""
    return f"{channel_id};messageid={root_id}"


class ChannelPoster:
    """Posts into one tenant's channels at `service_url` as the bot."""

    def __init__(
        self,
        connection: TeamsConnection,
        *,
        service_url: str,
        tenant_id: str | None,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._connection = connection
        self.service_url = service_url
        self._tenant_id = tenant_id
        self._timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None

    def attach(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """Use `loop` (the application's, while it serves) for calls from worker threads."""
        self._loop = loop

    def call(self, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run `work` on the application's event loop from a worker thread, and wait for it."""
        loop = self._loop
        if loop is None or loop.is_closed():
            raise NotRunning("the Teams connection is not running in this process")
        future = asyncio.run_coroutine_threadsafe(work(), loop)
        return future.result(timeout=self._timeout + 1)

    async def post(
        self, conversation_id: str, activity: Activity, *, service_url: str | None = None
    ) -> str:
        """Post `activity` (a new channel post, or a reply in a thread); returns its id."""
        posted: list[str] = []

        async def send(context: TurnContext) -> None:
            response = await context.send_activity(activity)
            posted.append((response.id if response else "") or "")

        await self.turn(send, conversation_id, service_url=service_url)
        if not posted or not posted[0]:
            raise RuntimeError("Teams gave no id for the message the bot posted")
        return posted[0]

    async def update(
        self, conversation_id: str, activity: Activity, *, service_url: str | None = None
    ) -> None:
        """Replace the message `activity.id` with `activity`."""

        async def replace(context: TurnContext) -> None:
            await context.update_activity(activity)

        await self.turn(replace, conversation_id, service_url=service_url)

    async def delete(self, conversation_id: str, message_id: str) -> None:
        async def remove(context: TurnContext) -> None:
            await context.delete_activity(message_id)

        await self.turn(remove, conversation_id)

    async def turn(
        self,
        callback: Callable[[TurnContext], Awaitable[None]],
        conversation_id: str,
        *,
        service_url: str | None = None,
    ) -> None:
        """Run `callback` in a turn the bot starts itself in `conversation_id`."""
        connection = self._connection
        # Built by hand rather than with ConversationReference.get_continuation_activity(),
        # which gives the activity a random id: a post would then go out as a reply to a
        # message that does not exist, instead of as a new post in the channel.
        continuation = Activity(
            type=ActivityTypes.event,
            name=ActivityEventNames.continue_conversation,
            channel_id=TEAMS_CHANNEL_ID,
            service_url=service_url or self.service_url,
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
            self._timeout,
        )
