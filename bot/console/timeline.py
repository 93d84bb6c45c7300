"""A ticket's timeline: its audit events and notes, oldest first, one entry per step.

Every page load is audited as a view, including the reload after each action; on the timeline
a visit is one "Viewed" entry, and the reload that follows an action is part of that action.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.console.wording import Wording, code_words
from bot.content.wordbook import Wordbook
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import NoteVisibility
from bot.tickets.service import TicketDetail

_ONE_STEP = timedelta(seconds=5)
# Views by one person closer together than this are one visit to the ticket.
_ONE_VISIT = timedelta(minutes=30)
# A view this soon after the same person's action is the page reloading after it.
_RELOAD = timedelta(seconds=5)
# The steps with their own words (`timeline.<action>` in console_labels.yaml); any other step
# is named after its code.
_LABELLED = frozenset(
    "logged viewed assigned paused resumed id_not_needed extended closed reopened".split()
)
# A note's audit event says only that one was added: the note's own entry carries its words.
_NOTE_ADDED = "note_added"
_VIEWED = "viewed"


@dataclass
class Entry:
    at: datetime
    actor: str
    action: str  # the audit event's code, or "note" for a note's own entry
    what: str
    changes: list[str] = field(default_factory=list)
    note: str | None = None

    @property
    def quiet(self) -> bool:
        return self.action == _VIEWED


def timeline(
    detail: TicketDetail, kind_label: Callable[[TicketKind], str], labels: Wordbook
) -> list[Entry]:
    """Group each action's field changes into one entry; one "Viewed" entry per visit."""
    entries: list[Entry] = []
    last_seen: dict[str, tuple[datetime, bool]] = {}  # actor -> their latest event, a view?
    changed = _Changes(kind_label, Wording(labels))
    for event in detail.events:
        before = last_seen.get(event.actor)
        last_seen[event.actor] = (event.at, event.action == _VIEWED)
        if event.action == _VIEWED and _same_visit(before, event.at):
            continue
        last = entries[-1] if entries else None
        if (
            last is not None
            and last.actor == event.actor
            and last.action == event.action
            and event.field is not None
            and event.at - last.at <= _ONE_STEP
        ):
            # One action writes one event per field it changes, moments apart.
            last.changes.append(changed(event.field, event.old_value, event.new_value))
            continue
        entry = Entry(event.at, event.actor, event.action, _label(event.action, labels))
        if event.field is not None and event.field != "note":
            entry.changes.append(changed(event.field, event.old_value, event.new_value))
        entries.append(entry)
    notes = [
        Entry(note.at, note.author, "note", _note_label(note.visibility, labels), [], note.text)
        for note in detail.notes
    ]
    return _merge([e for e in entries if e.action != _NOTE_ADDED], notes)


def _note_label(visibility: NoteVisibility, labels: Wordbook) -> str:
    return labels.say(f"timeline.note_{NoteVisibility(visibility).value}")


def _label(action: str, labels: Wordbook) -> str:
    if action in _LABELLED:
        return labels.say(f"timeline.{action}")
    return code_words(action).capitalize()


def _same_visit(before: tuple[datetime, bool] | None, at: datetime) -> bool:
    """Whether a view continues the person's visit: soon after their last view, or the page
    reloading straight after their own action."""
    if before is None:
        return False
    when, was_view = before
    return at - when <= (_ONE_VISIT if was_view else _RELOAD)


@dataclass(frozen=True)
class _Changes:
    """One field's change as staff read it: "Status: open → in progress"."""

    kind_label: Callable[[TicketKind], str]
    wording: Wording

    def __call__(self, name: str, old: str | None, new: str | None) -> str:
        label = code_words(name).capitalize()
        if old is None:
            return f"{label}: {self._worded(name, new)}"
        return f"{label}: {self._worded(name, old)} → {self._worded(name, new)}"

    def _worded(self, name: str, value: str | None) -> str:
        if name == "kind" and value in {kind.value for kind in TicketKind}:
            return self.kind_label(TicketKind(value))
        return self.wording.stored_value(value)


def _merge(events: Sequence[Entry], notes: Sequence[Entry]) -> list[Entry]:
    return sorted([*events, *notes], key=lambda entry: entry.at)
