"""A ticket's timeline: its audit events and notes, oldest first, one entry per step.

Every page load is audited as a view, including the reload after each action; on the timeline
a visit is one "Viewed" entry, and the reload that follows an action is part of that action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.console.wording import code_words, stored_value
from bot.rules.deadlines import TicketKind, kind_label
from bot.tickets.service import EventView, TicketDetail

_ONE_STEP = timedelta(seconds=5)
# Views by one person closer together than this are one visit to the ticket.
_ONE_VISIT = timedelta(minutes=30)
_LABELS = {
    "logged": "Logged",
    "viewed": "Viewed",
    "assigned": "Assigned",
    "paused": "Clock paused",
    "resumed": "Clock restarted",
    "id_not_needed": "ID not needed",
    "extended": "Extended",
    "closed": "Closed",
    "reopened": "Reopened",
    "note_added": "Note added",
}


@dataclass
class Entry:
    at: datetime
    actor: str
    what: str
    changes: list[str] = field(default_factory=list)
    note: str | None = None

    @property
    def quiet(self) -> bool:
        return self.what == "Viewed"


def timeline(detail: TicketDetail) -> list[Entry]:
    """Group each action's field changes into one entry; one "Viewed" entry per visit."""
    entries: list[Entry] = []
    for event in detail.events:
        what = _LABELS.get(event.action, code_words(event.action).capitalize())
        if what == "Viewed" and _same_visit(entries, event):
            continue
        last = entries[-1] if entries else None
        if (
            last is not None
            and last.actor == event.actor
            and last.what == what
            and event.field is not None
            and event.at - last.at <= _ONE_STEP
        ):
            # One action writes one event per field it changes, moments apart.
            last.changes.append(_change(event.field, event.old_value, event.new_value))
            continue
        entry = Entry(event.at, event.actor, what)
        if event.field is not None and event.field != "note":
            entry.changes.append(_change(event.field, event.old_value, event.new_value))
        entries.append(entry)
    notes = [
        Entry(note.at, note.author, f"Note ({code_words(note.visibility)})", [], note.text)
        for note in detail.notes
    ]
    # The note's own entry carries its words; the audit event for it says only that one was added.
    return _merge([e for e in entries if e.what != "Note added"], notes)


def _same_visit(entries: Sequence[Entry], event: EventView) -> bool:
    """Whether this view belongs to the same person's visit already on the timeline."""
    for entry in reversed(entries):
        if event.at - entry.at > _ONE_VISIT:
            return False
        if entry.actor == event.actor:
            return True
    return False


def _change(name: str, old: str | None, new: str | None) -> str:
    label = code_words(name).capitalize()
    if old is None:
        return f"{label}: {_worded(name, new)}"
    return f"{label}: {_worded(name, old)} → {_worded(name, new)}"


def _worded(name: str, value: str | None) -> str:
    if name == "kind" and value in {kind.value for kind in TicketKind}:
        return kind_label(TicketKind(value))
    return stored_value(value)


def _merge(events: Sequence[Entry], notes: Sequence[Entry]) -> list[Entry]:
    return sorted([*events, *notes], key=lambda entry: entry.at)
