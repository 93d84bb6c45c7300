"""Find the questions inside a long message, so a preamble cannot drown them."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (or runs of them) followed by a space, or at a line break.
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\s*\n+\s*")
_QUESTION_OPENERS = frozenset(
    """how what whats wot who whom whose why when where which can could do does did is are was
    will would should shall may might have has am i'd id please pls plz tell explain""".split()
)
# Phrases that ask without a question mark: "I want to know...", "I'd like a copy of...".
_ASKING = re.compile(
    r"\b(i want|i would like|i'd like|i need|i wish|wondering|wonder|want to know|like to know|"
    r"my question|can i|can you|could you|how do i|do i)\b"
)
MAX_QUESTIONS = 3
_MIN_WORDS = 3


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _BOUNDARY.split(text) if part and part.strip()]


def is_question_like(sentence: str) -> bool:
    lowered = sentence.lower()
    words = lowered.split()
    if len(words) < _MIN_WORDS:
        return False
    if sentence.rstrip().endswith("?"):
        return True
    return words[0].strip(",:;") in _QUESTION_OPENERS or _ASKING.search(lowered) is not None


def questions_in(text: str) -> list[str]:
    """The question-like sentences of a message of several sentences (at most three).

    Sentences ending in "?" come first, then other asking sentences; the later ones win a tie,
    because people tend to ask after explaining. A one-sentence message gives an empty list:
    the whole message is already scored.
    """
    sentences = split_sentences(text)
    if len(sentences) < 2:
        return []
    asking = [s for s in sentences if is_question_like(s)]
    marked = [s for s in asking if s.rstrip().endswith("?")]
    unmarked = [s for s in asking if not s.rstrip().endswith("?")]
    chosen = (marked[::-1] + unmarked[::-1])[:MAX_QUESTIONS]
    return sorted(chosen, key=sentences.index)
