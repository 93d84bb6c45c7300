"""The matcher's three outcomes, and what it makes of the ways people really type."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.content.intents import load_intents
from bot.content.matching import Matcher, Outcome, Tuning
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
    decision = conversation.matcher.decide("who gets to see my childs information")
    assert decision.outcome is Outcome.DID_YOU_MEAN
    # Both are sure enough to answer and too close to tell apart: exactly the two are offered.
    assert {c.intent.id for c in decision.options} == {"educational_record", "who_we_share_with"}


def test_ranking_explains_itself(conversation: Conversation) -> None:
    ranked = conversation.matcher.rank("how long do you store pupil records")
    top = ranked[0]
    assert top.intent.id == "retention"
    # Both phrasings shown for the top intent are its own, not some other intent's.
    own = (*top.intent.examples, *top.intent.request_examples)
    assert top.example in own
    assert top.semantic_example in own
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert all(0 <= c.score <= 100 for c in ranked)
    assert all(0 <= c.lexical <= 100 and 0 <= c.semantic <= 100 for c in ranked)


def test_thresholds_come_from_settings(settings: Settings) -> None:
    from bot.conversation.assembly import build_matcher

    strict = build_matcher(settings.model_copy(update={"suggest_threshold": 99.9}))
    assert strict.decide("how long do you keep pupil data for").outcome is Outcome.FALLBACK


def test_a_question_after_a_preamble_is_still_found(conversation: Conversation) -> None:
    message = (
        "We moved here from Leeds in the summer and the kids have settled in really well, "
        "the teachers are lovely. I was sorting out old paperwork last night. "
        "How many years does the school hang on to a pupil's file after they leave?"
    )
    decision = conversation.matcher.decide(message)
    assert decision.outcome is Outcome.ANSWER
    assert decision.options[0].intent.id == "retention"
    assert decision.options[0].sentence is not None
    assert decision.options[0].sentence.startswith("How many years")


def test_a_polite_sentence_does_not_hijack_a_long_message(conversation: Conversation) -> None:
    message = "Thanks for the newsletter. Who do you pass my son's details on to outside school?"
    decision = conversation.matcher.decide(message)
    assert decision.options
    assert decision.options[0].intent.id == "who_we_share_with"


def test_the_middle_band_offers_up_to_three_choices(conversation: Conversation) -> None:
    decision = conversation.matcher.decide(
        "I read a news story about pupil data being handed to researchers. My kids are in state "
        "school. Will their names end up with researchers?"
    )
    assert decision.outcome is Outcome.DID_YOU_MEAN
    assert 2 <= len(decision.options) <= 3
    assert "npd_third_parties" in {c.intent.id for c in decision.options}
    assert all(c.intent.kind.value == "notice" for c in decision.options)


def test_a_complaint_about_something_else_is_refused(conversation: Conversation) -> None:
    # "Who do I complain to?" fits any complaint: the story around it says which, so the sentence
    # alone cannot carry the data-protection answer (issue 12).
    decision = conversation.matcher.decide(
        "The changing rooms after PE are filthy and the showers are cold. Who do I complain to?"
    )
    assert decision.outcome is Outcome.FALLBACK
    # Near enough for the fallback to point to the school's complaints procedure instead.
    assert decision.near_miss is not None
    assert decision.near_miss.intent.id == "complain_to_ico"


@pytest.mark.parametrize(
    "message",
    [
        "The school lost the folder with my son's care plan in it. Who do I complain to?",
        "i want to complain about how the school handled my personal information",
    ],
)
def test_a_complaint_about_personal_data_is_answered(
    message: str, conversation: Conversation
) -> None:
    decision = conversation.matcher.decide(message)
    assert decision.outcome is Outcome.ANSWER
    assert decision.options[0].intent.id == "complain_to_ico"


def test_a_fallback_far_from_every_topic_names_no_near_miss(conversation: Conversation) -> None:
    assert conversation.matcher.decide("when is the next inset day").near_miss is None


@pytest.mark.parametrize(
    "question",
    [
        "what is the difference between a data controller and a processor",
        "I run a small nursery, how do I make my business GDPR compliant?",
        "when will my daughter get her GCSE results",
        "can you give my son a reference for his college application",
    ],
)
def test_privacy_adjacent_questions_the_notice_does_not_answer_are_refused(
    question: str, conversation: Conversation
) -> None:
    assert conversation.matcher.decide(question).outcome is Outcome.FALLBACK


def test_school_records_are_not_only_the_educational_record(conversation: Conversation) -> None:
    ranked = conversation.matcher.rank("who do you give school records to")
    assert ranked[0].intent.id == "who_we_share_with"


def _intents_folder(root: Path, retention_threshold: float | None) -> Path:
    folder = root / ("with" if retention_threshold is not None else "without")
    folder.mkdir()
    threshold = f"threshold: {retention_threshold}\n" if retention_threshold is not None else ""
    (folder / "retention.yaml").write_text(
        "title: How long the school keeps pupil data\nkind: notice\n" + threshold + "examples:\n"
        "  - how long do you keep pupil data\n  - when do you delete my childs records\n"
    )
    (folder / "cookies_what.yaml").write_text(
        "title: What cookies are\nkind: notice\nexamples:\n"
        "  - what are cookies\n  - what is a cookie on a website\n"
    )
    return folder


def test_decide_honours_an_intents_own_threshold(tmp_path: Path) -> None:
    question = "how long is pupil information kept"
    plain = Matcher(load_intents(_intents_folder(tmp_path, None)))
    top = plain.decide(question).options[0]
    assert top.intent.id == "retention"
    assert Tuning().answer_threshold <= top.score < 95
    assert plain.decide(question).outcome is Outcome.ANSWER

    strict = Matcher(load_intents(_intents_folder(tmp_path, 95)))
    decision = strict.decide(question)
    assert decision.outcome is Outcome.DID_YOU_MEAN
    assert decision.options[0].intent.id == "retention"


def test_a_lower_own_threshold_answers_where_the_default_would_ask(tmp_path: Path) -> None:
    question = "how long"
    default = Matcher(load_intents(_intents_folder(tmp_path, None)))
    top = default.decide(question).options[0]
    assert Tuning().suggest_threshold <= top.score < Tuning().answer_threshold
    assert default.decide(question).outcome is Outcome.DID_YOU_MEAN
    (tmp_path / "low").mkdir()
    lenient = Matcher(load_intents(_intents_folder(tmp_path / "low", top.score - 1)))
    assert lenient.decide(question).outcome is Outcome.ANSWER


@settings(deadline=None, max_examples=200)
@given(text=st.text(max_size=2000))
def test_any_unicode_gives_a_valid_decision(text: str, conversation: Conversation) -> None:
    decision = conversation.matcher.decide(text)
    assert decision.outcome in set(Outcome)
    assert all(0.0 <= c.score <= 100.0 for c in decision.ranked)
    if decision.outcome is Outcome.ANSWER:
        assert len(decision.options) == 1
    elif decision.outcome is Outcome.DID_YOU_MEAN:
        assert 1 <= len(decision.options) <= Tuning().max_choices
    else:
        assert decision.options == ()
