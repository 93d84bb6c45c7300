"""The typed conversation state survives its trip through the conversation store's JSON."""

from __future__ import annotations

import json
from datetime import date

from bot.conversation.state import ConversationState, IntakeAnswers, IntakeState, Offer, Step
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Relationship, RequestChannel
from bot.types import Audience
from tests.conftest import Clock


def test_every_field_comes_back_as_it_went_in(clock: Clock) -> None:
    state = ConversationState(
        intake=IntakeState(
            kind=TicketKind.ERASURE,
            received_at=clock.now,
            first_words="delete my daughter's photos from the website",
            audience=Audience.STAFF,
            id="abc123",
            step=Step.RECEIVED,
            answers=IntakeAnswers(
                name="Grace Okafor",
                relationship=Relationship.REPRESENTATIVE,
                subject="Tobi Okafor",
                under_18=False,
                contact="+234 803 123 4567",
                addition="the sports day ones",
                channel=RequestChannel.PHONE,
                received=date(2026, 3, 2),
            ),
            history=[Step.NAME, Step.RELATIONSHIP, Step.SUBJECT, Step.CHILD],
            editing=True,
            notice="own_record",
        ),
        offer=Offer(TicketKind.SAR, clock.now, "how do I get a copy?"),
        misses=1,
        handoff=True,
    )
    stored = json.loads(json.dumps(state.to_json()))
    assert ConversationState.from_json(stored) == state


def test_an_empty_row_is_a_fresh_conversation() -> None:
    assert ConversationState.from_json({}) == ConversationState()
