"""Match a question to an intent: a lexical score and a meaning score, blended, then decided."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from bot.content.analysis import Analyser
from bot.content.embedding import StaticEmbedder, shipped_embedder
from bot.content.intents import Intent, IntentKind, IntentSet
from bot.content.lexical import LexicalIndex, LexicalWeights
from bot.content.sentences import questions_in


class Outcome(StrEnum):
    ANSWER = "answer"
    DID_YOU_MEAN = "did_you_mean"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Candidate:
    """An intent's best showing for one question: its score and the phrasings that earned it."""

    intent: Intent
    score: float  # the blend the decision uses, 0-100
    example: str  # the phrasing closest in words
    is_request: bool
    lexical: float = 0.0
    semantic: float = 0.0  # 0-100, from the embedding table's cosine
    semantic_example: str = ""  # the phrasing closest in meaning
    sentence: str | None = None  # the sentence of a long message that earned the score, if any


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    ranked: tuple[Candidate, ...]  # the best in-scope intents' best showings, best first
    options: tuple[Candidate, ...]  # what the reply acts on: one to answer, two or three to choose
    out_of_scope: Candidate | None = None  # the nearest "not covered" phrasing
    # On a fallback, the best in-scope intent if it came near (within the band's margin of the
    # "did you mean" line): the reply may say more about it ("a complaint, but not about data").
    near_miss: Candidate | None = None

    @property
    def best(self) -> Candidate | None:
        return self.ranked[0] if self.ranked else None


@dataclass(frozen=True)
class Tuning:
    """How evidence combines and where the lines fall.

    The defaults were chosen on the tuning split of tests/eval/real-style.jsonl only; the frozen
    test split and tests/eval/questions.jsonl gate them (tests/content/test_eval.py).
    """

    answer_threshold: float = 57.0
    suggest_threshold: float = 44.0
    close_call_margin: float = 4.0
    lexical: LexicalWeights = field(default_factory=LexicalWeights)
    # Share of the blend from meaning; 0 gives the lexical-only matcher (the benchmark's baseline).
    semantic_weight: float = 0.6
    # Cosines at or below this count as no likeness at all; 1.0 counts as 100.
    semantic_floor: float = 0.25
    # A question sentence inside a long message counts this much of its own score.
    sentence_weight: float = 0.95
    # ...unless the whole message is this much nearer a "not covered" phrasing than the intent:
    # then the story around the question says what it is about ("the toilets are filthy. Who do
    # I complain to?"). Chosen on the tuning split, where no right lift was within 8 points.
    sentence_context_margin: float = 10.0
    # In the middle band, other intents within this many points of the best are offered too.
    # A lead this large in the lexical score alone is no close call, however close the blend.
    lexical_lead: float = 10.0
    band_margin: float = 8.0
    max_choices: int = 3
    # In the middle band, a "not covered" phrasing this close to the best gets the fallback:
    # better an honest "I can't help" than a silly suggestion.
    out_of_scope_margin: float = 3.0


FloatArray = npt.NDArray[np.float64]
# Candidates a decision keeps in `ranked`: enough for every choice it offers and for diagnosis.
_RANKED_FOR_A_DECISION = 10


class Matcher:
    """The indexes over every example, built once; `decide` is what the conversation calls."""

    def __init__(
        self,
        intent_set: IntentSet,
        tuning: Tuning | None = None,
        embedder: StaticEmbedder | None = None,
    ) -> None:
        self.tuning = tuning or Tuning()
        self.intents = intent_set.intents
        self.analyser = Analyser(intent_set.synonyms)
        self.analyser.learn(e for i in self.intents for e in (*i.examples, *i.request_examples))
        self.analyser.learn((k for i in self.intents for k in i.keywords), trusted=True)
        self.analyser.learn((w for group in intent_set.synonyms for w in group), trusted=True)

        rows: list[tuple[int, str]] = []
        self._is_request: list[bool] = []
        for position, intent in enumerate(self.intents):
            for example, request in [(e, False) for e in intent.examples] + [
                (e, True) for e in intent.request_examples
            ]:
                rows.append((position, example))
                self._is_request.append(request)
        self._example_text = [text for _, text in rows]
        self._lexical = LexicalIndex(self.intents, self.analyser, rows)
        self._starts = self._lexical.slice_starts
        self._slice_owner = np.array([owner for owner, _ in rows], dtype=np.int64)[self._starts]
        self._owner = np.array([owner for owner, _ in rows], dtype=np.int64)
        self._embedder = embedder
        if self._embedder is None and self.tuning.semantic_weight > 0:
            self._embedder = shipped_embedder()
        self._example_vectors = (
            self._embedder.embed_many(self._example_text) if self._embedder is not None else None
        )
        self._is_notice = np.array(
            [self.intents[int(o)].kind is IntentKind.NOTICE for o in self._slice_owner]
        )
        self._is_out_of_scope = np.array(
            [self.intents[int(o)].kind is IntentKind.OUT_OF_SCOPE for o in self._slice_owner]
        )
        self._last: tuple[str, Decision] | None = None

    def _blend(self, text: str) -> tuple[FloatArray, ...] | None:
        """Per intent: blended score, lexical score, semantic score, lexical and semantic rows."""
        lexical = self._lexical.score(text, self.tuning.lexical)
        if lexical is None:
            return None
        count = len(self._starts)
        semantic = np.zeros(count, dtype=np.float64)
        semantic_row = lexical.best_example
        if self._embedder is not None and self._example_vectors is not None:
            # einsum rather than `@`: BLAS would start threads for a product this small, which
            # cost more than they save and slow every other request on a busy server.
            query = self._embedder.embed(text)
            cosine = np.einsum("ij,j->i", self._example_vectors, query).astype(np.float64)
            best, semantic_row = self._lexical.best_per_intent(cosine)
            floor = self.tuning.semantic_floor
            semantic = 100.0 * np.clip((best - floor) / (1.0 - floor), 0.0, 1.0)
        weight = self.tuning.semantic_weight
        blended = (1.0 - weight) * lexical.score + weight * semantic
        return (
            blended,
            lexical.score,
            semantic,
            lexical.best_example.astype(np.float64),
            (semantic_row.astype(np.float64)),
        )

    def rank(self, text: str, limit: int | None = None) -> list[Candidate]:
        """Each intent (or the `limit` best, plus out-of-scope) and its best phrasings, best first.

        A decision needs only the first few; `limit` spares building hundreds of candidates when
        a school's content is large.
        """
        whole = self._blend(text)
        if whole is None:
            return []
        best, source = self._lift_by_sentences(text, list(whole))
        order = np.argsort(-best[0], kind="stable")
        if limit is not None:
            order = np.r_[order[:limit], np.flatnonzero(self._is_out_of_scope)]
        candidates = [
            self._candidate(int(position), best, source[int(position)])
            for position in dict.fromkeys(order.tolist())
        ]
        candidates.sort(key=lambda c: c.score, reverse=True)
        return candidates

    def _lift_by_sentences(
        self, text: str, best: list[FloatArray]
    ) -> tuple[list[FloatArray], list[str | None]]:
        """Scores where a question sentence of a long message carries an intent further.

        Only notice intents are lifted: small talk ("thanks for the letter") never wins this way.
        Nor does a sentence that is itself at least as near a "not covered" phrasing ("I want to
        complain." fits both kinds of complaint), nor one in a message that as a whole is clearly
        about something the notice does not cover.
        """
        source: list[str | None] = [None] * len(self._starts)
        sentences = questions_in(text) if self.tuning.sentence_weight > 0 else []
        if not sentences:
            return best, source
        whole_out = best[0][self._is_out_of_scope].max(initial=0.0)
        liftable = self._is_notice & (whole_out - best[0] < self.tuning.sentence_context_margin)
        for sentence in sentences:
            part = self._blend(sentence)
            if part is None:
                continue
            lifted = part[0] * self.tuning.sentence_weight
            sentence_out = part[0][self._is_out_of_scope].max(initial=0.0)
            better = liftable & (part[0] > sentence_out) & (lifted > best[0])
            if better.any():
                for column in range(5):
                    values = lifted if column == 0 else part[column]
                    best[column] = np.where(better, values, best[column])
                for position in np.flatnonzero(better):
                    source[int(position)] = sentence
        return best, source

    def _candidate(self, position: int, parts: list[FloatArray], sentence: str | None) -> Candidate:
        blended, lexical, semantic, lexical_row, semantic_row = (p[position] for p in parts)
        row = int(lexical_row)
        return Candidate(
            intent=self.intents[int(self._slice_owner[position])],
            score=float(min(100.0, blended)),
            example=self._example_text[row],
            is_request=self._is_request[row],
            lexical=float(lexical),
            semantic=float(semantic),
            semantic_example=self._example_text[int(semantic_row)],
            sentence=sentence,
        )

    def decide(self, text: str) -> Decision:
        """Answer, ask "did you mean ...?", or fall back: the three outcomes of a question."""
        if self._last is not None and self._last[0] == text:
            return self._last[1]
        decision = self._decide(text)
        self._last = (text, decision)
        return decision

    def _fallback(self, in_scope: tuple[Candidate, ...], nearest_out: Candidate | None) -> Decision:
        near_line = self.tuning.suggest_threshold - self.tuning.band_margin
        near = in_scope[0] if in_scope and in_scope[0].score >= near_line else None
        return Decision(Outcome.FALLBACK, in_scope, (), nearest_out, near_miss=near)

    def _decide(self, text: str) -> Decision:
        ranked = self.rank(text, limit=_RANKED_FOR_A_DECISION)
        in_scope = tuple(c for c in ranked if c.intent.kind is not IntentKind.OUT_OF_SCOPE)
        nearest_out = next((c for c in ranked if c.intent.kind is IntentKind.OUT_OF_SCOPE), None)
        tuning = self.tuning
        if not in_scope or ranked[0].intent.kind is IntentKind.OUT_OF_SCOPE:
            return self._fallback(in_scope, nearest_out)
        top = in_scope[0]
        if top.score < tuning.suggest_threshold:
            return self._fallback(in_scope, nearest_out)
        runner_up = in_scope[1] if len(in_scope) > 1 else None
        threshold = top.intent.threshold or tuning.answer_threshold
        # Close in the blend, unless the words alone settle it: the static table hears "who" and
        # "why" as nearly the same, the lexical opinion does not.
        close_call = (
            runner_up is not None
            and runner_up.score >= tuning.suggest_threshold
            and top.score - runner_up.score < tuning.close_call_margin
            and top.lexical - runner_up.lexical < tuning.lexical_lead
        )
        if top.score >= threshold and not close_call:
            return Decision(Outcome.ANSWER, in_scope, (top,), nearest_out)
        if close_call and top.score >= threshold:
            assert runner_up is not None
            return Decision(Outcome.DID_YOU_MEAN, in_scope, (top, runner_up), nearest_out)
        # The middle band: not sure enough to answer, so offer the best few that are near it.
        if nearest_out is not None and nearest_out.score > top.score - tuning.out_of_scope_margin:
            return self._fallback(in_scope, nearest_out)
        near = tuple(
            c
            for c in in_scope[: tuning.max_choices]
            if top.score - c.score < tuning.band_margin and c.intent.kind is IntentKind.NOTICE
        )
        return Decision(Outcome.DID_YOU_MEAN, in_scope, near or (top,), nearest_out)
