"""The intake's words, read from answers/intake/: what people type, and the kinds they ask for."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from bot.content.answers import load_facts
from bot.content.errors import ContentError
from bot.content.normalise import normalise
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Relationship, RequestChannel

WORDS_FILE = "intake/words.yaml"
KINDS_FILE = "intake/kinds.yaml"
_WORD_LISTS = (
    "cancel back yes no change today yesterday request_cues question_words question_phrases "
    "name_lead_ins "
    "not_name_words"
).split()
_KIND_KEYS = ("label", "does", "choice")
T = TypeVar("T", Relationship, RequestChannel)


@dataclass(frozen=True)
class KindWords:
    label: str  # "subject access request"
    does: str  # "send a copy of the information it holds"
    choice: str  # the button that picks this kind
    cues: tuple[str, ...]  # words in a message that point to it


@lru_cache(maxsize=64)
def _phrases(words: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern matching any of the phrases as whole words; never matches when empty."""
    if not words:
        return re.compile(r"(?!x)x")
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b")


@dataclass(frozen=True)
class IntakeWords:
    lists: Mapping[str, frozenset[str]]
    relationship: Mapping[str, Relationship]  # typed phrase -> relationship
    channel: Mapping[str, RequestChannel]  # typed word -> how a request arrived
    kinds: Mapping[TicketKind, KindWords]

    @classmethod
    def load(cls, answers_dir: Path) -> IntakeWords:
        words = load_facts(answers_dir / WORDS_FILE)
        kinds = load_facts(answers_dir / KINDS_FILE)
        lists = {
            name: frozenset(_list(words, name, answers_dir / WORDS_FILE)) for name in _WORD_LISTS
        }
        return cls(
            lists=lists,
            relationship=_grouped(words, "relationship", Relationship, answers_dir / WORDS_FILE),
            channel=_grouped(words, "channel", RequestChannel, answers_dir / WORDS_FILE),
            kinds={kind: _kind(kinds, kind, answers_dir / KINDS_FILE) for kind in TicketKind},
        )

    def said(self, list_name: str, text: str) -> bool:
        """Whether the whole message is one of the phrases in the list (after tidying)."""
        return normalise(text) in self.lists[list_name]

    def contains(self, list_name: str, text: str) -> bool:
        return _phrases(tuple(sorted(self.lists[list_name]))).search(normalise(text)) is not None

    def is_question(self, text: str) -> bool:
        """Ends in "?", starts with a question word, or asks one ("..., how do I fix it")."""
        first = normalise(text).split()[:1]
        if text.rstrip().endswith("?") or (first and first[0] in self.lists["question_words"]):
            return True
        return self.contains("question_phrases", text)

    def is_plain_request(self, text: str) -> bool:
        """Whether the message makes a request in so many words ("please send", "I want")."""
        return not self.is_question(text) and self.contains("request_cues", text)

    def kind_in(self, text: str, preferred: TicketKind | None = None) -> TicketKind | None:
        """The kind the message's words point to; of several, `preferred` if it is one of them."""
        words = normalise(text)
        found = [k for k, kind in self.kinds.items() if _phrases(kind.cues).search(words)]
        if preferred in found or not found:
            return preferred if found else None
        return found[0]

    def label(self, kind: TicketKind) -> str:
        return self.kinds[kind].label


def _list(data: Mapping[str, Any], key: str, path: Path) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str | bool) for v in value):
        raise ContentError(f"{path}: '{key}' must be a list of words")
    # YAML reads a bare yes/no as true/false; the words meant are the ones written.
    return [("yes" if v else "no") if isinstance(v, bool) else normalise(v) for v in value]


def _grouped(data: Mapping[str, Any], key: str, kind: type[T], path: Path) -> dict[str, T]:
    groups = data.get(key)
    if not isinstance(groups, Mapping):
        raise ContentError(f"{path}: '{key}' must map each value to its words")
    phrases: dict[str, T] = {}
    for value in groups:
        try:
            typed = kind(value)
        except ValueError as error:
            raise ContentError(f"{path}: unknown {key} {value!r}") from error
        for word in _list(groups, value, path):
            phrases[word] = typed
    return phrases


def _kind(data: Mapping[str, Any], kind: TicketKind, path: Path) -> KindWords:
    entry = data.get(kind.value)
    if not isinstance(entry, Mapping):
        raise ContentError(f"{path}: no entry for the {kind.value!r} kind")
    for key in _KIND_KEYS:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise ContentError(f"{path}: {kind.value}.{key} is missing")
    return KindWords(
        label=entry["label"],
        does=entry["does"],
        choice=entry["choice"],
        cues=tuple(_list(entry, "words", path)),
    )
