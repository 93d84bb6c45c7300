"""The requester's status page: a code by email opens their own request, and nothing else does."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.rules.lifecycle import RequestChannel
from bot.tickets.service import NewRequest, RequestService
from tests.conftest import Clock
from tests.smtp import Inbox, wait_for
from tests.web.conftest import web_settings

STATUS = "/requests/status"


@pytest.fixture
def settings(tmp_path: Path, smtp: tuple[Inbox, int]) -> Settings:
    return web_settings(
        tmp_path / "data",
        smtp_host="127.0.0.1",
        smtp_port=smtp[1],
        smtp_security="none",
        smtp_from="office@school.example",
        letters_interval_seconds=0.1,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def reference(settings: Settings, client: TestClient) -> str:
    """A request logged by the office, made with an email address."""
    service = RequestService.from_settings(settings)
    try:
        ticket = service.log(
            NewRequest(
                kind="sar",  # type: ignore[arg-type]
                channel=RequestChannel.EMAIL,
                received_at=Clock().now,
                requester_name="Priya Shah",
                requester_contact="Priya.Shah@example.org",
                requester_relationship="parent",  # type: ignore[arg-type]
                subject_name="Arjun Shah",
                subject_is_child=True,
                request_text="Everything you hold on Arjun",
            ),
            actor="office@school.example",
        )
    finally:
        service.dispose()
    return ticket.reference


def codes_in(inbox: Inbox) -> list[str]:
    return [
        match.group(1)
        for message in inbox.messages
        if (match := re.search(r"Your code to see request .*: (\d{6})", message["Subject"]))
    ]


def ask_for_code(client: TestClient, reference: str, email: str) -> Any:
    return client.post(STATUS, data={"reference": reference, "email": email})


def test_the_requester_gets_a_code_and_sees_their_request_and_letters(
    client: TestClient, reference: str, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    # The acknowledgement goes first; the status page lists it as a letter sent.
    wait_for(lambda: len(inbox.messages) == 1)
    asked = ask_for_code(client, reference.lower(), "priya.shah@example.org")
    assert asked.status_code == 200
    wait_for(lambda: len(codes_in(inbox)) == 1)

    code = codes_in(inbox)[0]
    opened = client.post(f"{STATUS}/code", data={"reference": reference, "code": code})

    assert opened.status_code == 200  # followed the redirect to the view
    page = opened.text
    assert reference in page
    assert "Subject access request" in page
    assert "7 April 2026" in page  # due: 3 March + one month, past Easter
    assert f"We have your request, reference {reference}" in page
    assert "Everything you hold on Arjun" in page


def test_an_unknown_reference_or_wrong_email_gets_the_same_answer_and_no_email(
    client: TestClient, reference: str, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    wait_for(lambda: len(inbox.messages) == 1)  # the acknowledgement
    real = ask_for_code(client, reference, "priya.shah@example.org")
    wrong_email = ask_for_code(client, reference, "someone.else@example.org")
    no_such = ask_for_code(client, "SAR-2026-9999", "priya.shah@example.org")

    assert real.status_code == wrong_email.status_code == no_such.status_code == 200
    strip = re.compile(r'value="[^"]*"')
    pages = {strip.sub("", answer.text) for answer in (real, wrong_email, no_such)}
    assert len(pages) == 1
    wait_for(lambda: len(codes_in(inbox)) == 1)
    time.sleep(0.3)
    assert len(codes_in(inbox)) == 1


def test_nothing_is_shown_without_the_code(client: TestClient, reference: str) -> None:
    bare = client.get(f"{STATUS}/view", follow_redirects=False)
    client.cookies.set("privacybot_request", "1", path=STATUS)
    forged = client.get(f"{STATUS}/view", follow_redirects=False)
    guessed = client.post(f"{STATUS}/code", data={"reference": reference, "code": "000000"})

    assert bare.status_code == forged.status_code == 303
    assert guessed.status_code == 400
    assert "Arjun" not in bare.text + forged.text + guessed.text


def test_five_wrong_codes_spend_the_code_even_for_the_right_one(
    client: TestClient, reference: str, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    ask_for_code(client, reference, "priya.shah@example.org")
    wait_for(lambda: len(codes_in(inbox)) == 1)
    code = codes_in(inbox)[0]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    answers = [
        client.post(f"{STATUS}/code", data={"reference": reference, "code": wrong})
        for _ in range(5)
    ]
    right = client.post(f"{STATUS}/code", data={"reference": reference, "code": code})

    assert [a.status_code for a in answers] == [400] * 5
    assert "tried too many times" in answers[-1].text
    assert right.status_code == 400
    assert "Arjun" not in right.text


def test_a_code_works_once(client: TestClient, reference: str, smtp: tuple[Inbox, int]) -> None:
    inbox, _ = smtp
    ask_for_code(client, reference, "priya.shah@example.org")
    wait_for(lambda: len(codes_in(inbox)) == 1)
    code = codes_in(inbox)[0]
    first = client.post(f"{STATUS}/code", data={"reference": reference, "code": code})
    client.cookies.clear()
    second = client.post(f"{STATUS}/code", data={"reference": reference, "code": code})
    assert (first.status_code, second.status_code) == (200, 400)


def test_many_tries_from_one_address_are_slowed_down(client: TestClient, reference: str) -> None:
    statuses = [
        ask_for_code(client, reference, f"guess{n}@example.org").status_code for n in range(12)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]


def test_an_answer_nobody_asked_for_is_refused_in_the_schools_words(
    client: TestClient, reference: str, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    ask_for_code(client, reference, "priya.shah@example.org")
    wait_for(lambda: len(codes_in(inbox)) == 1)
    client.post(f"{STATUS}/code", data={"reference": reference, "code": codes_in(inbox)[0]})

    # The school has not asked this requester anything: the reply is refused, and said so.
    refused = client.post(f"{STATUS}/reply", data={"answer": "Only his reports, please"})

    assert refused.status_code == 400
    assert "We are not waiting for an answer from you on this request" in refused.text
