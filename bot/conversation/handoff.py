"""Handing a web-chat conversation to a person: one flow, with an adapter per staff platform.

The conversation handler sees a HandoffGateway. `HandoffBridge` is the one gateway: it keeps the
hand-off in the database (bot.conversation.handoff_store) and asks a platform's `StaffThreads`
adapter (Slack in bot/slack/bridge.py, Teams in bot/teams/handoff.py) only to start a thread,
post into it, and take an unused one back. `HandoffDesk` is staff's side, also platform-neutral:
a reply in the thread becomes a staff turn the web chat reads from /updates, and closing the
hand-off tells the parent. A third platform is one more StaffThreads adapter and a listener
that calls the desk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.content.answers import Answers
from bot.storage.errors import StorageUnavailable
from bot.types import Audience

if TYPE_CHECKING:
    from bot.conversation.handoff_store import HandoffStore, HandoffView

HANDOFF_START = "handoff:start"
HANDOFF_DECLINE = "handoff:not_now"
# Consecutive replies the bot could not help with before it offers a person.
MISSES_BEFORE_OFFER = 2
# What the parent's buttons send is not something they said.
_CONTROL_VALUES = frozenset({HANDOFF_START, HANDOFF_DECLINE})

Transcript = Sequence[tuple[str, str]]


class HandoffUnavailable(Exception):
    """The staff platform cannot be reached; the message is for operators (no personal data)."""


class HandoffGateway(Protocol):
    """What the conversation handler needs from whatever takes conversations over from it."""

    def open(self, conversation_id: str, transcript: list[tuple[str, str]]) -> None:
        """Post the conversation so far for staff; raises HandoffUnavailable."""

    def relay(self, conversation_id: str, text: str) -> None:
        """Pass the person's next message to staff; raises HandoffUnavailable."""

    def is_open(self, conversation_id: str) -> bool:
        """Whether staff still have this conversation (they close it when they are done)."""


@dataclass(frozen=True)
class ThreadRef:
    """Where a hand-off lives on its platform: a channel, and the thread's first message."""

    channel: str
    thread_id: str


@dataclass(frozen=True)
class StaffWords:
    """What staff read on hand-off cards, from answers/ (_staff_notices.md and buttons.yaml)."""

    answers: Answers

    def notice(self, step: str, who: str = "") -> str:
        return self.answers.render("_staff_notices", Audience.STAFF, step=step, who=who)

    def button(self, key: str) -> str:
        return str(self.answers.buttons["staff_handoff"][key])

    def speaker(self, role: str) -> str:
        speakers = self.answers.buttons.get("speakers")
        found = speakers.get(role) if isinstance(speakers, Mapping) else None
        return str(found or role)


class StaffThreads(Protocol):
    """One staff platform's part of a hand-off. Every method raises HandoffUnavailable."""

    platform: str

    def start(self, transcript: Transcript) -> ThreadRef:
        """Start a thread in the triage channel holding the conversation so far."""

    def post(self, thread: ThreadRef, words: str) -> None:
        """Show the parent's next message in the thread, as plain text."""

    def discard(self, thread: ThreadRef) -> None:
        """Take back a thread that reaches nobody (best effort, never raises)."""


class HandoffBridge:
    """The HandoffGateway for any platform: the database keeps the state, `threads` the posts."""

    def __init__(self, store: HandoffStore, threads: StaffThreads) -> None:
        self.store = store
        self.threads = threads

    @property
    def platform(self) -> str:
        return self.threads.platform

    def open(self, conversation_id: str, transcript: list[tuple[str, str]]) -> None:
        if self.store.current(conversation_id) is not None:
            return  # already with staff: a second click must not start a second thread
        # Imported here, like every database import on the way to the handler: a handler without
        # a database (`privacybot classify`) never loads SQLAlchemy.
        from bot.conversation.handoff_store import NoConversation

        thread = self.threads.start(transcript)
        try:
            self.store.open(conversation_id, self.platform, thread.channel, thread.thread_id)
        except (NoConversation, StorageUnavailable) as error:
            # Staff must not answer a thread that reaches nobody; the parent is told to email.
            self.threads.discard(thread)
            raise HandoffUnavailable("the hand-off could not be recorded") from error

    def relay(self, conversation_id: str, text: str) -> None:
        handoff = self.store.current(conversation_id, self.platform)
        if handoff is None:
            raise HandoffUnavailable("no open hand-off to relay to")
        if text in _CONTROL_VALUES:
            return
        self.threads.post(ThreadRef(handoff.channel, handoff.thread_id), text)

    def is_open(self, conversation_id: str) -> bool:
        return self.store.current(conversation_id, self.platform) is not None


class HandoffDesk:
    """Staff's side of every hand-off: replies reach the parent, closing tells them."""

    def __init__(self, store: HandoffStore, closing_words: Callable[[], str]) -> None:
        self.store = store
        # What the parent reads when staff close (answers/_handoff.md, step "closed").
        self._closing_words = closing_words

    @classmethod
    def speaking(cls, store: HandoffStore, answers: Answers) -> HandoffDesk:
        """A desk whose closing notice is the school's own words."""
        return cls(store, lambda: answers.render("_handoff", Audience.PUBLIC, step="closed"))

    def find(self, platform: str, channel: str, thread_id: str) -> HandoffView | None:
        """The open hand-off whose thread this is, if any."""
        return self.store.by_thread(platform, channel, thread_id)

    def reply(self, handoff: HandoffView, text: str, source_id: str) -> bool:
        """Pass staff's reply to the parent's chat; False if `source_id` was passed on before."""
        return self.store.add_staff_turn(handoff.conversation_id, text, source_id) is not None

    def close(self, handoff: HandoffView) -> HandoffView | None:
        """Close it and tell the parent; None if it was closed already (act once)."""
        return self.store.close(handoff.id, notice=self._closing_words())
