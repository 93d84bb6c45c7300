"""Adding an example to an intent in the school's intents folder, and noticing such changes.

The line is appended to the intent's `examples:` list as text, so the file's comments and
layout survive; the result is parsed before it replaces the file. Every worker's matcher
looks at the folder now and then and rebuilds itself when a file has changed, so the next
identical question is answered without a restart.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bot.console.worded import Worded
from bot.content.errors import ContentError
from bot.content.intents import IntentKind, load_intents, parse_intent
from bot.content.matching import Decision, Matcher
from bot.content.normalise import normalise

OUT_OF_SCOPE_INTENT = "_out_of_scope"
# How often a matcher looks at the folder; a stat of a few dozen files.
_LOOK_EVERY_SECONDS = 1.0


class ExampleProblem(Worded):
    """The example cannot be added; its words (`examples.*` in console.yaml) say why."""


def intent_choices(folder: Path) -> list[tuple[str, str]]:
    """(id, title) of every intent an example can be added to, by title."""
    intents = load_intents(folder).intents
    return sorted(
        ((i.id, i.title) for i in intents if not i.id.startswith("_")), key=lambda c: c[1]
    )


def add_example(folder: Path, intent_id: str, example: str) -> Path:
    """Append `example` to the intent's examples; refuse one another intent already has."""
    text = " ".join(example.split())
    if not text:
        raise ExampleProblem("examples.empty")
    path = folder / f"{intent_id}.yaml"
    if "/" in intent_id or not path.is_file():
        raise ExampleProblem("examples.no_intent", intent=intent_id)
    wanted = normalise(text)
    for intent in load_intents(folder).intents:
        if any(normalise(known) == wanted for known in intent.examples):
            raise ExampleProblem("examples.duplicate", title=intent.title)
    lines = path.read_text(encoding="utf-8").splitlines()
    at = _end_of_examples(lines, path)
    lines.insert(at, f"  - {json.dumps(text, ensure_ascii=False)}")
    staged = path.with_name(f".{path.name}.new")
    staged.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        parse_intent(staged)
    except ContentError as error:
        staged.unlink()
        raise ExampleProblem("examples.invalid", problem=error) from error
    os.replace(staged, path)
    return path


def _end_of_examples(lines: list[str], path: Path) -> int:
    try:
        start = lines.index("examples:")
    except ValueError:
        raise ExampleProblem("examples.no_list", file=path.name) from None
    end = start + 1
    for number in range(start + 1, len(lines)):
        line = lines[number]
        if line.startswith("  - "):
            end = number + 1
        elif line.strip() and not line.startswith(" ") and not line.startswith("#"):
            break
    return end


def folder_state(folder: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.yaml"))
    )


class ReloadingMatcher(Matcher):
    """A matcher that rebuilds itself from the folder when a file in it has changed."""

    def __init__(self, current: Matcher, build: Callable[[], Matcher], folder: Path) -> None:
        # Adopt the matcher already built, rather than building it twice at start-up.
        self.__dict__.update(current.__dict__)
        self._build = build
        self._folder = folder
        self._state = folder_state(folder)
        self._looked = time.monotonic()
        self._lock = threading.Lock()

    def refresh(self, *, now: bool = False) -> None:
        if not now and time.monotonic() - self._looked < _LOOK_EVERY_SECONDS:
            return
        with self._lock:
            self._looked = time.monotonic()
            state = folder_state(self._folder)
            if state == self._state:
                return
            fresh = self._build()
            self.__dict__.update(fresh.__dict__)
            self._state = state

    def out_of_scope(self, text: str) -> bool:
        """Whether the question is, near enough word for word, one marked out of scope."""
        ranked = self.rank(text)
        return (
            bool(ranked)
            and ranked[0].intent.kind is IntentKind.OUT_OF_SCOPE
            and ranked[0].score >= self.tuning.answer_threshold
        )

    def nearest(self, text: str) -> tuple[str | None, float]:
        """The in-scope intent that came closest to a question, and its score."""
        best = self.decide(text).best
        return (best.intent.id, best.score) if best else (None, 0.0)

    def decide(self, text: str) -> Decision:
        self.refresh()
        return super().decide(text)
