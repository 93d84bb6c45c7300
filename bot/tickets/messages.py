"""The words the ticket service uses: each kind's name (answers/intake/kinds.yaml), the
sentences staff read when the law fixes a ticket's clock (answers/ticket_rules.yaml) and why a
change was refused (answers/ticket_problems.yaml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from bot.content.answers import load_facts
from bot.content.errors import ContentError
from bot.content.location import packaged_content_dir
from bot.content.wordbook import Wordbook
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Action, FixedClock, Outcome, Relationship
from bot.tickets.problem_words import PROBLEM_KEYS, PROBLEMS_FILE

TICKET_RULES_FILE = "ticket_rules.yaml"
KINDS_FILE = Path("intake") / "kinds.yaml"
TRIAGE_FILE = "triage.yaml"
# The buttons a triage message or card can show, in the order they appear.
TRIAGE_ACTIONS = (Action.ASSIGN, Action.REQUEST_ID, Action.ID_RECEIVED, Action.EXTEND, Action.CLOSE)
_TRIAGE_KEYS = [
    *(f"buttons.{action.value}" for action in TRIAGE_ACTIONS),
    *(f"outcomes.{outcome.value}" for outcome in Outcome),
    *(f"relationships.{relationship.value}" for relationship in Relationship),
    *"""
    fields.status fields.received fields.due fields.with fields.came_by fields.extended
    fields.outcome values.nobody_yet values.extended values.requester values.about_a_child
    values.id_requested values.id_received values.outcome due.paused due.overdue
    due.one_day_left due.days_left list.none list.heading list.due list.not_taken list.more
    list.purged forms.log_title forms.log_submit forms.cancel forms.yes forms.no forms.kind
    forms.received forms.channel forms.requester forms.relationship forms.subject forms.child
    forms.contact forms.details forms.extend_title forms.extend_intro forms.extend_reason
    forms.extend_reason_missing forms.told_on forms.close_title forms.close_intro
    forms.close_submit forms.outcome forms.outcome_missing forms.reason forms.refusal_hint
    slack_usage problems.received_missing problems.future problems.fill_in
    problems.details_missing problems.told_on_missing problems.reason_missing
    problems.outcome_missing problems.refusal_reason card_errors.not_this_school
    card_errors.handoffs_not_set_up card_errors.database_down card_errors.triage_not_set_up
    card_errors.not_triage_channel card_errors.not_a_card_action card_errors.request_log_down
    """.split(),
]


@dataclass(frozen=True)
class TicketMessages:
    """The school's wording for the clock rules; placeholders are filled in by the methods."""

    fixed_clock: Mapping[FixedClock, str]
    late_restart_text: str
    late_restart_in_log: str
    # Notes the service writes on a ticket: an internal hold, a reopening ({reason}).
    hold_note_text: str
    reopened_note_text: str
    # "subject access request": what staff and requesters call each kind.
    kind_labels: Mapping[TicketKind, str]
    # A ticket on Slack and Teams: its message or card, the open list, the forms (triage.yaml).
    triage: Wordbook
    # Why a change was refused, in every channel (ticket_problems.yaml).
    problems: Wordbook

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
        notes = data.get("notes")
        if not isinstance(notes, Mapping):
            raise ContentError(f"{path}: 'notes' needs the hold and reopened notes")
        return cls(
            fixed_clock=messages,
            late_restart_text=_text(data.get("late_restart"), path, "late_restart"),
            late_restart_in_log=_text(data.get("late_restart_in_log"), path, "late_restart_in_log"),
            hold_note_text=_text(notes.get("hold"), path, "notes.hold"),
            reopened_note_text=_text(notes.get("reopened"), path, "notes.reopened"),
            kind_labels=_kind_labels(answers_dir / KINDS_FILE),
            triage=Wordbook.load(answers_dir / TRIAGE_FILE, _TRIAGE_KEYS),
            problems=Wordbook.load(answers_dir / PROBLEMS_FILE, PROBLEM_KEYS),
        )

    def problem(self, key: str, **values: object) -> str:
        """Why a change was refused: "no ticket SAR-2026-0042"."""
        return self.problems.say(key, **values)

    def kind_label(self, kind: TicketKind) -> str:
        return self.kind_labels[kind]

    def due_words(self, due: str, *, closed: bool, paused: bool, days_left: int) -> str:
        """A due date as staff read it on a ticket: "Thu 5 Mar (2 days left)"."""
        if closed:
            return due
        if paused:
            return self.triage.say("due.paused", due=due)
        if days_left < 0:
            return self.triage.say("due.overdue", due=due, days=-days_left)
        if days_left == 1:
            return self.triage.say("due.one_day_left", due=due)
        return self.triage.say("due.days_left", due=due, days=days_left)

    def clock_cannot_move(self, rule: FixedClock, reference: str) -> str:
        return self.fixed_clock[rule].format(reference=reference)

    def hold_note(self, reason: str) -> str:
        return self.hold_note_text.format(reason=reason)

    def reopened_note(self, reason: str) -> str:
        return self.reopened_note_text.format(reason=reason)

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
