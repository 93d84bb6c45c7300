"""Whatever anyone types, the handler gives a valid reply and never raises."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.handler import Conversation
from bot.types import Audience, Channel, Message

OUTCOMES = {"answer", "did_you_mean", "fallback"}


@settings(deadline=None, max_examples=300)
@given(text=st.text(max_size=2500), audience=st.sampled_from(list(Audience)))
def test_any_unicode_gives_a_valid_reply(
    text: str, audience: Audience, conversation: Conversation
) -> None:
    reply = conversation.handle(
        Message(Channel.TERMINAL, "properties", text, datetime.now(UTC), audience)
    )
    assert reply.text.strip()
    if reply.match is not None:
        assert reply.match.outcome in OUTCOMES
        assert 0.0 <= reply.match.score <= 100.0
        assert (reply.match.intent is None) == (reply.match.outcome == "fallback")
    for choice in reply.choices:
        assert choice.label
        assert choice.value
