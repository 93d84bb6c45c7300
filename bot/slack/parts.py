"""What the Slack listeners share: the handler, the request service, and a few small helpers."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ParamSpec

from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.handler import Conversation
from bot.conversation.handoff import HandoffDesk, StaffWords
from bot.conversation.handoff_store import HandoffStore
from bot.rules.clock import LONDON
from bot.slack.markup import to_mrkdwn
from bot.slack.tasks import KeptTasks
from bot.slack.triage import TriageFeed
from bot.storage.engine import StorageUnavailable
from bot.tickets.messages import TicketMessages
from bot.tickets.service import RequestService
from bot.types import Audience, Channel, Message, Reply

log = logging.getLogger(__name__)

P = ParamSpec("P")
PLATFORM = "slack"
_NAMES_KEPT = 500
_ID_LIMIT = 64  # conversations.id


@dataclass
class Parts:
    conversation: Conversation
    requests: RequestService
    handoffs: HandoffStore
    desk: HandoffDesk
    words: StaffWords
    tasks: KeptTasks
    triage: TriageFeed | None = None
    _names: dict[str, str] = field(default_factory=dict)

    @property
    def channel_labels(self) -> Mapping[str, Any]:
        labels = self.conversation.answers.buttons.get("channel")
        return labels if isinstance(labels, Mapping) else {}

    @property
    def messages(self) -> TicketMessages:
        """The school's words for tickets: kinds (intake/kinds.yaml), Slack's (triage.yaml)."""
        return self.requests.messages

    def notice(self, step: str, **values: str) -> str:
        """What staff read about their own action (answers/_staff_notices.md), as mrkdwn."""
        words = self.conversation.answers.render(
            "_staff_notices", Audience.STAFF, step=step, **values
        )
        return to_mrkdwn(words)

    def today(self) -> date:
        return datetime.now(LONDON).date()

    async def actor(self, client: AsyncWebClient, user_id: str) -> tuple[str, str]:
        """("slack:U123 (Sam Jones)", "Sam Jones"): who acted, for the audit trail and display."""
        name = self._names.get(user_id)
        if name is None:
            try:
                found = (await client.users_info(user=user_id)).get("user") or {}
                profile = found.get("profile") or {}
                name = str(
                    profile.get("display_name")
                    or profile.get("real_name")
                    or found.get("real_name")
                    or found.get("name")
                    or ""
                )
            except SlackClientError as error:
                log.warning("Slack: no name for %s (%s); the id stands in", user_id, error)
                return f"slack:{user_id}", f"slack:{user_id}"
            if len(self._names) >= _NAMES_KEPT:
                self._names.clear()
            self._names[user_id] = name
        if not name:
            return f"slack:{user_id}", f"slack:{user_id}"
        return f"slack:{user_id} ({name})", name

    async def ask(
        self, conversation_id: str, text: str, actor: str, source_id: str | None
    ) -> Reply | None:
        """The handler's reply, or None if this source id was handled before (post nothing)."""
        message = Message(
            channel=Channel.SLACK,
            conversation_id=conversation_id,
            text=text,
            received_at=datetime.now(UTC),
            audience=Audience.STAFF,
            user=actor,
            source_id=source_id,
        )
        reply = await asyncio.to_thread(self.conversation.handle, message)
        return None if reply.duplicate else reply

    def claim(self, key: str) -> bool:
        """True the first time `key` (a view id, a button press) is seen, by any worker."""
        return self.handoffs.claim(key, PLATFORM)

    async def refresh_triage(self) -> None:
        """Show a change in the triage channel now rather than at the feed's next run."""
        if self.triage is None:
            return
        try:
            await asyncio.to_thread(self.triage.run_once)
        except (SlackClientError, OSError, StorageUnavailable) as error:
            log.warning("Slack triage channel not updated yet (%s); the feed will retry", error)


def conversation_id(*parts: str) -> str:
    """A Slack conversation's id in our database: readable, or hashed if it would not fit."""
    readable = ":".join(("slack", *parts))
    if len(readable) <= _ID_LIMIT:
        return readable
    return "slack:" + hashlib.sha256(readable.encode()).hexdigest()[: _ID_LIMIT - 6]


def reported(work: Callable[P, Awaitable[None]]) -> Callable[P, Awaitable[None]]:
    """Log a lazy listener's failure with its traceback; Bolt would log only the message."""

    @functools.wraps(work)
    async def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            await work(*args, **kwargs)
        except Exception:
            log.exception("Slack: %s failed", work.__name__)

    return run
