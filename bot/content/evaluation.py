"""Measure matching on a labelled set of questions the examples were never written from."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.intents import ContentError
from bot.content.matching import Matcher, Outcome


@dataclass(frozen=True)
class LabelledQuestion:
    text: str
    intent: str | None  # None: the bot should give its fallback


@dataclass
class EvaluationReport:
    in_scope_total: int = 0
    in_scope_correct: int = 0
    out_of_scope_total: int = 0
    out_of_scope_rejected: int = 0
    did_you_mean: int = 0
    # (expected, got) -> count; None stands for the fallback on either side.
    confusions: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)

    @property
    def in_scope_accuracy(self) -> float:
        return self.in_scope_correct / self.in_scope_total if self.in_scope_total else 0.0

    @property
    def out_of_scope_rejection(self) -> float:
        return (
            self.out_of_scope_rejected / self.out_of_scope_total if self.out_of_scope_total else 0.0
        )


def read_labelled(path: Path) -> list[LabelledQuestion]:
    questions = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(f"{path}: cannot read it ({error})") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text, intent = row["text"], row["intent"]
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ContentError(
                f"{path}:{number}: expected {{'text': ..., 'intent': ...}}"
            ) from error
        if not isinstance(text, str) or not (intent is None or isinstance(intent, str)):
            raise ContentError(f"{path}:{number}: 'text' must be text, 'intent' an id or null")
        questions.append(LabelledQuestion(text, intent))
    return questions


def evaluate(matcher: Matcher, questions: list[LabelledQuestion]) -> EvaluationReport:
    """The intent the bot would act on (answer or first "did you mean" option) against the label."""
    report = EvaluationReport()
    for question in questions:
        decision = matcher.decide(question.text)
        got = decision.options[0].intent.id if decision.options else None
        if decision.outcome is Outcome.DID_YOU_MEAN:
            report.did_you_mean += 1
        if question.intent is None:
            report.out_of_scope_total += 1
            # Only the fallback counts: a "did you mean" still suggests the notice covers it.
            report.out_of_scope_rejected += decision.outcome is Outcome.FALLBACK
        else:
            report.in_scope_total += 1
            report.in_scope_correct += got == question.intent
        if got != question.intent:
            report.confusions[(question.intent, got)] += 1
    return report
