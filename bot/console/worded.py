"""A problem the console shows staff, named by its key in answers/console.yaml.

The problem is raised where it is found, often far from the school's words (a form field, an
account check); the page that shows it says it in the school's words with `say(phrases)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.console_phrases import shipped_console_phrases
from bot.content.wordbook import Wordbook


@dataclass(frozen=True)
class Phrase:
    """A value that is itself a sentence of the same file ("see the audit trail")."""

    key: str


class Worded(Exception):
    """A problem by key, with the values for its {placeholders}."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def say(self, phrases: Wordbook) -> str:
        """The problem in the school's words."""
        filled = {
            name: phrases.say(value.key) if isinstance(value, Phrase) else value
            for name, value in self.values.items()
        }
        return phrases.say(self.key, **filled)

    def __str__(self) -> str:
        # Where no school is at hand (`privacybot staff`, a log line): the shipped words.
        return self.say(shipped_console_phrases())
