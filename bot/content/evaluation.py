"""Measure matching on a labelled set of questions the examples were never written from."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.errors import ContentError
from bot.content.matching import Matcher, Outcome


@dataclass(frozen=True)
class LabelledQuestion:
    text: str
    # Every intent that would be a right answer; empty: the bot should give its fallback.
    intents: tuple[str, ...]
    split: str | None = None  # "tune" or "test" in a set kept apart for tuning and gating

    @property
    def intent(self) -> str | None:
        return self.intents[0] if self.intents else None


@dataclass
class EvaluationReport:
    in_scope_total: int = 0
    top1: int = 0  # the intent acted on first (answer or first choice) is a right one
    answered: int = 0  # answered outright with a right intent
    shown: int = 0  # a right intent is among what the person sees (the answer or the choices)
    top3: int = 0  # a right intent is among the three best-ranked, whatever the outcome
    out_of_scope_total: int = 0
    out_of_scope_rejected: int = 0
    did_you_mean: int = 0
    # Labelled only with intents this content does not have (yet): measured apart, never gated.
    pending_total: int = 0
    pending_fallback: int = 0
    # (expected, got) -> count; None stands for the fallback on either side.
    confusions: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)

    @property
    def in_scope_accuracy(self) -> float:
        return self.top1 / self.in_scope_total if self.in_scope_total else 0.0

    @property
    def shown_rate(self) -> float:
        return self.shown / self.in_scope_total if self.in_scope_total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.in_scope_total if self.in_scope_total else 0.0

    @property
    def answered_rate(self) -> float:
        return self.answered / self.in_scope_total if self.in_scope_total else 0.0

    @property
    def out_of_scope_rejection(self) -> float:
        return (
            self.out_of_scope_rejected / self.out_of_scope_total if self.out_of_scope_total else 0.0
        )


def _labels(row: object) -> tuple[str, ...]:
    if not isinstance(row, dict):
        raise TypeError("not an object")
    if "intents" in row:
        labels = row["intents"]
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise TypeError("'intents' must be a list of ids")
        return tuple(labels)
    intent = row["intent"]
    if not (intent is None or isinstance(intent, str)):
        raise TypeError("'intent' must be an id or null")
    return (intent,) if intent else ()


def read_labelled(path: Path, split: str | None = None) -> list[LabelledQuestion]:
    """A JSON-lines set: {"text", "intent": id|null} or {"text", "intents": [ids], "split"}."""
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
            text = row["text"]
            labels = _labels(row)
            row_split = row.get("split")
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
            raise ContentError(
                f"{path}:{number}: expected {{'text': ..., 'intent': id or null}} "
                f"or {{'text': ..., 'intents': [...]}} ({error})"
            ) from error
        if not isinstance(text, str):
            raise ContentError(f"{path}:{number}: 'text' must be text")
        if split is None or row_split == split:
            questions.append(LabelledQuestion(text, labels, row_split))
    return questions


def evaluate(matcher: Matcher, questions: list[LabelledQuestion]) -> EvaluationReport:
    """What the bot would do with each question, against every right label."""
    report = EvaluationReport()
    known = {intent.id for intent in matcher.intents}
    for question in questions:
        decision = matcher.decide(question.text)
        got = decision.options[0].intent.id if decision.options else None
        if decision.outcome is Outcome.DID_YOU_MEAN:
            report.did_you_mean += 1
        labels = set(question.intents)
        if not labels:
            report.out_of_scope_total += 1
            # Only the fallback counts: a "did you mean" still suggests the notice covers it.
            report.out_of_scope_rejected += decision.outcome is Outcome.FALLBACK
            if got is not None:
                report.confusions[(None, got)] += 1
            continue
        if not labels & known:
            report.pending_total += 1
            report.pending_fallback += decision.outcome is Outcome.FALLBACK
            continue
        report.in_scope_total += 1
        right = got in labels
        report.top1 += right
        report.answered += right and decision.outcome is Outcome.ANSWER
        report.shown += any(c.intent.id in labels for c in decision.options)
        report.top3 += any(c.intent.id in labels for c in decision.ranked[:3])
        if not right:
            report.confusions[(question.intents[0], got)] += 1
    return report
