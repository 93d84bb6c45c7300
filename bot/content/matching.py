"""Match a question to an intent: rapidfuzz over the examples plus weighted word overlap."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.content.analysis import Analyser
from bot.content.intents import Intent, IntentKind, IntentSet


class Outcome(StrEnum):
    ANSWER = "answer"
    DID_YOU_MEAN = "did_you_mean"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Candidate:
    """An intent's best showing for one question: its score and the phrasing that earned it."""

    intent: Intent
    score: float
    example: str
    is_request: bool


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    ranked: tuple[Candidate, ...]  # every in-scope intent's best showing, best first
    options: tuple[Candidate, ...]  # what the reply acts on: one to answer, two to choose from

    @property
    def best(self) -> Candidate | None:
        return self.ranked[0] if self.ranked else None


@dataclass(frozen=True)
class Tuning:
    """How evidence combines and where the lines fall; the defaults are calibrated in tests/eval."""

    answer_threshold: float = 55.0
    suggest_threshold: float = 44.0
    close_call_margin: float = 4.0
    overlap_weight: float = 0.65  # the rest is rapidfuzz's token_sort_ratio
    keyword_bonus: float = 4.0
    # Share of an intent's score from how typical the question's words are of the intent as a
    # whole, rather than of its single nearest example.
    profile_weight: float = 0.3


FloatArray = npt.NDArray[np.float64]


class Matcher:
    """The index over every example, built once; `decide` is what the conversation calls."""

    def __init__(self, intent_set: IntentSet, tuning: Tuning | None = None) -> None:
        self.tuning = tuning or Tuning()
        self.intents = intent_set.intents
        self.analyser = Analyser(intent_set.synonyms)
        self.analyser.learn(e for i in self.intents for e in (*i.examples, *i.request_examples))
        self.analyser.learn((k for i in self.intents for k in i.keywords), trusted=True)
        self.analyser.learn((w for group in intent_set.synonyms for w in group), trusted=True)

        owners: list[int] = []
        texts: list[str] = []
        is_request: list[bool] = []
        term_sets: list[frozenset[str]] = []
        for position, intent in enumerate(self.intents):
            for example, request in [(e, False) for e in intent.examples] + [
                (e, True) for e in intent.request_examples
            ]:
                owners.append(position)
                texts.append(example)
                is_request.append(request)
                term_sets.append(frozenset(self.analyser.terms(example)))
        self._owner = np.array(owners, dtype=np.int64)
        self._example_text = texts
        self._is_request = is_request
        self._example_terms = [" ".join(sorted(terms)) for terms in term_sets]

        # A term's weight: rare across intents means telling. Unknown terms weigh the most, so a
        # question about something the content never mentions scores low.
        intents_with_term: dict[str, set[int]] = {}
        for owner, terms in zip(owners, term_sets, strict=True):
            for term in terms:
                intents_with_term.setdefault(term, set()).add(owner)
        count = len(self.intents)
        self._weight = {
            term: math.log((count + 1) / (len(holders) + 0.5))
            for term, holders in intents_with_term.items()
        }
        self._unknown_weight = math.log((count + 1) / 0.5)
        self._postings: dict[str, npt.NDArray[np.int64]] = {}
        positions: dict[str, list[int]] = {}
        for index, terms in enumerate(term_sets):
            for term in terms:
                positions.setdefault(term, []).append(index)
        self._postings = {t: np.array(p, dtype=np.int64) for t, p in positions.items()}
        self._example_mass: FloatArray = np.array(
            [sum(self._weight[t] for t in terms) for terms in term_sets], dtype=np.float64
        )
        keyword_terms = [
            frozenset(t for k in intent.keywords for t in self.analyser.terms(k, mend=False))
            for intent in self.intents
        ]
        for term in frozenset().union(*keyword_terms) - self._weight.keys():
            self._weight[term] = self._unknown_weight
        self._term_column = {term: column for column, term in enumerate(sorted(self._weight))}
        # How often each term appears among an intent's phrasings: its profile.
        profile = np.zeros((count, len(self._term_column)), dtype=np.float64)
        examples_per_intent = np.bincount(self._owner, minlength=count).astype(np.float64)
        for owner, terms in zip(owners, term_sets, strict=True):
            for term in terms:
                profile[owner, self._term_column[term]] += 1.0
        self._profile_root = np.sqrt(profile / np.maximum(examples_per_intent, 1.0)[:, None])
        self._keyword_weight = np.zeros_like(profile)
        for owner, terms in enumerate(keyword_terms):
            for term in terms:
                self._keyword_weight[owner, self._term_column[term]] = self._weight[term]
        # Examples are grouped by owner, so each intent's best is a max over one slice.
        self._slice_starts = np.flatnonzero(np.r_[True, self._owner[1:] != self._owner[:-1]])
        self._slice_owner = self._owner[self._slice_starts]

    def _weight_of(self, term: str) -> float:
        return self._weight.get(term, self._unknown_weight)

    def rank(self, text: str) -> list[Candidate]:
        """Every intent (out-of-scope included) with its best example, best first."""
        terms = self.analyser.terms(text)
        if not terms:
            return []
        unique = set(terms)
        query_mass = sum(self._weight_of(t) for t in unique)
        shared: FloatArray = np.zeros(len(self._owner), dtype=np.float64)
        for term in unique:
            hits = self._postings.get(term)
            if hits is not None:
                shared[hits] += self._weight[term]
        overlap = 2.0 * shared / (query_mass + self._example_mass)
        # The terms on both sides are sorted, so plain `ratio` is token_sort_ratio without the
        # cost of splitting and sorting every example again.
        similarity = process.cdist(
            [" ".join(sorted(unique))],
            self._example_terms,
            scorer=fuzz.ratio,
            dtype=np.float64,
            workers=1,
        )[0]
        tuning = self.tuning
        example_score = (
            100.0 * tuning.overlap_weight * overlap + (1.0 - tuning.overlap_weight) * similarity
        )
        best_example = np.maximum.reduceat(example_score, self._slice_starts)
        # Sorting by (intent, score descending) puts each intent's best example first in its slice.
        best_index = np.lexsort((-example_score, self._owner))[self._slice_starts]

        columns = [self._term_column[t] for t in unique if t in self._term_column]
        weights = np.array([self._weight[t] for t in unique if t in self._term_column])
        profile = 100.0 * (self._profile_root[:, columns] @ weights) / query_mass
        keyword_share = np.minimum(1.0, self._keyword_weight[:, columns].sum(axis=1) / query_mass)
        owners = self._slice_owner
        blended = (1.0 - tuning.profile_weight) * best_example + tuning.profile_weight * profile[
            owners
        ]
        scores = np.minimum(100.0, blended + tuning.keyword_bonus * keyword_share[owners])

        candidates = [
            Candidate(
                self.intents[int(owner)],
                float(score),
                self._example_text[int(index)],
                self._is_request[int(index)],
            )
            for owner, score, index in zip(owners, scores, best_index, strict=True)
        ]
        candidates.sort(key=lambda c: c.score, reverse=True)
        return candidates

    def decide(self, text: str) -> Decision:
        """Answer, ask "did you mean A or B?", or fall back: the three outcomes of a question."""
        ranked = self.rank(text)
        in_scope = tuple(c for c in ranked if c.intent.kind is not IntentKind.OUT_OF_SCOPE)
        tuning = self.tuning
        if not ranked or ranked[0].intent.kind is IntentKind.OUT_OF_SCOPE or not in_scope:
            return Decision(Outcome.FALLBACK, in_scope, ())
        top = in_scope[0]
        if top.score < tuning.suggest_threshold:
            return Decision(Outcome.FALLBACK, in_scope, ())
        runner_up = in_scope[1] if len(in_scope) > 1 else None
        threshold = top.intent.threshold or tuning.answer_threshold
        close_call = (
            runner_up is not None
            and runner_up.score >= tuning.suggest_threshold
            and top.score - runner_up.score < tuning.close_call_margin
        )
        if top.score >= threshold and not close_call:
            return Decision(Outcome.ANSWER, in_scope, (top,))
        options = (top, runner_up) if runner_up and close_call else (top,)
        return Decision(Outcome.DID_YOU_MEAN, in_scope, options)
