"""Matching quality on the held-out evaluation set stays at its targets."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.content.evaluation import evaluate, read_labelled
from bot.content.intents import NOTICE_INTENT_IDS
from bot.conversation.assembly import build_matcher

EVAL_SET = Path(__file__).parent.parent / "eval" / "questions.jsonl"


def test_the_set_is_big_enough_and_covers_every_intent() -> None:
    questions = read_labelled(EVAL_SET)
    in_scope = [q for q in questions if q.intent is not None]
    assert len(in_scope) >= 150
    assert len(questions) - len(in_scope) >= 50
    assert {q.intent for q in in_scope} == set(NOTICE_INTENT_IDS)


def test_accuracy_and_rejection_meet_targets(settings: Settings) -> None:
    report = evaluate(build_matcher(settings), read_labelled(EVAL_SET))
    assert report.in_scope_accuracy >= 0.90, report.confusions.most_common(10)
    assert report.out_of_scope_rejection >= 0.85, report.confusions.most_common(10)


def test_no_evaluation_question_was_pasted_into_the_examples(settings: Settings) -> None:
    from bot.content.intents import load_intents
    from bot.content.normalise import normalise

    examples = {
        normalise(e)
        for intent in load_intents(settings.intents_dir).intents
        for e in (*intent.examples, *intent.request_examples)
    }
    leaked = [q.text for q in read_labelled(EVAL_SET) if normalise(q.text) in examples]
    assert leaked == []
