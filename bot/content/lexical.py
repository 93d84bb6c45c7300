"""The lexical opinion: rapidfuzz over stemmed terms plus weighted overlap of rare words."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.content.analysis import Analyser
from bot.content.intents import Intent

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class LexicalWeights:
    overlap_weight: float = 0.65  # the rest is rapidfuzz's token_sort_ratio
    keyword_bonus: float = 4.0
    # Share of an intent's score from how typical the question's words are of the intent as a
    # whole, rather than of its single nearest example.
    profile_weight: float = 0.3


@dataclass(frozen=True)
class LexicalScores:
    score: FloatArray  # one per intent, 0-100
    best_example: IndexArray  # the example (row) behind each intent's score


class LexicalIndex:
    """Every example's terms, built once; `score` compares one text with all of them."""

    def __init__(
        self, intents: tuple[Intent, ...], analyser: Analyser, rows: list[tuple[int, str]]
    ) -> None:
        self.analyser = analyser
        owners = [owner for owner, _ in rows]
        term_sets = [frozenset(analyser.terms(text)) for _, text in rows]
        self._owner = np.array(owners, dtype=np.int64)
        self._example_terms = [" ".join(sorted(terms)) for terms in term_sets]

        # A term's weight: rare across intents means telling. Unknown terms weigh the most, so a
        # question about something the content never mentions scores low.
        intents_with_term: dict[str, set[int]] = {}
        for owner, terms in zip(owners, term_sets, strict=True):
            for term in terms:
                intents_with_term.setdefault(term, set()).add(owner)
        count = len(intents)
        self._weight = {
            term: math.log((count + 1) / (len(holders) + 0.5))
            for term, holders in intents_with_term.items()
        }
        self._unknown_weight = math.log((count + 1) / 0.5)
        positions: dict[str, list[int]] = {}
        for index, terms in enumerate(term_sets):
            for term in terms:
                positions.setdefault(term, []).append(index)
        self._postings = {t: np.array(p, dtype=np.int64) for t, p in positions.items()}
        self._example_mass: FloatArray = np.array(
            [sum(self._weight[t] for t in terms) for terms in term_sets], dtype=np.float64
        )
        keyword_terms = [
            frozenset(t for k in intent.keywords for t in analyser.terms(k, mend=False))
            for intent in intents
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
        # Examples are grouped by owner, so each intent's best is a max over one slice. A grid of
        # row numbers, one line per intent and padded with a row that always loses, turns "best
        # example of each intent" into one gather and one argmax.
        self.slice_starts = np.flatnonzero(np.r_[True, self._owner[1:] != self._owner[:-1]])
        lengths = np.diff(np.r_[self.slice_starts, len(self._owner)])
        grid = np.full((len(lengths), int(lengths.max(initial=1))), len(self._owner))
        for line, (start, length) in enumerate(zip(self.slice_starts, lengths, strict=True)):
            grid[line, :length] = np.arange(start, start + length)
        self._grid = grid

    def best_per_intent(self, values: FloatArray) -> tuple[FloatArray, IndexArray]:
        """Each intent's highest value among its examples, and the row that has it."""
        padded = np.append(values, -np.inf)[self._grid]
        column = padded.argmax(axis=1)
        lines = np.arange(len(column))
        return padded[lines, column], self._grid[lines, column]

    def score(self, text: str, weights: LexicalWeights) -> LexicalScores | None:
        """Each intent's lexical score for `text`; None when it has no meaningful word."""
        terms = self.analyser.terms(text)
        if not terms:
            return None
        unique = set(terms)
        query_mass = sum(self._weight.get(t, self._unknown_weight) for t in unique)
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
        example_score = (
            100.0 * weights.overlap_weight * overlap + (1.0 - weights.overlap_weight) * similarity
        )
        best_example, best_index = self.best_per_intent(example_score)

        columns = [self._term_column[t] for t in unique if t in self._term_column]
        term_weights = np.array([self._weight[t] for t in unique if t in self._term_column])
        profile = 100.0 * (self._profile_root[:, columns] @ term_weights) / query_mass
        keyword_share = np.minimum(1.0, self._keyword_weight[:, columns].sum(axis=1) / query_mass)
        owners = self._owner[self.slice_starts]
        blended = (1.0 - weights.profile_weight) * best_example + weights.profile_weight * profile[
            owners
        ]
        scores = np.minimum(100.0, blended + weights.keyword_bonus * keyword_share[owners])
        return LexicalScores(scores, best_index)
