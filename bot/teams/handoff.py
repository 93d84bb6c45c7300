"""Teams' part of a hand-off: a post in the triage channel, its thread, and its two buttons.

`TeamsThreads` is the StaffThreads adapter (bot.conversation.handoff): the conversation so far
goes up as an Adaptive Card, the parent's next messages follow in the post's thread. `StaffSide`
is what the agent calls for the other direction: a reply in a hand-off thread reaches the parent,
and the card's "Take it" and "Close hand-off" buttons act on the hand-off.

Parents' words go into cards only as TextRuns, which Adaptive Cards never read as markdown: a
`[School portal](https://evil.example)` a parent typed is shown as typed, never as a link with a
made-up label, and `<at>` is never a mention.
"""

from __future__ import annotations

import contextlib
import html
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import CardFactory

from bot.conversation.handoff import (
    HandoffDesk,
    HandoffUnavailable,
    StaffWords,
    ThreadRef,
    Transcript,
)
from bot.conversation.handoff_store import HandoffView
from bot.teams.poster import ChannelPoster, NotRunning, thread_conversation

log = logging.getLogger(__name__)

PLATFORM = "teams"
CARD_VERSION = "1.5"
TAKE = "handoff_take"
CLOSE = "handoff_close"
VERBS = (TAKE, CLOSE)
# A Teams message holds about 28 KB; the card keeps the latest turns within that.
_TURNS_SHOWN = 40
_CHARS_PER_TURN = 1500
_FAILURES = (aiohttp.ClientError, OSError, TimeoutError, NotRunning, RuntimeError)
_TAGS = re.compile(r"<[^>]*>")


def _said(speaker: str, words: str) -> dict[str, Any]:
    """One line of the conversation: the speaker in bold, then their words exactly as written."""
    return {
        "type": "RichTextBlock",
        "inlines": [
            {"type": "TextRun", "text": f"{speaker}: ", "weight": "Bolder"},
            {"type": "TextRun", "text": words[:_CHARS_PER_TURN]},
        ],
    }


def handoff_card(
    words: StaffWords, transcript: Transcript, *, note: str = "", verbs: Sequence[str] = VERBS
) -> dict[str, Any]:
    """The hand-off post: what is asked, the conversation so far, its state, the buttons left."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": words.notice("handoff_asked"), "weight": "Bolder"},
        {"type": "TextBlock", "text": words.notice("handoff_reply_here"), "wrap": True},
        *(_said(words.speaker(role), text) for role, text in list(transcript)[-_TURNS_SHOWN:]),
    ]
    if note:
        body.append({"type": "TextBlock", "text": note, "isSubtle": True, "wrap": True})
    labels = {TAKE: words.button("take"), CLOSE: words.button("close")}
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "actions": [_execute(labels[verb], verb) for verb in verbs],
    }


def relayed_card(words: StaffWords, text: str) -> dict[str, Any]:
    """A parent's next message, posted in the thread."""
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": [_said(words.speaker("person"), text)],
    }


def _execute(title: str, verb: str) -> dict[str, Any]:
    return {"type": "Action.Execute", "title": title, "verb": verb, "data": {"handoff": verb}}


def _message(card: dict[str, Any]) -> Activity:
    return Activity(type=ActivityTypes.message, attachments=[CardFactory.adaptive_card(card)])


class TeamsThreads:
    """Hand-off posts in the triage channel `channel_id`, made from the handler's worker thread."""

    platform = PLATFORM

    def __init__(self, poster: ChannelPoster, channel_id: str, words: StaffWords) -> None:
        self._poster = poster
        self.channel_id = channel_id
        self._words = words

    def start(self, transcript: Transcript) -> ThreadRef:
        card = handoff_card(self._words, transcript)
        root = self._call("open a hand-off", self._poster.post, self.channel_id, _message(card))
        return ThreadRef(self.channel_id, root)

    def post(self, thread: ThreadRef, words: str) -> None:
        conversation = thread_conversation(thread.channel, thread.thread_id)
        self._call(
            "relay a message",
            self._poster.post,
            conversation,
            _message(relayed_card(self._words, words)),
        )

    def discard(self, thread: ThreadRef) -> None:
        # Logged by _call; an orphaned post is untidy, not harmful.
        with contextlib.suppress(HandoffUnavailable):
            self._call(
                "remove an unused post", self._poster.delete, thread.channel, thread.thread_id
            )

    def _call(self, doing: str, work: Callable[..., Any], *args: Any) -> Any:
        try:
            return self._poster.call(lambda: work(*args))
        except _FAILURES as error:
            log.error("Teams: could not %s: %s", doing, type(error).__name__)
            raise HandoffUnavailable(f"Teams: could not {doing}") from error


class StaffSide:
    """Staff in the triage channel: their thread replies and the hand-off card's buttons."""

    def __init__(
        self,
        desk: HandoffDesk,
        words: StaffWords,
        transcript: Callable[[str], Sequence[tuple[str, str]]],
    ) -> None:
        self._desk = desk
        self._words = words
        self._transcript = transcript

    def find(self, conversation_id: str, message_id: str | None = None) -> HandoffView | None:
        """The open hand-off of a thread (`channel;messageid=root`), or of its root post."""
        channel, _, rest = conversation_id.partition(";messageid=")
        root = rest or message_id
        return self._desk.find(PLATFORM, channel, root) if root else None

    def reply(self, handoff: HandoffView, text: str, activity_id: str) -> bool:
        """Pass a staff reply on to the parent; False for a retried activity."""
        words = plain_words(text)
        if not words:
            return False
        return self._desk.reply(handoff, words, f"teams:{handoff.thread_id}:{activity_id}")

    def act(self, handoff: HandoffView | None, verb: str, name: str) -> dict[str, Any]:
        """Take or close the hand-off; the card to show in place of the old one."""
        closed_already = self._words.notice("handoff_closed_already")
        if handoff is None:
            # Closed by someone else, or a retried click: nothing left to do on this card.
            return handoff_card(self._words, [], note=closed_already, verbs=())
        transcript = self._transcript(handoff.conversation_id)
        if verb == CLOSE:
            closed = self._desk.close(handoff) is not None
            note = self._words.notice("handoff_closed", name) if closed else closed_already
            return handoff_card(self._words, transcript, note=note, verbs=())
        taken = self._words.notice("handoff_taken", name)
        return handoff_card(self._words, transcript, note=taken, verbs=(CLOSE,))


def plain_words(text: str) -> str:
    """A Teams message as the words staff typed: its HTML tags dropped, entities read."""
    return html.unescape(_TAGS.sub("", text.replace("<br>", "\n"))).strip()
