"""Conversation files (tests/transcripts/*.yaml) run through the real handler on a real database.

Each file runs on SQLite and on PostgreSQL, with the test clock (3 March 2026, 10:00 London) as
"now". A file may set `audience` (public or staff), `channel` (web, terminal, slack), `handoff:
true` (a recording stand-in for the staff platform) and `facts` (notice facts to override, e.g.
the office phone). Each turn either says something (`say`) or presses a button of the previous
reply by its label (`choose`), optionally after `advance_days`, and then checks the reply:

- `intent` / `outcome`: what the matcher decided; `choices` (values) or `buttons` (labels);
- `contains` / `excludes`: words in the reply (case-insensitive);
- `ticket`: the reply logged a ticket, and the ticket in the database has these fields: `kind`,
  `reference` (a regular expression), `due` and `received` (ISO dates), `request_text`,
  `request_contains`, `requester`, `contact`, `relationship`, `subject`, `child`, `channel`;
- `tickets`: how many tickets the database holds after the turn;
- `handed_off`: whether the conversation has been passed to staff.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.content.answers import Answers
from bot.conversation.handler import Conversation
from bot.conversation.store import ConversationStore
from bot.storage.tables import Ticket
from bot.tickets.service import RequestService
from bot.types import Audience, Channel, Message, Reply
from tests.conftest import Clock

TRANSCRIPTS = sorted((Path(__file__).parent.parent / "transcripts").glob("*.yaml"))
TURN_KEYS = {
    "say",
    "choose",
    "advance_days",
    "intent",
    "outcome",
    "choices",
    "buttons",
    "contains",
    "excludes",
    "ticket",
    "tickets",
    "handed_off",
}
FILE_KEYS = {"audience", "channel", "handoff", "facts", "turns"}


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


class RecordingHandoff:
    """Stands in for the staff platform (Slack): records what would have been posted."""

    def __init__(self) -> None:
        self.opened: dict[str, list[tuple[str, str]]] = {}
        self.relayed: list[tuple[str, str]] = []

    def open(self, conversation_id: str, transcript: list[tuple[str, str]]) -> None:
        self.opened[conversation_id] = transcript

    def relay(self, conversation_id: str, text: str) -> None:
        self.relayed.append((conversation_id, text))

    def is_open(self, conversation_id: str) -> bool:
        return conversation_id in self.opened


def merged(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), Mapping):
            result[key] = merged(base[key], value)
        else:
            result[key] = value
    return result


def handler_for(
    transcript: Mapping[str, Any],
    base: Conversation,
    service: RequestService,
    clock: Clock,
) -> Conversation:
    answers = base.answers
    if "facts" in transcript:
        answers = Answers(base.answers.directory)
        answers.facts = merged(answers.facts, transcript["facts"])
    return Conversation(
        matcher=base.matcher,
        answers=answers,
        store=ConversationStore(service.sessions, now=clock),
        requests=service,
        handoff=RecordingHandoff() if transcript.get("handoff") else None,
    )


def check_ticket(engine: Engine, reply: Reply, expected: Mapping[str, Any], where: str) -> None:
    assert reply.ticket_reference is not None, f"{where}: no ticket was logged"
    with Session(engine) as session:
        ticket = session.scalars(
            select(Ticket).where(Ticket.reference == reply.ticket_reference)
        ).one()
    actual = {
        "kind": ticket.kind.value,
        "due": ticket.due_date.isoformat(),
        "received": ticket.received_at.date().isoformat(),
        "request_text": ticket.request_text,
        "requester": ticket.requester_name,
        "contact": ticket.requester_contact,
        "relationship": ticket.requester_relationship.value,
        "subject": ticket.subject_name,
        "child": ticket.subject_is_child,
        "channel": ticket.channel.value,
    }
    for key, value in expected.items():
        if key == "reference":
            assert re.fullmatch(value, ticket.reference), f"{where}: {ticket.reference}"
        elif key == "request_contains":
            for needle in value:
                assert needle in ticket.request_text, f"{where}: {needle!r} not on the ticket"
        else:
            assert key in actual, f"{where}: unknown ticket key {key!r}"
            assert actual[key] == value, f"{where}: ticket {key} is {actual[key]!r}"


def ticket_count(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.scalars(select(Ticket.id)).all())


def message_for(turn: Mapping[str, Any], previous: Reply | None, where: str) -> str:
    if "choose" not in turn:
        return str(turn["say"])
    assert previous is not None, f"{where}: nothing to choose from yet"
    labels = [c.label for c in previous.choices]
    matching = [c.value for c in previous.choices if c.label == turn["choose"]]
    assert matching, f"{where}: no button {turn['choose']!r} among {labels}"
    return matching[0]


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript(
    path: Path,
    conversation: Conversation,
    service: RequestService,
    engine: Engine,
    clock: Clock,
) -> None:
    transcript = load(path)
    assert set(transcript) <= FILE_KEYS, f"{path.name}: unknown keys"
    handler = handler_for(transcript, conversation, service, clock)
    audience = Audience(transcript.get("audience", "public"))
    channel = Channel(transcript.get("channel", "web"))
    conversation_id = f"transcript-{path.stem}"
    reply: Reply | None = None
    for number, turn in enumerate(transcript["turns"], start=1):
        where = f"{path.name} turn {number} ({turn.get('say', turn.get('choose'))!r})"
        assert set(turn) <= TURN_KEYS, f"{where}: unknown keys {set(turn) - TURN_KEYS}"
        clock.advance(days=int(turn.get("advance_days", 0)))
        text = message_for(turn, reply, where)
        reply = handler.handle(Message(channel, conversation_id, text, clock.now, audience))
        check_turn(turn, reply, where)
        if "ticket" in turn:
            check_ticket(engine, reply, turn["ticket"], where)
        if "tickets" in turn:
            assert ticket_count(engine) == turn["tickets"], where
        if "handed_off" in turn:
            assert isinstance(handler.handoff, RecordingHandoff), f"{where}: no handoff: true"
            assert (conversation_id in handler.handoff.opened) == turn["handed_off"], where


def check_turn(turn: Mapping[str, Any], reply: Reply, where: str) -> None:
    if "intent" in turn:
        assert reply.match is not None, where
        assert (reply.match.intent, reply.match.outcome) == (turn["intent"], "answer"), where
    if "outcome" in turn:
        assert reply.match is not None, where
        assert reply.match.outcome == turn["outcome"], where
    if "choices" in turn:
        assert [c.value for c in reply.choices] == turn["choices"], where
    if "buttons" in turn:
        assert [c.label for c in reply.choices] == turn["buttons"], where
    for needle in turn.get("contains", []):
        assert needle.lower() in reply.text.lower(), f"{where}: {needle!r} missing\n{reply.text}"
    for needle in turn.get("excludes", []):
        assert needle.lower() not in reply.text.lower(), f"{where}: {needle!r} present"


def transcript_intents() -> set[str]:
    return {turn["intent"] for p in TRANSCRIPTS for turn in load(p)["turns"] if "intent" in turn}
