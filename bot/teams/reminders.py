"""Deadline reminders in Teams (bot.tickets.reminders): cards from the bot, or a webhook.

With the bot registered and a triage channel set, each notice is its own Adaptive Card posted by
the bot, carrying the ticket's buttons (the same verbs as the triage cards, handled by the
running app). Without the bot, an incoming webhook (a Workflows URL) takes one plain message.
Either way the target is "teams", so a ticket is reminded once per threshold whichever is used.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import Any
from urllib.error import URLError

import aiohttp
from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import CardFactory

from bot.config import ConfigError
from bot.rules.lifecycle import Action
from bot.teams.poster import ChannelPoster
from bot.teams.triage_card import triage_card
from bot.tickets.messages import TicketMessages
from bot.tickets.notices import Notice, Reminder
from bot.tickets.reminder_words import ReminderWords
from bot.tickets.reminders import DeliveryFailed
from bot.tickets.service import TicketView

TARGET = "teams"
_TIMEOUT_SECONDS = 30
_FAILURES = (aiohttp.ClientError, OSError, TimeoutError, RuntimeError)


def reminder_card(
    notice: Notice,
    today: date,
    allowed: Collection[Action],
    words: ReminderWords,
    messages: TicketMessages,
) -> dict[str, Any]:
    """The ticket's triage card, headed by the reminder: the same buttons work it from here."""
    if notice.ticket is None:
        raise ValueError("a reminder card needs the ticket it is about")
    card = triage_card(notice.ticket, today, allowed, messages)
    heading = {
        "type": "TextBlock",
        "text": words.line(notice),
        "wrap": True,
        "weight": "Bolder",
        "color": "Attention" if notice.reminder is Reminder.OVERDUE else "Warning",
    }
    card["body"] = [heading, *card["body"]]
    if notice.link:
        card["actions"] = [
            *card["actions"],
            {"type": "Action.OpenUrl", "title": words.open_in_console, "url": notice.link},
        ]
    return card


class TeamsBotNotifier:
    """One card per notice in the triage channel, posted by the bot itself."""

    target = TARGET

    def __init__(
        self,
        poster: ChannelPoster,
        channel_id: str,
        today: Callable[[], date],
        actions_for: Callable[[TicketView], tuple[Action, ...]],
        messages: TicketMessages,
    ) -> None:
        self._poster = poster
        self._channel_id = channel_id
        self._today = today
        self._actions_for = actions_for
        self._messages = messages

    def send(self, notices: Sequence[Notice], words: ReminderWords) -> None:
        asyncio.run(self._post_all(notices, words))

    async def _post_all(self, notices: Sequence[Notice], words: ReminderWords) -> None:
        delivered: list[Notice] = []
        for notice in notices:
            allowed = self._actions_for(notice.ticket) if notice.ticket else ()
            card = CardFactory.adaptive_card(
                reminder_card(notice, self._today(), allowed, words, self._messages)
            )
            try:
                await self._poster.post(
                    self._channel_id, Activity(type=ActivityTypes.message, attachments=[card])
                )
            except _FAILURES as error:
                raise DeliveryFailed(
                    f"Teams cannot take the card: {type(error).__name__}", delivered
                ) from error
            delivered.append(notice)


class TeamsWebhookNotifier:
    """One message to a Teams channel through an incoming webhook (a Workflows URL)."""

    target = TARGET

    def __init__(self, url: str) -> None:
        if not url.startswith(("https://", "http://")):
            raise ConfigError("PRIVACYBOT_TEAMS_REMINDER_WEBHOOK_URL: must be an https:// URL")
        self._url = url

    def send(self, notices: Sequence[Notice], words: ReminderWords) -> None:
        body = json.dumps({"text": words.plain_text(notices).replace("\n", "\n\n")}).encode()
        request = urllib.request.Request(
            self._url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
                status = response.status
        except (URLError, OSError) as error:
            raise DeliveryFailed(f"the Teams webhook failed: {type(error).__name__}") from error
        if status >= 300:
            raise DeliveryFailed(f"the Teams webhook answered {status}")
