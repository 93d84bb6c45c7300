"""Deadline reminders in the Slack triage channel: one message per run (bot.tickets.reminders)."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.slack.markup import escape
from bot.tickets.notices import Notice, Reminder
from bot.tickets.reminder_words import ReminderWords
from bot.tickets.reminders import DeliveryFailed

TARGET = "slack"


class SlackNotifier:
    """The run's notices as one message in the triage channel, each reference a console link."""

    target = TARGET

    def __init__(self, client: WebClient, channel: str) -> None:
        self._client = client
        self._channel = channel

    def send(self, notices: Sequence[Notice], words: ReminderWords) -> None:
        lines = [f"*{escape(words.summary(notices))}*"]
        for n in notices:
            reference = f"<{n.link}|{n.reference}>" if n.link else n.reference
            text = escape(words.line(n)).replace(n.reference, reference, 1)
            lines.append(f"• {':red_circle: ' if n.reminder is Reminder.OVERDUE else ''}{text}")
        try:
            self._client.chat_postMessage(
                channel=self._channel,
                text="\n".join(lines),
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as error:
            raise DeliveryFailed(
                f"Slack refused the message: {error.response.get('error')}"
            ) from error
        except (SlackClientError, OSError) as error:
            raise DeliveryFailed(f"Slack cannot be reached: {type(error).__name__}") from error
