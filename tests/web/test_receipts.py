"""Receipts for a request logged in the chat: listed, printable and emailed once, and only ever
to the device holding the conversation's signed id."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Relationship, RequestChannel
from bot.tickets.service import NewRequest, RequestService
from bot.web.signing import ConversationIds, secret_key
from tests.web.conftest import start, web_settings
from tests.web.smtp_inbox import Inbox, smtp_inbox

WORDS = "Please send me everything you hold on my son Arjun <b>now</b>"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_inbox() as inbox:
        yield inbox


def settings_for(tmp_path: Path, database_url: str, inbox: Inbox | None) -> Settings:
    mail: dict[str, Any] = (
        {"smtp_host": "127.0.0.1", "smtp_port": inbox.port, "smtp_security": "none"}
        if inbox
        else {}
    )
    return web_settings(tmp_path / "data", database_url=database_url, **mail)


def log_request(settings: Settings, signed: str, contact: str = "priya.shah@example.org") -> str:
    """Log a request as the chat's intake does, in the conversation `signed` names."""
    conversation_id = ConversationIds(secret_key(settings)).open(signed)
    service = RequestService.from_settings(settings)
    try:
        ticket = service.log(
            NewRequest(
                kind=TicketKind.SAR,
                channel=RequestChannel.WEB_CHAT,
                received_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
                requester_name="Priya Shah",
                requester_contact=contact,
                requester_relationship=Relationship.PARENT,
                subject_name="Arjun Shah",
                subject_is_child=True,
                request_text=WORDS,
                conversation_id=conversation_id,
            ),
            actor="web chat",
        )
    finally:
        service.dispose()
    return ticket.reference


def test_a_logged_request_has_a_printable_receipt_and_one_emailed_copy(
    tmp_path: Path, database_url: str, inbox: Inbox
) -> None:
    settings = settings_for(tmp_path, database_url, inbox)
    with TestClient(create_app(settings)) as client:
        signed, _ = start(client)
        reference = log_request(settings, signed)
        listed = client.post("/api/conversations/receipts", json={"conversation_id": signed})
        assert listed.status_code == 200, listed.text
        [receipt] = listed.json()["receipts"]
        assert receipt["reference"] == reference
        assert receipt["email_to"] == "priya.shah@example.org"
        assert receipt["emailed"] is False

        page = client.get(receipt["url"])
        assert page.status_code == 200
        assert page.headers["Cache-Control"] == "no-store"
        assert reference in page.text
        assert "Monday 21 December 2026" in page.text  # due: the same date next month, Monday
        assert "Friday 20 November 2026" in page.text
        assert "office@west-borough.kent.sch.uk" in page.text
        # What the parent wrote is shown as text, never as markup.
        assert "&lt;b&gt;now&lt;/b&gt;" in page.text
        assert "<b>now</b>" not in page.text

        asked = {"conversation_id": signed, "reference": reference}
        sent = client.post("/api/conversations/receipts/email", json=asked)
        assert sent.status_code == 200, sent.text
        assert sent.json() == {"sent_to": "priya.shah@example.org"}
        [email] = inbox.receipts()
        assert email["To"] == "priya.shah@example.org"
        assert reference in email["Subject"]
        body = email.get_payload(decode=True).decode()
        assert "Monday 21 December 2026" in body
        assert WORDS in body
        assert "**" not in body

        again = client.post("/api/conversations/receipts/email", json=asked)
        assert again.status_code == 409
        assert len(inbox.receipts()) == 1
        listed = client.post("/api/conversations/receipts", json={"conversation_id": signed})
        assert listed.json()["receipts"][0]["emailed"] is True


def test_receipts_are_reachable_only_with_the_conversations_signed_id(
    tmp_path: Path, database_url: str, inbox: Inbox
) -> None:
    settings = settings_for(tmp_path, database_url, inbox)
    with TestClient(create_app(settings)) as client:
        signed, _ = start(client)
        reference = log_request(settings, signed)
        other, _ = start(client)
        # Another conversation sees no receipt, and cannot have this one emailed.
        listed = client.post("/api/conversations/receipts", json={"conversation_id": other})
        assert listed.json() == {"receipts": []}
        refused = client.post(
            "/api/conversations/receipts/email",
            json={"conversation_id": other, "reference": reference},
        )
        assert refused.status_code == 404
        forged = client.post(
            "/api/conversations/receipts/email",
            json={"conversation_id": signed + "x", "reference": reference},
        )
        assert forged.status_code == 403
        # The page's address is signed too: guessing one from the reference gets nothing.
        mine = client.post("/api/conversations/receipts", json={"conversation_id": signed})
        url = mine.json()["receipts"][0]["url"]
        assert client.get(url[:-2] + "xx").status_code == 404
        guessed = client.get(f"/chat/receipts/{reference}")
        assert guessed.status_code == 404
        assert guessed.headers["Content-Type"].startswith("text/html")
        assert "There is no receipt at this address" in guessed.text
        assert reference not in guessed.text
        assert inbox.receipts() == []


def test_no_email_is_offered_without_an_address_or_a_mail_server(
    tmp_path: Path, database_url: str, inbox: Inbox
) -> None:
    settings = settings_for(tmp_path, database_url, inbox)
    with TestClient(create_app(settings)) as client:
        signed, _ = start(client)
        reference = log_request(settings, signed, contact="07911 123456")
        [receipt] = client.post(
            "/api/conversations/receipts", json={"conversation_id": signed}
        ).json()["receipts"]
        assert receipt["email_to"] is None
        refused = client.post(
            "/api/conversations/receipts/email",
            json={"conversation_id": signed, "reference": reference},
        )
        assert refused.status_code == 404
    unmailed = settings_for(tmp_path / "b", database_url, None)
    with TestClient(create_app(unmailed)) as client:
        signed, _ = start(client)
        log_request(unmailed, signed)
        [receipt] = client.post(
            "/api/conversations/receipts", json={"conversation_id": signed}
        ).json()["receipts"]
        assert receipt["email_to"] is None


def test_a_failed_email_can_be_tried_again(tmp_path: Path, database_url: str) -> None:
    with smtp_inbox() as inbox:
        port = inbox.port
    # The mail server has gone: nothing listens on its port now.
    settings = web_settings(
        tmp_path / "data",
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
    )
    with TestClient(create_app(settings)) as client:
        signed, _ = start(client)
        reference = log_request(settings, signed)
        asked = {"conversation_id": signed, "reference": reference}
        failed = client.post("/api/conversations/receipts/email", json=asked)
        assert failed.status_code == 502
        listed = client.post("/api/conversations/receipts", json={"conversation_id": signed})
        assert listed.json()["receipts"][0]["emailed"] is False
