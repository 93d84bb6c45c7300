"""Reduce text to the terms the matcher compares: synonyms folded, typos mended, words stemmed."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.content.normalise import normalise

# Words that carry no meaning for telling privacy questions apart. Question words stay: "who do you
# share with" and "why do you share" are different questions.
STOPWORDS = frozenset(
    """a an the i me my mine myself we us our ours you your yours it its is are am was were be been
    being do does did doing of to in on for and or but if so as at by with from into about over
    please can could would will shall should may might must this that these those there here
    just also any some very really then than too hi hello hey thanks thank kindly im
    he she his her him hers they them their theirs even actually basically exactly ok okay um
    erm""".split()
)
# Kept out of STOPWORDS' reach: "must" is evidence for "is it compulsory", "hi" and "thanks" for
# the small-talk intents. Listed here so the two sets read as one decision.
MEANINGFUL_DESPITE_BEING_COMMON = frozenset({"must", "hi", "hello", "hey", "thanks", "thank"})

# Typos are only mended towards words the content knows, and only for words long enough that a
# one-letter slip still leaves them recognisable.
_MIN_CORRECTABLE_LENGTH = 4
# Optimal string alignment counts a swapped pair of letters ("lnog") as one slip, as people make it.
_CORRECTION_CUTOFF = 0.75
_TRUSTED_COUNT = 2
_MENDED_CACHE_SIZE = 50_000


class Analyser:
    """Knows the content's vocabulary and synonyms; turns any text into a list of terms."""

    def __init__(self, synonym_groups: Iterable[Iterable[str]] = ()) -> None:
        self._stemmer = snowballstemmer.stemmer("english")
        self._word_synonyms: dict[str, str] = {}
        phrases: dict[str, str] = {}
        for group in synonym_groups:
            words = [normalise(w) for w in group]
            canonical = words[0].replace(" ", "_")
            for word in words:
                if " " in word:
                    phrases[word] = canonical
                else:
                    self._word_synonyms[word] = canonical
        # Longest phrases first, so "department for education" wins over any shorter overlap.
        ordered = sorted(phrases, key=len, reverse=True)
        self._phrases = phrases
        self._phrase_pattern = (
            re.compile(r"\b(" + "|".join(re.escape(p) for p in ordered) + r")\b")
            if ordered
            else None
        )
        self._word_counts: Counter[str] = Counter()
        self._trusted: list[str] = []
        self._trusted_set: frozenset[str] = frozenset()
        self._mended: dict[str, str] = {}
        self._stems: dict[str, str] = {}
        self._stopwords = STOPWORDS - MEANINGFUL_DESPITE_BEING_COMMON

    def learn(self, texts: Iterable[str], *, trusted: bool = False) -> None:
        """Count the content's words; typos are mended towards the trusted ones.

        The examples deliberately include misspellings, so a word seen once is not trusted: it is
        itself mended when it sits one slip away from a word the content uses more often.
        Synonyms and keywords are written with care and are trusted outright.
        """
        for text in texts:
            words = [w for w in normalise(text).split() if not w.isdigit()]
            self._word_counts.update(dict.fromkeys(words, _TRUSTED_COUNT if trusted else 1))
        self._trusted = sorted(
            (w for w, n in self._word_counts.items() if n >= _TRUSTED_COUNT),
            key=lambda w: -self._word_counts[w],
        )
        self._trusted_set = frozenset(self._trusted)
        self._mended = {}

    def _mend(self, word: str) -> str:
        if (
            word in self._trusted_set
            or len(word) < _MIN_CORRECTABLE_LENGTH
            or not word.isalpha()
            or not self._trusted
        ):
            return word
        mended = self._mended.get(word)
        if mended is not None:
            return mended
        # Candidates come most-used first, so a tie goes to the word people use more.
        best = process.extractOne(
            word,
            self._trusted,
            scorer=OSA.normalized_similarity,
            score_cutoff=_CORRECTION_CUTOFF,
        )
        mended = best[0] if best else word
        # A long message's sentences are analysed again on their own: remember each mend once.
        if len(self._mended) < _MENDED_CACHE_SIZE:
            self._mended[word] = mended
        return mended

    def _stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            stem = word if "_" in word else self._stemmer.stemWord(word)
            self._stems[word] = stem
        return stem

    def terms(self, text: str, *, mend: bool = True) -> list[str]:
        """The meaningful terms of `text`, in order, synonyms folded to their group's first word."""
        words = normalise(text).split()
        if mend:
            words = [w if w in self._stopwords else self._mend(w) for w in words]
        joined = " ".join(words)
        if self._phrase_pattern is not None:
            joined = self._phrase_pattern.sub(lambda m: self._phrases[m.group(0)], joined)
        terms = []
        for word in joined.split():
            canonical = self._word_synonyms.get(word, word)
            if canonical in self._stopwords:
                continue
            terms.append(self._stem(canonical))
        return terms
