"""Slack's part of a hand-off (bot.conversation.handoff.StaffThreads): triage-channel threads.

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

from bot.conversation.handoff import HandoffUnavailable, StaffWords, ThreadRef, Transcript
from bot.slack import blocks

log = logging.getLogger(__name__)

PLATFORM = "slack"


class SlackThreads:
    """Hand-off threads in `channel`, with a client made per call (OAuth tokens can change)."""

    platform = PLATFORM

    def __init__(self, client: Callable[[], WebClient], channel: str, words: StaffWords) -> None:
        self._client = client
        self.channel = channel
        self._words = words

    def start(self, transcript: Transcript) -> ThreadRef:
        with _unavailable("open a hand-off"):
            client = self._client()
            summary, root_blocks = blocks.handoff_blocks(self._words)
            root = client.chat_postMessage(channel=self.channel, text=summary, blocks=root_blocks)
            thread = ThreadRef(str(root.get("channel") or self.channel), str(root["ts"]))
            try:
                client.chat_postMessage(
                    channel=thread.channel,
                    thread_ts=thread.thread_id,
                    text=blocks.transcript_text(self._words, transcript)[:39_000],
                    unfurl_links=False,
                    unfurl_media=False,
                )
            except (SlackClientError, OSError):
                self.discard(thread)
                raise
            return thread

    def post(self, thread: ThreadRef, words: str) -> None:
        with _unavailable("relay a message"):
            self._client().chat_postMessage(
                channel=thread.channel,
                thread_ts=thread.thread_id,
                text=blocks.relayed_text(self._words, words),
                unfurl_links=False,
                unfurl_media=False,
            )

    def discard(self, thread: ThreadRef) -> None:
        try:
            self._client().chat_delete(channel=thread.channel, ts=thread.thread_id)
        except (SlackClientError, OSError) as error:
            log.error("Slack: could not remove the unused hand-off thread %s: %s", thread, error)


@contextmanager
def _unavailable(doing: str) -> Iterator[None]:
    """Any Slack failure inside the block becomes HandoffUnavailable, logged for operators."""
    try:
        yield
    except (SlackClientError, OSError) as error:  # OSError: refused, unreachable, timed out
        log.error("Slack: could not %s: %s", doing, error)
        raise HandoffUnavailable(f"Slack: could not {doing}") from error
