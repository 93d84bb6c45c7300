"""The words the ticket service uses: each kind's name (answers/intake/kinds.yaml) and the
sentences staff read when the law fixes a ticket's clock (answers/ticket_rules.yaml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from bot.content.answers import load_facts
from bot.content.errors import ContentError
from bot.content.location import packaged_content_dir
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import FixedClock

TICKET_RULES_FILE = "ticket_rules.yaml"
KINDS_FILE = Path("intake") / "kinds.yaml"


@dataclass(frozen=True)
class TicketMessages:
    """The school's wording for the clock rules; placeholders are filled in by the methods."""

    fixed_clock: Mapping[FixedClock, str]
    late_restart_text: str
    late_restart_in_log: str
    # "subject access request": what staff and requesters call each kind.
    kind_labels: Mapping[TicketKind, str]

    @classmethod
    def load(cls, answers_dir: Path) -> TicketMessages:
        """Read the messages, naming the file and the missing key if one is missing."""
        path = answers_dir / TICKET_RULES_FILE
        data = load_facts(path)
        fixed = data.get("fixed_clock")
        if not isinstance(fixed, Mapping):
            raise ContentError(f"{path}: 'fixed_clock' needs one message per kind")
        messages: dict[FixedClock, str] = {}
        for rule in FixedClock:
            messages[rule] = _text(fixed.get(rule.value), path, f"fixed_clock.{rule.value}")
        return cls(
            fixed_clock=messages,
            late_restart_text=_text(data.get("late_restart"), path, "late_restart"),
            late_restart_in_log=_text(data.get("late_restart_in_log"), path, "late_restart_in_log"),
            kind_labels=_kind_labels(answers_dir / KINDS_FILE),
        )

    def kind_label(self, kind: TicketKind) -> str:
        return self.kind_labels[kind]

    def clock_cannot_move(self, rule: FixedClock, reference: str) -> str:
        return self.fixed_clock[rule].format(reference=reference)

    def late_restart(self, reference: str, due: date) -> str:
        return self.late_restart_text.format(reference=reference, due=due.isoformat())


def _kind_labels(path: Path) -> Mapping[TicketKind, str]:
    kinds = load_facts(path)
    labels = {}
    for kind in TicketKind:
        entry = kinds.get(kind.value)
        label = entry.get("label") if isinstance(entry, Mapping) else None
        labels[kind] = _text(label, path, f"{kind.value}.label")
    return labels


def _text(value: object, path: Path, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{path}: '{key}' is missing")
    return value.strip()


@lru_cache(maxsize=1)
def shipped_messages() -> TicketMessages:
    """The messages shipped with the package, for services built without settings."""
    return TicketMessages.load(packaged_content_dir("answers"))
