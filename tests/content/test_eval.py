"""Matching quality on sets the examples were never written from stays at its floors.

Thresholds and weights are chosen on the tuning split of real-style.jsonl only; the frozen test
split (and questions.jsonl) gate them here. See tests/eval/README.md for which figure is which.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.content.evaluation import LabelledQuestion, evaluate, read_labelled
from bot.content.intents import NOTICE_INTENT_IDS, load_intents
from bot.content.normalise import normalise
from bot.conversation.assembly import build_matcher

EVAL_DIR = Path(__file__).parent.parent / "eval"
EVAL_SET = EVAL_DIR / "questions.jsonl"
REAL_STYLE = EVAL_DIR / "real-style.jsonl"
# Intents another branch adds; real-style messages may carry them as labels. Messages labelled
# only with these are counted apart until the intents exist here.
UPCOMING_INTENTS = frozenset(
    """photos_consent separated_parents child_own_rights report_breach safeguarding_sharing cctv
    biometrics dpo_contact parent_own_data read_notice chat_privacy bot_identity data_security
    restrict_processing welfare_concern""".split()
)


def test_the_set_is_big_enough_and_covers_every_intent() -> None:
    questions = read_labelled(EVAL_SET)
    in_scope = [q for q in questions if q.intent is not None]
    assert len(in_scope) >= 150
    assert len(questions) - len(in_scope) >= 50
    assert {q.intent for q in in_scope} == set(NOTICE_INTENT_IDS)


def test_accuracy_and_rejection_meet_targets(settings: Settings) -> None:
    report = evaluate(build_matcher(settings), read_labelled(EVAL_SET))
    assert report.in_scope_accuracy >= 0.94, report.confusions.most_common(10)
    assert report.out_of_scope_rejection >= 0.90, report.confusions.most_common(10)


def test_the_real_style_set_is_big_labelled_and_split(settings: Settings) -> None:
    questions = read_labelled(REAL_STYLE)
    out_of_scope = [q for q in questions if not q.intents]
    test_split = [q for q in questions if q.split == "test"]
    assert len(questions) >= 150
    assert len(out_of_scope) >= 40
    assert {q.split for q in questions} == {"tune", "test"}
    assert 0.18 <= len(test_split) / len(questions) <= 0.22
    assert sum(not q.intents for q in test_split) >= 10
    known = {i.id for i in load_intents(settings.intents_dir).intents} | UPCOMING_INTENTS
    unknown = {label for q in questions for label in q.intents} - known
    assert unknown == set(), "a label is neither an intent nor an upcoming one"


def test_the_frozen_test_split_holds_its_floors(settings: Settings) -> None:
    report = evaluate(build_matcher(settings), read_labelled(REAL_STYLE, "test"))
    assert report.in_scope_total >= 25
    assert report.in_scope_accuracy >= 0.80, report.confusions.most_common(10)
    assert report.shown_rate >= 0.90, report.confusions.most_common(10)
    # The target is 90%; all 10 are refused since general complaints are out of scope (issue 12).
    assert report.out_of_scope_rejection >= 1.0, report.confusions.most_common(10)


def test_a_message_labelled_with_several_intents_counts_any_of_them(settings: Settings) -> None:
    matcher = build_matcher(settings)
    question = "how long do you keep my childs data after they leave"
    right = evaluate(matcher, [LabelledQuestion(question, ("compensation", "retention"))])
    wrong = evaluate(matcher, [LabelledQuestion(question, ("compensation",))])
    assert (right.top1, right.shown, right.in_scope_total) == (1, 1, 1)
    assert (wrong.top1, wrong.shown) == (0, 0)
    assert wrong.confusions[("compensation", "retention")] == 1


@pytest.mark.parametrize("path", [EVAL_SET, REAL_STYLE], ids=lambda p: p.name)
def test_no_evaluation_question_was_pasted_into_the_examples(
    path: Path, settings: Settings
) -> None:
    examples = {
        normalise(e)
        for intent in load_intents(settings.intents_dir).intents
        for e in (*intent.examples, *intent.request_examples)
    }
    leaked = [q.text for q in read_labelled(path) if normalise(q.text) in examples]
    assert leaked == []
