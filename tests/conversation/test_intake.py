"""The formal-request intake through the real handler, on SQLite and on PostgreSQL."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.conversation.handler import Conversation
from bot.conversation.store import ConversationStore
from bot.storage.engine import make_engine, session_factory
from bot.storage.tables import Relationship, RequestChannel, Ticket
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


def test_rights_question_offers_an_intake_that_logs_from_the_day_first_asked(
    chat: Conversation, engine: Engine, clock: Clock
) -> None:
    person = Person(chat, clock)
    asked_at = clock.now
    reply = person.says("how do I get a copy of the information you hold on my son?")
    assert reply.match is not None
    assert reply.match.intent == "subject_access_request"
    clock.advance(days=2)  # the parent comes back to it two days later
    reply = person.chooses(reply, "Log this request")
    assert "what is your name" in reply.text.lower()
    reply = person.says("Priya Shah")
    reply = person.chooses(reply, "My child (I'm a parent)")
    reply = person.says("Arjun Shah")
    reply = person.says("not a phone number")
    assert "couldn't use that" in reply.text
    reply = person.says("07911 123456")
    reply = person.says("Everything you hold, including his behaviour records")
    assert "Priya Shah" in reply.text
    assert "07911 123456" in reply.text
    reply = person.chooses(reply, "Yes, log it")

    assert reply.ticket_reference is not None
    assert reply.ticket_reference.startswith("SAR-2026-")
    # Received 3 March 2026: due the same date next month, Friday 3 April 2026 (Good Friday,
    # a bank holiday), so the next working day after Easter Monday: Tuesday 7 April.
    assert "Tuesday 7 April 2026" in reply.text
    (ticket,) = tickets(engine)
    assert ticket.reference == reply.ticket_reference
    assert ticket.received_at == asked_at
    assert ticket.requester_relationship is Relationship.PARENT
    assert ticket.subject_name == "Arjun Shah"
    assert ticket.subject_is_child
    assert ticket.channel is RequestChannel.WEB_CHAT
    assert ticket.request_text == "Everything you hold, including his behaviour records"


def test_a_message_that_is_a_request_goes_straight_to_the_intake(
    chat: Conversation, engine: Engine, clock: Clock
) -> None:
    person = Person(chat, clock)
    reply = person.says("please send me all the data you hold on my daughter")
    assert "what is your name" in reply.text.lower()
    person.says("Sam Jones")
    reply = person.says("I'm her mum")  # typed, not a button
    assert "full name of the pupil" in reply.text
    person.says("Ella Jones")
    reply = person.says("sam.jones@example.org")
    reply = person.chooses(reply, "That's everything")
    reply = person.says("yes")
    (ticket,) = tickets(engine)
    assert ticket.request_text == "please send me all the data you hold on my daughter"
    assert ticket.requester_contact == "sam.jones@example.org"


@pytest.mark.parametrize("how", ["cancel", "Cancel", "never mind", "button"])
def test_cancel_always_works_and_logs_nothing(
    how: str, chat: Conversation, engine: Engine, clock: Clock
) -> None:
    person = Person(chat, clock)
    reply = person.says("I want a copy of everything you hold about me")
    reply = person.says("Alex Smith")
    reply = person.chooses(reply, "Cancel") if how == "button" else person.says(how)
    assert "haven't logged anything" in reply.text
    assert tickets(engine) == []
    # And the conversation is back to questions.
    assert person.says("how long do you keep pupil data").match is not None


def test_back_and_change_correct_an_answer(
    chat: Conversation, engine: Engine, clock: Clock
) -> None:
    person = Person(chat, clock)
    person.says("I want a copy of everything you hold about me")
    reply = person.says("Alex Smitt")
    reply = person.says("back")
    assert "what is your name" in reply.text.lower()
    reply = person.says("Alex Smith")
    reply = person.chooses(reply, "Me (I'm a pupil)")
    reply = person.says("alex@example.org")
    reply = person.chooses(reply, "That's everything")
    reply = person.chooses(reply, "Change something")
    reply = person.chooses(reply, "Contact")
    reply = person.says("alex.smith@example.org")
    assert "alex.smith@example.org" in reply.text
    assert "Shall I log it?" in reply.text
    person.chooses(reply, "Yes, log it")
    (ticket,) = tickets(engine)
    assert (ticket.requester_name, ticket.subject_name) == ("Alex Smith", "Alex Smith")
    assert ticket.requester_contact == "alex.smith@example.org"


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


def test_staff_log_a_request_that_came_by_phone_with_its_real_date(
    chat: Conversation, engine: Engine, clock: Clock
) -> None:
    person = Person(chat, clock, Audience.STAFF)
    reply = person.says("intent:subject_access_request")
    assert "Log it" in reply.text
    reply = person.chooses(reply, "Log this request")
    assert "name of the person making the request" in reply.text
    person.says("Dan Brown")
    person.says("parent")
    person.says("Lily Brown")
    person.says("07911 123456")
    person.says("Her attendance and behaviour records")
    reply = person.says("phone call")
    assert "When did it arrive?" in reply.text
    reply = person.says(f"{clock.today + timedelta(days=3):%d/%m/%Y}")
    assert "in the future" in reply.text
    reply = person.says("27/02/2026")
    assert "Phone call" in reply.text
    assert "Friday 27 February 2026" in reply.text
    reply = person.chooses(reply, "Yes, log it")
    assert "Logged:" in reply.text
    (ticket,) = tickets(engine)
    assert ticket.channel is RequestChannel.PHONE
    assert ticket.received_at.date() == date(2026, 2, 27)
    assert ticket.due_date == date(2026, 3, 27)


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


def test_count_is_one_per_intake(chat: Conversation, engine: Engine, clock: Clock) -> None:
    person = Person(chat, clock)
    for conversation_id in ("a", "b"):
        person.conversation_id = conversation_id
        person.says("I want a copy of everything you hold about me")
        person.says("Alex Smith")
        person.says("pupil")
        person.says("alex@example.org")
        person.says("intake:details:keep")
        person.says("yes")
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 2


def test_fifty_intakes_confirmed_at_the_same_moment(
    chat: Conversation, engine: Engine, clock: Clock
) -> None:
    people = []
    for number in range(50):
        person = Person(chat, clock)
        person.conversation_id = f"web-{number}"
        person.says("I want a copy of everything you hold about me")
        person.says(f"Pupil Number{number}")
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
