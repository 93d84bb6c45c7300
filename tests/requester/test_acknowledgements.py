"""Every request logged with an email address is acknowledged to the requester, exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select, text, update

from bot.app import create_app
from bot.config import Settings
from bot.content.answers import Answers
from bot.content.location import packaged_content_dir
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import NoteVisibility, RequestChannel
from bot.storage.engine import session_factory
from bot.storage.tables.requester import RequesterLetter
from bot.tickets.acknowledgements import Acknowledgements, build_acknowledgements
from bot.tickets.letters import Letters
from bot.tickets.mailer import Mailer
from bot.tickets.school import school_from_settings
from bot.tickets.service import NewRequest, RequestService
from tests.conftest import Clock
from tests.console.filler import after_fill, fill
from tests.smtp import Inbox, free_port, wait_for
from tests.web.conftest import start, web_settings

ANSWERS = packaged_content_dir("answers")
NOTES = {
    "sent": "Acknowledgement emailed to {address}.",
    "failed": "Not sent to {address} ({error}).",
    "interrupted": "Interrupted sending to {address}.",
}


def sender(service: RequestService, port: int, clock: Clock) -> Acknowledgements:
    mailer = Mailer(host="127.0.0.1", port=port, security="none", sender="office@school.example")
    letters = Letters(ANSWERS, Answers(ANSWERS).facts)
    return Acknowledgements(service, letters, mailer, NOTES, now=clock)


def test_a_logged_request_gets_one_acknowledgement_in_the_requesters_own_words(
    service: RequestService,
    new_request: Callable[..., NewRequest],
    smtp: tuple[Inbox, int],
    clock: Clock,
) -> None:
    inbox, port = smtp
    ticket = service.log(new_request(), actor="office@school.example")
    acknowledgements = sender(service, port, clock)

    first = acknowledgements.run_once()
    again = acknowledgements.run_once()

    assert (first.sent, again.sent) == (1, 0)
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "priya.shah@example.org"
    assert ticket.reference in message["Subject"]
    body = inbox.bodies()[0]
    assert "Please send me everything you hold on my son Arjun" in body
    # Received 3 March 2026: one month is Good Friday, 3 April; then Easter Monday; so Tuesday.
    assert "We must reply by 7 April 2026." in body
    assert "free" in body
    assert "ID" in body
    detail = service.get(ticket.reference, actor="dpo@school.example")
    sent_notes = [n for n in detail.notes if n.visibility is NoteVisibility.TO_REQUESTER]
    assert [n.text for n in sent_notes] == ["Acknowledgement emailed to priya.shah@example.org."]


def test_each_kind_says_what_happens_next_for_that_kind(
    service: RequestService,
    new_request: Callable[..., NewRequest],
    smtp: tuple[Inbox, int],
    clock: Clock,
) -> None:
    inbox, port = smtp
    stop = new_request(kind=TicketKind.DIRECT_MARKETING, request_text="Stop the newsletters")
    service.log(stop, actor="x")
    service.log(new_request(kind=TicketKind.COMPLAINT, request_text="You lost my form"), actor="x")
    sender(service, port, clock).run_once()

    marketing, complaint = inbox.bodies()
    assert "straight away" in marketing
    assert "ID" not in marketing
    assert "acknowledge your complaint" in complaint
    assert "Information Commissioner" in complaint


def test_a_phone_number_or_address_is_never_emailed(
    service: RequestService,
    new_request: Callable[..., NewRequest],
    smtp: tuple[Inbox, int],
    clock: Clock,
) -> None:
    inbox, port = smtp
    service.log(new_request(requester_contact="07911 123456"), actor="x")
    service.log(new_request(requester_contact="12 High Street, Ashford TN23 1AA"), actor="x")

    report = sender(service, port, clock).run_once()

    assert report.sent == 0
    assert inbox.messages == []


def test_when_sending_fails_the_ticket_says_so_and_nothing_is_retried_blindly(
    service: RequestService, new_request: Callable[..., NewRequest], clock: Clock
) -> None:
    ticket = service.log(new_request(), actor="x")
    nobody_listens = free_port()

    report = sender(service, nobody_listens, clock).run_once()
    again = sender(service, nobody_listens, clock).run_once()

    assert (report.failed, again.failed) == (1, 0)
    notes = service.get(ticket.reference, actor="dpo").notes
    assert len(notes) == 1
    assert notes[0].visibility is NoteVisibility.INTERNAL
    assert "priya.shah@example.org" in notes[0].text


def test_a_send_interrupted_by_a_crash_is_flagged_not_sent_twice(
    service: RequestService,
    new_request: Callable[..., NewRequest],
    smtp: tuple[Inbox, int],
    clock: Clock,
    engine: Engine,
) -> None:
    inbox, port = smtp
    ticket = service.log(new_request(), actor="x")
    acknowledgements = sender(service, port, clock)
    acknowledgements.queue_new()
    # A worker claimed the letter, then died before recording what happened.
    with session_factory(engine).begin() as session:
        session.execute(update(RequesterLetter).values(state="sending", sent_at=clock.now))
    clock.advance(hours=1)

    acknowledgements.run_once()

    assert inbox.messages == []
    notes = service.get(ticket.reference, actor="dpo").notes
    assert "Interrupted" in notes[0].text


def test_two_workers_at_once_send_one_email(
    service: RequestService,
    new_request: Callable[..., NewRequest],
    smtp: tuple[Inbox, int],
    clock: Clock,
) -> None:
    inbox, port = smtp
    for number in range(5):
        service.log(new_request(requester_contact=f"parent{number}@example.org"), actor="x")
    workers = [sender(service, port, clock) for _ in range(3)]
    threads = [threading.Thread(target=worker.run_once) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(m["To"] for m in inbox.messages) == [
        f"parent{number}@example.org" for number in range(5)
    ]


def app_settings_with_smtp(tmp_path: Path, port: int, **more: Any) -> Settings:
    return web_settings(
        tmp_path / "data",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_from="office@school.example",
        letters_interval_seconds=0.1,
        **more,
    )


def say(client: TestClient, conversation: str, text: str) -> dict[str, Any]:
    response = client.post(
        "/api/chat/messages", json={"conversation_id": conversation, "text": text}
    )
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()["reply"]
    return reply


def choose(client: TestClient, conversation: str, last: dict[str, Any], label: str) -> Any:
    values = [c["value"] for c in last["choices"] if c["label"] == label]
    assert values, (label, last["choices"])
    return say(client, conversation, values[0])


def test_a_chat_intake_sends_exactly_one_acknowledgement_through_the_running_app(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    settings = app_settings_with_smtp(tmp_path, port)
    with TestClient(create_app(settings)) as client:
        conversation, _ = start(client)
        say(client, conversation, "I want a copy of all the information you hold on my son")
        reply = say(client, conversation, "Priya Shah")
        reply = choose(client, conversation, reply, "My child (I'm a parent)")
        say(client, conversation, "Arjun Shah")
        reply = say(client, conversation, "priya.shah@example.org")
        reply = choose(client, conversation, reply, "That's everything")
        logged = choose(client, conversation, reply, "Yes, log it")
        reference = logged["ticket_reference"]
        assert reference
        # The receipt knows a copy is on its way, so it offers no second one.
        listed = client.post("/api/conversations/receipts", json={"conversation_id": conversation})
        assert listed.json()["receipts"][0]["emailed"] is True

        wait_for(lambda: len(inbox.messages) == 1)
        # A few more rounds of the sender: still one email.
        time.sleep(0.5)

    assert len(inbox.messages) == 1
    assert reference in inbox.messages[0]["Subject"]
    assert "a copy of all the information you hold on my son" in inbox.bodies()[0]


def test_without_smtp_settings_nothing_is_queued(tmp_path: Path) -> None:
    settings = web_settings(tmp_path / "data")
    service = RequestService.from_settings(settings)
    try:
        assert build_acknowledgements(settings, service, school_from_settings(settings)) is None
    finally:
        service.dispose()


def test_a_request_logged_elsewhere_is_acknowledged_by_the_running_app(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    settings = app_settings_with_smtp(tmp_path, port)
    with TestClient(create_app(settings)):
        # The office logs a phone call from the command line while the web app runs.
        service = RequestService.from_settings(settings)
        try:
            service.log(
                NewRequest(
                    kind="erasure",  # type: ignore[arg-type]
                    channel=RequestChannel.PHONE,
                    received_at=Clock().now - timedelta(days=1),
                    requester_name="Sam Jones",
                    requester_contact="sam.jones@example.org",
                    requester_relationship="parent",  # type: ignore[arg-type]
                    subject_name="Alex Jones",
                    subject_is_child=True,
                    request_text="Please delete Alex's photos from the website",
                ),
                actor="office@school.example",
            )
            wait_for(lambda: len(inbox.messages) == 1)

            def recorded_as_sent() -> bool:
                with service.sessions.begin() as session:
                    return session.scalar(select(RequesterLetter.state)) == "sent"

            wait_for(recorded_as_sent)
        finally:
            service.dispose()
    assert "delete the information unless the law says we must keep it" in inbox.bodies()[0]


def test_a_ticket_committed_just_after_a_round_began_is_still_acknowledged(
    service: RequestService,
    new_request: Callable[..., NewRequest],
    smtp: tuple[Inbox, int],
    clock: Clock,
) -> None:
    inbox, port = smtp
    acknowledgements = sender(service, port, clock)
    acknowledgements.run_once()  # the first round looks at every ticket
    clock.now += timedelta(minutes=1)
    acknowledgements.run_once()  # later rounds look only at what was logged since
    # A ticket whose transaction began a few minutes before that round and committed after it.
    clock.now -= timedelta(minutes=5)
    late = service.log(new_request(), actor="office")
    clock.now += timedelta(minutes=6)

    assert acknowledgements.run_once().sent == 1
    assert late.reference in inbox.messages[0]["Subject"]


def test_later_rounds_find_new_tickets_by_index_not_by_reading_every_ticket(
    engine: Engine,
    service: RequestService,
    new_request: Callable[..., NewRequest],
    smtp: tuple[Inbox, int],
    clock: Clock,
) -> None:
    _, port = smtp
    sessions = session_factory(engine)
    fill(sessions, 3000, clock.today - timedelta(days=1))  # years of tickets, each acknowledged
    with sessions.begin() as session:
        session.execute(
            text(
                "INSERT INTO requester_letters (ticket_id, letter, state, address, created_at) "
                "SELECT id, 'acknowledgement', 'sent', '', logged_at FROM tickets"
            )
        )
    after_fill(sessions)
    acknowledgements = sender(service, port, clock)
    acknowledgements.run_once()
    service.log(new_request(), actor="office")
    clock.now += timedelta(minutes=1)
    statements: list[tuple[str, Any]] = []

    def record(_c: object, _cur: object, statement: str, parameters: Any, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "tickets" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert acknowledgements.queue_new() == 1
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements
    with engine.connect() as connection:
        for statement, parameters in statements:
            explain = "EXPLAIN" if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN"
            rows = connection.exec_driver_sql(f"{explain} {statement}", parameters).all()
            plan = "\n".join(str(row[-1]) for row in rows)
            assert "ix_tickets_logged_at" in plan, plan
        connection.rollback()
