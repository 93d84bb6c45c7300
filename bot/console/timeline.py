"""A ticket's timeline: its audit events and notes, oldest first, one entry per step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.tickets.service import TicketDetail

_ONE_STEP = timedelta(seconds=5)
_LABELS = {
    "logged": "Logged",
    "viewed": "Viewed",
    "assigned": "Taken",
    "paused": "Clock paused",
    "resumed": "Clock restarted",
    "id_not_needed": "ID not needed",
    "extended": "Extended",
    "closed": "Closed",
    "note_added": "Note added",
}


@dataclass
class Entry:
    at: datetime
    actor: str
    what: str
    changes: list[str] = field(default_factory=list)
    note: str | None = None
    times: int = 1  # how many views in a row one entry stands for

    @property
    def quiet(self) -> bool:
        return self.what == "Viewed"


def timeline(detail: TicketDetail) -> list[Entry]:
    """Group each action's field changes into one entry; fold runs of views by one person."""
    entries: list[Entry] = []
    for event in detail.events:
        what = _LABELS.get(event.action, event.action.replace("_", " ").capitalize())
        last = entries[-1] if entries else None
        if last is not None and last.actor == event.actor and last.what == what:
            if what == "Viewed":
                last.at, last.times = event.at, last.times + 1
                continue
            # One action writes one event per field it changes, moments apart.
            if event.field is not None and event.at - last.at <= _ONE_STEP:
                last.changes.append(_change(event.field, event.old_value, event.new_value))
                continue
        entry = Entry(event.at, event.actor, what)
        if event.field is not None and event.field not in ("note",):
            entry.changes.append(_change(event.field, event.old_value, event.new_value))
        entries.append(entry)
    notes = [
        Entry(
            note.at, note.author, f"Note ({note.visibility.value.replace('_', ' ')})", [], note.text
        )
        for note in detail.notes
    ]
    # The note's own entry carries its words; the audit event for it says only that one was added.
    return _merge([e for e in entries if e.what != "Note added"], notes)


def _change(name: str, old: str | None, new: str | None) -> str:
    label = name.replace("_", " ")
    if old is None:
        return f"{label}: {_value(new)}"
    return f"{label}: {_value(old)} → {_value(new)}"


def _value(value: str | None) -> str:
    return "none" if value is None else value.replace("_", " ")


def _merge(events: Sequence[Entry], notes: Sequence[Entry]) -> list[Entry]:
    return sorted([*events, *notes], key=lambda entry: entry.at)
