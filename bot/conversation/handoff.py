"""Handing a web-chat conversation to a person: the interface a staff platform implements."""

from __future__ import annotations

from typing import Protocol

HANDOFF_START = "handoff:start"
HANDOFF_DECLINE = "handoff:not_now"
# Consecutive replies the bot could not help with before it offers a person.
MISSES_BEFORE_OFFER = 2


class HandoffUnavailable(Exception):
    """The staff platform cannot be reached; the message is for operators (no personal data)."""


class HandoffGateway(Protocol):
    """A staff platform (Slack) that can take over a conversation from the bot."""

    def open(self, conversation_id: str, transcript: list[tuple[str, str]]) -> None:
        """Post the conversation so far for staff; raises HandoffUnavailable."""

    def relay(self, conversation_id: str, text: str) -> None:
        """Pass the person's next message to staff; raises HandoffUnavailable."""

    def is_open(self, conversation_id: str) -> bool:
        """Whether staff still have this conversation (they close it when they are done)."""
