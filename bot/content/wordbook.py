"""Sentences by key from one YAML file in answers/, for the parts of the product that are not
answers: the console's confirmations, the deadline reminders. A missing key stops the start."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.answers import load_facts
from bot.content.errors import ContentError


@dataclass(frozen=True)
class Wordbook:
    """Sentences by dotted key ("done.take" is `take` under `done`); `say` fills {placeholders}."""

    entries: Mapping[str, str]

    @classmethod
    def load(cls, path: Path, required: Sequence[str]) -> Wordbook:
        """Read `path`, naming it and every required key that is missing or empty."""
        entries = dict(_flatten(load_facts(path)))
        missing = [key for key in required if not entries.get(key, "").strip()]
        if missing:
            raise ContentError(f"{path}: no words for {', '.join(missing)}")
        return cls(entries)

    def say(self, key: str, **values: object) -> str:
        return self.entries[key].strip().format(**values)

    def say_counted(self, key: str, number: int, /, **values: object) -> str:
        """`key`, or `key_one` when `number` is 1 and the file has it ("1 day left")."""
        singular = f"{key}_one"
        chosen = singular if number == 1 and singular in self.entries else key
        return self.say(chosen, **values)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Mapping[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        elif isinstance(value, str):
            flat[f"{prefix}{key}"] = value
    return flat
