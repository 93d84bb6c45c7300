"""A ticket's timeline: its audit events and notes, oldest first, one entry per step.

Every page load is audited as a view, including the reload after each action; on the timeline
a visit is one "Viewed" entry, and the reload that follows an action is part of that action.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.console.wording import code_words, stored_value
from bot.rules.deadlines import TicketKind
from bot.tickets.service import TicketDetail

_ONE_STEP = timedelta(seconds=5)
# Views by one person closer together than this are one visit to the ticket.
_ONE_VISIT = timedelta(minutes=30)
# A view this soon after the same person's action is the page reloading after it.
_RELOAD = timedelta(seconds=5)
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


def timeline(detail: TicketDetail, kind_label: Callable[[TicketKind], str]) -> list[Entry]:
    """Group each action's field changes into one entry; one "Viewed" entry per visit."""
    entries: list[Entry] = []
    last_seen: dict[str, tuple[datetime, bool]] = {}  # actor -> their latest event, a view?
    for event in detail.events:
        what = _LABELS.get(event.action, code_words(event.action).capitalize())
        before = last_seen.get(event.actor)
        last_seen[event.actor] = (event.at, what == "Viewed")
        if what == "Viewed" and _same_visit(before, event.at):
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
            last.changes.append(_change(event.field, event.old_value, event.new_value, kind_label))
            continue
        entry = Entry(event.at, event.actor, what)
        if event.field is not None and event.field != "note":
            entry.changes.append(_change(event.field, event.old_value, event.new_value, kind_label))
        entries.append(entry)
    notes = [
        Entry(note.at, note.author, f"Note ({code_words(note.visibility)})", [], note.text)
        for note in detail.notes
    ]
    # The note's own entry carries its words; the audit event for it says only that one was added.
    return _merge([e for e in entries if e.what != "Note added"], notes)


def _same_visit(before: tuple[datetime, bool] | None, at: datetime) -> bool:
    """Whether a view continues the person's visit: soon after their last view, or the page
    reloading straight after their own action."""
    if before is None:
        return False
    when, was_view = before
    return at - when <= (_ONE_VISIT if was_view else _RELOAD)


def _change(
    name: str, old: str | None, new: str | None, kind_label: Callable[[TicketKind], str]
) -> str:
    label = code_words(name).capitalize()
    if old is None:
        return f"{label}: {_worded(name, new, kind_label)}"
    return f"{label}: {_worded(name, old, kind_label)} → {_worded(name, new, kind_label)}"


def _worded(name: str, value: str | None, kind_label: Callable[[TicketKind], str]) -> str:
    if name == "kind" and value in {kind.value for kind in TicketKind}:
        return kind_label(TicketKind(value))
    return stored_value(value)


def _merge(events: Sequence[Entry], notes: Sequence[Entry]) -> list[Entry]:
    return sorted([*events, *notes], key=lambda entry: entry.at)
