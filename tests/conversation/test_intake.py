"""What the conversation files cannot say: restarts, outages, retries and concurrency.

The intake's dialogs themselves are conversation files in tests/transcripts/ (intake_*.yaml).
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.conversation.handler import Conversation
from bot.conversation.state import ConversationState
from bot.conversation.store import ConversationStore
from bot.storage.engine import StorageUnavailable, make_engine, session_factory
from bot.storage.tables import ConversationRecord, Ticket
from bot.tickets.service import RequestService
from bot.types import Audience, Channel, Message, Reply
from tests.conftest import Clock


@pytest.fixture
def chat(
    conversation: Conversation, service: RequestService, engine: Engine, clock: Clock
) -> Conversation:
    """The shipped matcher and answers, with this test's database behind them."""
    return fresh_handler(conversation, service, clock)


def fresh_handler(base: Conversation, service: RequestService, clock: Clock) -> Conversation:
    return Conversation(
        matcher=base.matcher,
        answers=base.answers,
        store=ConversationStore(service.sessions, now=clock),
        requests=service,
    )


class Person:
    """Someone typing in one conversation; each message arrives at the test clock's time."""

    def __init__(
        self, handler: Conversation, clock: Clock, audience: Audience = Audience.PUBLIC
    ) -> None:
        self.handler, self.clock, self.audience = handler, clock, audience
        self.conversation_id = "web-conversation-1"
        self.count = 0

    def says(self, text: str, source_id: str | None = None) -> Reply:
        self.count += 1
        return self.handler.handle(
            Message(
                channel=Channel.WEB,
                conversation_id=self.conversation_id,
                text=text,
                received_at=self.clock.now,
                audience=self.audience,
                source_id=source_id,
            )
        )

    def chooses(self, reply: Reply, label: str) -> Reply:
        (choice,) = [c for c in reply.choices if c.label == label]
        return self.says(choice.value)


def tickets(engine: Engine) -> list[Ticket]:
    with Session(engine) as session:
        return list(session.scalars(select(Ticket)))


def test_a_restart_in_the_middle_loses_nothing(
    conversation: Conversation, service: RequestService, engine: Engine, clock: Clock
) -> None:
    person = Person(fresh_handler(conversation, service, clock), clock)
    person.says("I want a copy of everything you hold about my son")
    person.says("Priya Shah")
    # A new process: new handler, new store, new service, same database.
    second_engine = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        restarted = RequestService(session_factory(second_engine), now=clock)
        person.handler = fresh_handler(conversation, restarted, clock)
        reply = person.says("parent")
        assert "full name of the pupil" in reply.text
        person.says("Arjun Shah")
        reply = person.says("priya@example.org")
        reply = person.chooses(reply, "That's everything")
        reply = person.chooses(reply, "Yes, log it")
        assert reply.ticket_reference
        assert len(tickets(engine)) == 1
    finally:
        second_engine.dispose()


def test_the_same_source_message_twice_makes_one_ticket(
    chat: Conversation, engine: Engine, clock: Clock
) -> None:
    person = Person(chat, clock)
    person.says("I want a copy of everything you hold about my son", source_id="evt-1")
    person.says("Priya Shah", source_id="evt-2")
    reply = person.says("parent", source_id="evt-3")
    person.says("Arjun Shah", source_id="evt-4")
    person.says("priya@example.org", source_id="evt-5")
    person.says("intake:details:keep", source_id="evt-6")
    first = person.says("yes", source_id="evt-7")
    again = person.says("yes", source_id="evt-7")  # the platform retried the last message
    assert again.duplicate
    assert not first.duplicate
    assert again.ticket_reference == first.ticket_reference
    assert len(tickets(engine)) == 1
    # A retried earlier message does not move the intake or the conversation either.
    assert person.says("parent", source_id="evt-3").text == reply.text


def test_database_outage_tells_the_person_and_never_claims_a_ticket(
    conversation: Conversation,
    service: RequestService,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    person = Person(fresh_handler(conversation, service, clock), clock)
    person.says("I want a copy of everything you hold about my son")
    person.says("Priya Shah")
    person.says("parent")
    person.says("Arjun Shah")
    person.says("priya@example.org")
    reply = person.says("intake:details:keep")
    assert "Shall I log it?" in reply.text
    dead_engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    person.handler.requests = RequestService(session_factory(dead_engine), now=clock)
    with caplog.at_level(logging.INFO):
        reply = person.says("yes")
    dead_engine.dispose()
    assert "not logged yet" in reply.text
    assert "office@west-borough.kent.sch.uk" in reply.text
    assert reply.ticket_reference is None
    assert any("not saved" in r.getMessage() for r in caplog.records)
    # The database is back: saying yes again logs it, once.
    person.handler.requests = service
    reply = person.says("yes")
    assert reply.ticket_reference is not None


def test_log_lines_hold_no_message_text_or_personal_details(
    chat: Conversation, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    person = Person(chat, clock)
    with caplog.at_level(logging.DEBUG):
        person.says("I want a copy of everything you hold about my son Arjun")
        person.says("Priya Shah")
        person.says("parent")
        person.says("Arjun Shah")
        person.says("priya@example.org")
        person.says("intake:details:keep")
        assert person.says("yes").ticket_reference
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "logged SAR-" in logged
    for private in ("Priya", "Arjun", "priya@example.org", "everything you hold"):
        assert private not in logged


def test_fifty_intakes_confirmed_at_the_same_moment(
    chat: Conversation, engine: Engine, clock: Clock
) -> None:
    people = []
    for number in range(50):
        person = Person(chat, clock)
        person.conversation_id = f"web-{number}"
        person.says("I want a copy of everything you hold about me")
        person.says("Pupil " + "".join(chr(97 + int(d)) for d in str(number)).title())
        person.says("pupil")
        person.says(f"pupil{number}@example.org")
        person.says("intake:details:keep")
        people.append(person)
    barrier = threading.Barrier(len(people))

    def confirm(person: Person) -> Reply:
        barrier.wait()
        return person.says("yes")

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        replies = list(pool.map(confirm, people))
    references = [r.ticket_reference for r in replies]
    assert None not in references
    assert len(set(references)) == 50
    assert len(tickets(engine)) == 50


def start_intake_to_contact(person: Person) -> Reply:
    person.says("I want a copy of everything you hold about my son")
    person.says("Priya Shah")
    person.says("parent")
    reply = person.says("Arjun Shah")
    assert "How can the school office reach you?" in reply.text
    return reply


def test_a_conversation_that_cannot_be_read_mid_intake_keeps_the_step(
    chat: Conversation, service: RequestService, engine: Engine, clock: Clock
) -> None:
    person = Person(chat, clock)
    start_intake_to_contact(person)
    dead_engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    working_store = chat.store
    chat.store = ConversationStore(session_factory(dead_engine), now=clock)
    try:
        reply = person.says("priya@example.org")
    finally:
        dead_engine.dispose()
        chat.store = working_store
    assert "not logged yet" in reply.text
    assert "office@west-borough.kent.sch.uk" in reply.text
    assert "Sorry, I can't answer that" not in reply.text
    # The store is back: the same answer carries on from the same question.
    reply = person.says("priya@example.org")
    assert "anything to add" in reply.text
    assert tickets(engine) == []


class StoreThatCannotSave(ConversationStore):
    def save(self, message: Message, state: ConversationState, reply: Reply) -> None:
        raise StorageUnavailable("the database went away")


def test_a_step_that_cannot_be_saved_says_so_and_is_asked_again(
    chat: Conversation, service: RequestService, clock: Clock
) -> None:
    person = Person(chat, clock)
    start_intake_to_contact(person)
    working_store = chat.store
    chat.store = StoreThatCannotSave(service.sessions, now=clock)
    reply = person.says("priya@example.org")
    chat.store = working_store
    assert "not logged yet" in reply.text
    assert "send your last message again" in reply.text
    reply = person.says("priya@example.org")
    assert "anything to add" in reply.text


def test_an_unexpected_failure_at_a_step_loses_nothing(
    chat: Conversation, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = Person(chat, clock)
    start_intake_to_contact(person)

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    with monkeypatch.context() as patched:
        patched.setattr(chat.intake, "_record", broken)
        reply = person.says("priya@example.org")
    assert "not logged yet" in reply.text
    reply = person.says("priya@example.org")
    assert "anything to add" in reply.text


def test_a_request_stored_before_the_state_was_typed_is_finished_with_both_texts(
    chat: Conversation, engine: Engine, clock: Clock
) -> None:
    """A row written by the previous version: `details` then replaced the first words."""
    old_state = {
        "intake": {
            "kind": "sar",
            "received_at": clock.now.isoformat(),
            "request_text": "please send me everything you hold on my son",
            "audience": "public",
            "step": "confirm",
            "answers": {
                "name": "Priya Shah",
                "relationship": "parent",
                "subject": "Arjun Shah",
                "contact": "priya@example.org",
                "details": "Especially his SEN records",
            },
            "history": ["name", "relationship", "subject", "contact", "details"],
            "editing": False,
            "id": "0123456789abcdef",
        },
        "misses": 1,
    }
    with Session(engine) as session, session.begin():
        session.add(
            ConversationRecord(
                id="web-conversation-1",
                channel="web",
                audience="public",
                state=json.dumps(old_state),
                created_at=clock.now,
                updated_at=clock.now,
            )
        )
    reply = Person(chat, clock).says("yes")
    assert reply.ticket_reference is not None
    (ticket,) = tickets(engine)
    assert ticket.request_text.startswith("please send me everything you hold on my son")
    assert ticket.request_text.endswith("Added: Especially his SEN records")


def test_reply_listeners_hear_every_reply_and_cannot_break_one(
    chat: Conversation, clock: Clock
) -> None:
    heard: list[str | None] = []

    def broken(message: Message, reply: Reply) -> None:
        raise RuntimeError("a listener's bug")

    chat.reply_listeners += [
        broken,
        lambda m, r: heard.append(r.match.outcome if r.match else None),
    ]
    person = Person(chat, clock)
    assert "6 years" in person.says("how long do you keep pupil data").text
    person.says("when is the next inset day")
    assert heard == ["answer", "fallback"]
