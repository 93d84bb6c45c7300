"""The matcher's three outcomes, and what it makes of the ways people really type."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.content.matching import Outcome
from bot.content.normalise import normalise
from bot.conversation.handler import Conversation


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("How long do u keep my son’s data??", "how long do you keep my son data"),  # noqa: RUF001
        ("I can’t find the “privacy” notice", "i cannot find the privacy notice"),  # noqa: RUF001
        ("Wot info do ya hold on DD", "what information do you hold on daughter"),
        ("Which organization do you authorize", "which organisation do you authorise"),
        ("what's a cookie", "what is a cookie"),
    ],
)
def test_normalise_folds_case_quotes_contractions_text_speak_and_spelling(
    typed: str, expected: str
) -> None:
    assert normalise(typed) == expected


@pytest.mark.parametrize(
    "question",
    [
        "when is half term",
        "can my child keep her inhaler in class",
        "how do I report my son absent",
        "what's for school dinner on friday",
        "asdfghjkl",
    ],
)
def test_questions_the_notice_does_not_cover_get_the_fallback(
    question: str, conversation: Conversation
) -> None:
    assert conversation.matcher.decide(question).outcome is Outcome.FALLBACK


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("how long do you keep my childs data", "retention"),
        ("HOW LONG DO YOU KEEP MY CHILDS DATA!!!", "retention"),
        ("how long do u keep my childs dat", "retention"),
        ("how lnog do you keep pupil infomation", "retention"),
        ("what cookies does the school website set", "cookies_used"),
        ("can I get a copy of everything you hold about me", "subject_access_request"),
    ],
)
def test_confident_answers_survive_case_typos_and_text_speak(
    question: str, intent: str, conversation: Conversation
) -> None:
    decision = conversation.matcher.decide(question)
    assert decision.outcome is Outcome.ANSWER
    assert decision.options[0].intent.id == intent


def test_a_close_call_offers_both_intents(conversation: Conversation) -> None:
    decision = conversation.matcher.decide("who else gets to see my sons records")
    assert decision.outcome is Outcome.DID_YOU_MEAN
    assert [c.intent.id for c in decision.options] == ["who_we_share_with", "npd_third_parties"]


def test_ranking_explains_itself(conversation: Conversation) -> None:
    ranked = conversation.matcher.rank("how long do you store pupil records")
    assert ranked[0].intent.id == "retention"
    assert ranked[0].example in conversation.matcher.intents[0].examples or ranked[0].example
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert all(0 <= c.score <= 100 for c in ranked)


def test_thresholds_come_from_settings(settings: Settings) -> None:
    from bot.conversation.assembly import build_matcher

    strict = build_matcher(settings.model_copy(update={"suggest_threshold": 99.9}))
    assert strict.decide("how long do you keep pupil data for").outcome is Outcome.FALLBACK
