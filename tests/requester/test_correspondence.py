"""Staff letters: each moves the clock as the law says, is kept on the ticket, and is sent once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine, func, select

from bot.content.answers import Answers
from bot.content.location import packaged_content_dir
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import NoteVisibility, Outcome, Status
from bot.storage.engine import session_factory
from bot.storage.tables.requester import RequesterLetter
from bot.tickets.access_codes import AccessCodes
from bot.tickets.correspondence import Correspondence, LetterKind
from bot.tickets.letters import Letters
from bot.tickets.mailer import Mailer
from bot.tickets.service import InvalidChange, NewRequest, RequestService
from tests.conftest import Clock
from tests.smtp import Inbox

ANSWERS = packaged_content_dir("answers")


@pytest.fixture
def post(service: RequestService, smtp: tuple[Inbox, int], clock: Clock) -> Correspondence:
    mailer = Mailer(host="127.0.0.1", port=smtp[1], security="none", sender="office@school.ex")
    letters = Letters(ANSWERS, Answers(ANSWERS).facts)
    return Correspondence(service, letters, mailer, ANSWERS, now=clock)


def test_the_id_request_arrives_and_the_month_restarts_when_id_comes(
    service: RequestService,
    new_request: Callable[..., NewRequest],
    post: Correspondence,
    smtp: tuple[Inbox, int],
    clock: Clock,
) -> None:
    inbox, _ = smtp
    ticket = service.log(new_request(), actor="office")
    clock.advance(days=2)  # asked on 5 March

    sent = post.send(ticket, LetterKind.ID_REQUEST, "A photo of your passport", actor="office")

    assert sent.emailed_to == "priya.shah@example.org"
    assert sent.ticket.status is Status.AWAITING_ID
    assert sent.ticket.id_requested_on == date(2026, 3, 5)
    body = inbox.bodies()[0]
    assert "A photo of your passport" in body
    assert "starts again on the day your proof of identity reaches us" in body
    # The ID arrives on 10 March: one month from then, 10 April 2026.
    clock.set_day(date(2026, 3, 10))
    after = service.id_received(ticket.reference, actor="office", on=date(2026, 3, 10))
    assert after.due_date == date(2026, 4, 10)
    notes = service.get(ticket.reference, actor="dpo").notes
    assert [n.visibility for n in notes] == [NoteVisibility.TO_REQUESTER]


def test_clarification_pauses_the_clock_and_the_days_are_added(
    service: RequestService,
    new_request: Callable[..., NewRequest],
    post: Correspondence,
    clock: Clock,
) -> None:
    clock.set_day(date(2026, 6, 1))
    ticket = service.log(new_request(received_at=clock.now), actor="office")
    assert ticket.due_date == date(2026, 7, 1)
    clock.set_day(date(2026, 6, 8))
    sent = post.send(ticket, LetterKind.CLARIFICATION_REQUEST, "Which years?", actor="office")
    assert sent.ticket.status is Status.AWAITING_CLARIFICATION
    # Asked 8 June, answered 11 June: four days, both included. 1 July + 4 = Sunday 5 July.
    clock.set_day(date(2026, 6, 11))
    resumed = service.resume(ticket.reference, actor="office", on=date(2026, 6, 11))
    assert resumed.due_date == date(2026, 7, 6)


def test_an_extension_after_the_first_month_is_refused_and_nothing_is_sent(
    service: RequestService,
    new_request: Callable[..., NewRequest],
    post: Correspondence,
    smtp: tuple[Inbox, int],
    clock: Clock,
    engine: Engine,
) -> None:
    inbox, _ = smtp
    ticket = service.log(new_request(), actor="office")
    clock.advance(days=40)

    with pytest.raises(InvalidChange, match="within the first month"):
        post.send(ticket, LetterKind.EXTENSION_NOTICE, "Thousands of emails", actor="dpo")

    assert inbox.messages == []
    with session_factory(engine).begin() as session:
        assert session.scalar(select(func.count()).select_from(RequesterLetter)) == 0


def test_an_extension_in_time_tells_the_new_date(
    service: RequestService,
    new_request: Callable[..., NewRequest],
    post: Correspondence,
    smtp: tuple[Inbox, int],
    clock: Clock,
) -> None:
    inbox, _ = smtp
    ticket = service.log(new_request(), actor="office")
    clock.advance(days=10)
    preview = post.preview(ticket, LetterKind.EXTENSION_NOTICE, "Ten years of records")
    sent = post.send(ticket, LetterKind.EXTENSION_NOTICE, "Ten years of records", actor="dpo")

    assert sent.ticket.extended
    assert "3 June 2026" in inbox.bodies()[0]  # three months from 3 March
    assert preview.body == inbox.bodies()[0].replace("\r\n", "\n")


def test_a_refusal_closes_the_ticket_and_names_the_ico_and_the_courts(
    service: RequestService,
    new_request: Callable[..., NewRequest],
    post: Correspondence,
    smtp: tuple[Inbox, int],
) -> None:
    inbox, _ = smtp
    ticket = service.log(new_request(), actor="office")
    sent = post.send(ticket, LetterKind.REFUSAL, "The fifth identical request", actor="dpo")
    assert sent.ticket.outcome is Outcome.REFUSED
    body = inbox.bodies()[0]
    assert "Information Commissioner's Office" in body
    assert "court" in body
    assert post.offered(sent.ticket) == []


def test_letters_that_do_not_fit_the_kind_are_not_offered_or_sent(
    service: RequestService, new_request: Callable[..., NewRequest], post: Correspondence
) -> None:
    complaint = service.log(new_request(kind=TicketKind.COMPLAINT), actor="office")
    record = service.log(new_request(kind=TicketKind.EDUCATIONAL_RECORD), actor="office")
    assert LetterKind.ID_REQUEST not in post.offered(complaint)
    assert LetterKind.COMPLAINT_ACKNOWLEDGEMENT in post.offered(complaint)
    assert LetterKind.EXTENSION_NOTICE not in post.offered(record)
    with pytest.raises(InvalidChange):
        post.send(record, LetterKind.ID_REQUEST, "Passport", actor="office")


def test_without_an_email_address_the_letter_is_recorded_for_the_post(
    service: RequestService,
    new_request: Callable[..., NewRequest],
    post: Correspondence,
    smtp: tuple[Inbox, int],
) -> None:
    inbox, _ = smtp
    ticket = service.log(new_request(requester_contact="07911 123456"), actor="office")
    sent = post.send(ticket, LetterKind.RESPONSE_COVER, "Enclosed: the file", actor="office")
    assert sent.emailed_to is None
    assert inbox.messages == []
    notes = service.get(ticket.reference, actor="dpo").notes
    assert "recorded as sent by post" in notes[0].text


def test_the_requesters_status_page_lists_the_letters_sent(
    service: RequestService,
    new_request: Callable[..., NewRequest],
    post: Correspondence,
    clock: Clock,
) -> None:
    ticket = service.log(new_request(), actor="office")
    post.send(ticket, LetterKind.ID_REQUEST, "Your passport, please", actor="office")
    codes = AccessCodes(service.sessions, "k" * 32, now=clock)
    issued = codes.issue(ticket.reference, "priya.shah@example.org")
    assert issued is not None
    _, code, _ = issued
    _, ticket_id = codes.check(ticket.reference.lower(), code)
    assert ticket_id is not None
    status = codes.status(ticket_id)
    assert status is not None
    assert [letter.subject for letter in status.letters] == [
        f"Please confirm who you are: request {ticket.reference}"
    ]
    # Codes run out after a quarter of an hour.
    again = codes.issue(ticket.reference, "PRIYA.SHAH@example.org")
    assert again is not None
    clock.advance(hours=1)
    assert codes.check(ticket.reference, again[1])[1] is None
