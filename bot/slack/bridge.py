"""The hand-off gateway on Slack: a parent's web chat becomes a thread in the triage channel.

The conversation handler is synchronous and runs in a worker thread, so this uses slack_sdk's
synchronous WebClient. Whatever goes wrong on Slack's side becomes HandoffUnavailable, which the
handler turns into "please email the office"; the transcript is in the database either way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from slack_sdk.errors import SlackClientError
from slack_sdk.web import WebClient

from bot.conversation.handoff import HANDOFF_DECLINE, HANDOFF_START, HandoffUnavailable
from bot.conversation.handoff_store import HandoffStore, NoConversation
from bot.slack import blocks

log = logging.getLogger(__name__)

PLATFORM = "slack"
# What the parent's buttons send is not something they said.
_CONTROL_VALUES = frozenset({HANDOFF_START, HANDOFF_DECLINE})


class SlackBridge:
    """Implements bot.conversation.handoff.HandoffGateway with threads in `channel`."""

    def __init__(self, store: HandoffStore, client: Callable[[], WebClient], channel: str) -> None:
        self.store = store
        self._client = client  # resolved per call: with OAuth the token can change
        self.channel = channel

    def open(self, conversation_id: str, transcript: list[tuple[str, str]]) -> None:
        if self.store.current(conversation_id, PLATFORM) is not None:
            return  # already with staff: a second click must not start a second thread
        with _unavailable("open a hand-off"):
            client = self._client()
            summary, root_blocks = blocks.handoff_blocks()
            root = client.chat_postMessage(channel=self.channel, text=summary, blocks=root_blocks)
            channel, thread = str(root.get("channel") or self.channel), str(root["ts"])
            try:
                client.chat_postMessage(
                    channel=channel,
                    thread_ts=thread,
                    text=blocks.transcript_text(transcript)[:39_000],
                )
                self.store.open(conversation_id, PLATFORM, channel, thread)
            except (SlackClientError, OSError, NoConversation):
                # Staff must not answer a thread that reaches nobody; the parent is told to email.
                _forget(client, channel, thread)
                raise

    def relay(self, conversation_id: str, text: str) -> None:
        handoff = self.store.current(conversation_id, PLATFORM)
        if handoff is None:
            raise HandoffUnavailable("no open hand-off to relay to")
        if text in _CONTROL_VALUES:
            return
        with _unavailable("relay a message"):
            self._client().chat_postMessage(
                channel=handoff.channel,
                thread_ts=handoff.thread_id,
                text=blocks.relayed_text(text),
            )

    def is_open(self, conversation_id: str) -> bool:
        return self.store.current(conversation_id, PLATFORM) is not None


@contextmanager
def _unavailable(doing: str) -> Iterator[None]:
    """Any Slack failure inside the block becomes HandoffUnavailable, logged for operators."""
    try:
        yield
    except NoConversation as error:
        raise HandoffUnavailable("the conversation was never saved") from error
    except (SlackClientError, OSError) as error:  # OSError: refused, unreachable, timed out
        log.error("Slack: could not %s: %s", doing, error)
        raise HandoffUnavailable(f"Slack: could not {doing}") from error


def _forget(client: WebClient, channel: str, ts: str) -> None:
    try:
        client.chat_delete(channel=channel, ts=ts)
    except (SlackClientError, OSError) as error:
        log.error("Slack: could not remove the unused hand-off thread %s: %s", ts, error)
