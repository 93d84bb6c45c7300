"""The console's own sentences, read from answers/console.yaml: one lookup by key for every page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.answers import load_facts
from bot.content.errors import ContentError

PHRASES_FILE = "console.yaml"
# Looked up by the console's code; start-up fails if the school's file lacks one.
REQUIRED = (
    "done.logged done.take done.request-id done.id-received done.id-not-needed done.pause "
    "done.resume done.hold done.extend done.note done.reassign done.close done.reopen "
    "done.letter done.added done.out_of_scope login.logged_out login.expired login.disabled "
    "login.failed problems.choose_file problems.no_such_decision problems.form_expired_heading "
    "problems.form_expired problems.database_down_heading problems.database_down"
).split()


@dataclass(frozen=True)
class ConsolePhrases:
    """Sentences by dotted key ("done.take"), with {placeholders} filled in by `say`."""

    entries: Mapping[str, str]

    @classmethod
    def load(cls, answers_dir: Path) -> ConsolePhrases:
        path = answers_dir / PHRASES_FILE
        entries = dict(_flatten(load_facts(path)))
        missing = [key for key in REQUIRED if not entries.get(key, "").strip()]
        if missing:
            raise ContentError(f"{path}: no words for {', '.join(missing)}")
        return cls(entries)

    def say(self, key: str, **values: str) -> str:
        return self.entries[key].strip().format(**values)

    def has(self, key: str) -> bool:
        return key in self.entries


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Mapping[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        elif isinstance(value, str):
            flat[f"{prefix}{key}"] = value
    return flat
