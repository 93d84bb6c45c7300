"""The chat API as a client sees it: conversations, replies, and every way a request can be bad."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from itsdangerous import Signer
from sqlalchemy import bindparam, text

from bot.app import create_app
from bot.config import Settings
from bot.conversation.handler import Conversation
from bot.storage.engine import make_engine
from bot.storage.tables import UTCDateTime
from bot.types import Message, Reply
from bot.web.signing import KEY_FILE, ConversationIds, secret_key
from tests.web.conftest import start, web_settings

# Phrasings that come out ambiguous today; the did-you-mean tests use whichever still does.
AMBIGUOUS = ["sharing", "keep", "my child", "rights", "information about", "data", "record"]


def send(client: TestClient, conversation_id: str, text: str) -> dict[str, object]:
    response = client.post(
        "/api/chat/messages", json={"conversation_id": conversation_id, "text": text}
    )
    assert response.status_code == 200, response.text
    reply = response.json()["reply"]
    assert isinstance(reply, dict)
    return reply


def test_starting_gives_a_signed_id_and_the_greeting(client: TestClient) -> None:
    conversation_id, greeting = start(client)
    other_id, _ = start(client)
    assert conversation_id != other_id
    assert len(conversation_id) > 40
    assert "West Borough School" in str(greeting["text"])
    assert "<strong>West Borough School</strong>" in str(greeting["html"])
    # Its suggested questions are buttons that ask them.
    assert greeting["choices"][0] == {
        "label": "How long do you keep my child's information?",
        "value": "How long do you keep my child's information?",
    }
    assert greeting["ticket_reference"] is None


def test_a_question_gets_its_answer_as_markdown_and_safe_html(client: TestClient) -> None:
    conversation_id, _ = start(client)
    reply = send(client, conversation_id, "How long do you keep my child's information?")
    assert "6 years" in str(reply["text"])
    assert str(reply["html"]).startswith("<p>")
    match = reply["match"]
    assert isinstance(match, dict)
    assert (match["intent"], match["outcome"]) == ("retention", "answer")


def test_an_ambiguous_question_offers_choices_whose_value_answers(client: TestClient) -> None:
    conversation_id, _ = start(client)
    for question in AMBIGUOUS:
        reply = send(client, conversation_id, question)
        if reply["choices"]:
            break
    else:
        pytest.fail(f"none of {AMBIGUOUS} gets a 'did you mean' reply now: add one that does")
    choice = reply["choices"][0]  # type: ignore[index]
    chosen = send(client, conversation_id, choice["value"])
    assert chosen["match"]["outcome"] == "answer"  # type: ignore[index]
    assert chosen["choices"] == []


def test_a_retried_message_is_answered_once(client: TestClient) -> None:
    conversation_id, _ = start(client)

    def post(text: str, message_id: str) -> object:
        body = {"conversation_id": conversation_id, "text": text, "message_id": message_id}
        return client.post("/api/chat/messages", json=body).json()

    first = post("cookies", "attempt-1")
    # The same message id again: the earlier reply, even though the text now differs.
    assert post("How long do you keep pupil data?", "attempt-1") == first
    assert post("How long do you keep pupil data?", "attempt-2") != first


def test_markup_in_a_message_never_comes_back_as_markup(client: TestClient) -> None:
    conversation_id, _ = start(client)
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    reply = send(client, conversation_id, payload)
    assert "<script" not in str(reply["html"])
    assert "<img" not in str(reply["html"])


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda signed: signed + "x", id="changed signature"),
        pytest.param(lambda signed: "A" + signed[1:], id="changed id"),
        pytest.param(lambda signed: signed.split(".")[0], id="no signature"),
        pytest.param(lambda signed: Signer("another key" * 4).sign("abc").decode(), id="other key"),
        pytest.param(lambda signed: "", id="empty"),
    ],
)
def test_a_forged_conversation_id_is_refused(client: TestClient, tamper: object) -> None:
    signed, _ = start(client)
    forged = tamper(signed)  # type: ignore[operator]
    response = client.post("/api/chat/messages", json={"conversation_id": forged, "text": "hello"})
    assert response.status_code == 403
    assert response.json()["error"] == "unknown_conversation"
    assert "Start a new conversation" in response.json()["detail"]


def test_the_generated_key_is_kept_so_a_restart_or_another_worker_accepts_old_ids(
    app_settings: Settings, tmp_path: Path
) -> None:
    with TestClient(create_app(app_settings)) as first:
        conversation_id, _ = start(first)
    assert (app_settings.data_dir / KEY_FILE).stat().st_mode & 0o077 == 0
    with TestClient(create_app(app_settings)) as restarted:
        assert send(restarted, conversation_id, "hello")["text"]
    elsewhere = web_settings(tmp_path / "elsewhere")
    with TestClient(create_app(elsewhere)) as other_server:
        response = other_server.post(
            "/api/chat/messages", json={"conversation_id": conversation_id, "text": "hello"}
        )
        assert response.status_code == 403


def test_a_configured_secret_key_signs_the_ids(tmp_path: Path) -> None:
    key = "k" * 40
    with TestClient(create_app(web_settings(tmp_path / "a", secret_key=key))) as first:
        conversation_id, _ = start(first)
    with TestClient(create_app(web_settings(tmp_path / "b", secret_key=key))) as second:
        assert send(second, conversation_id, "hello")["text"]
    assert not (tmp_path / "a" / KEY_FILE).exists()


def test_a_message_over_the_limit_gets_a_clear_422(tmp_path: Path) -> None:
    with TestClient(create_app(web_settings(tmp_path, max_message_chars=50))) as client:
        conversation_id, _ = start(client)
        response = client.post(
            "/api/chat/messages", json={"conversation_id": conversation_id, "text": "a" * 51}
        )
        assert response.status_code == 422
        assert response.json()["error"] == "message_too_long"
        assert "at most 50 characters" in response.json()["detail"]
        assert send(client, conversation_id, "a" * 50)["text"]


@pytest.mark.parametrize(
    ("body", "status", "error", "says"),
    [
        pytest.param(b"{not json", 400, "invalid_json", "not valid JSON", id="malformed"),
        pytest.param(b"", 422, "invalid_request", "JSON object", id="empty"),
        pytest.param(b"[]", 422, "invalid_request", "request body", id="array"),
        pytest.param(b'"hi"', 422, "invalid_request", "request body", id="string"),
        pytest.param(b'{"text": "hi"}', 422, "invalid_request", "conversation_id", id="no id"),
        pytest.param(
            b'{"conversation_id": 5, "text": ["hi"]}',
            422,
            "invalid_request",
            "text: Input should be a valid string",
            id="wrong types",
        ),
    ],
)
def test_a_bad_body_gets_a_clear_4xx(
    client: TestClient, body: bytes, status: int, error: str, says: str
) -> None:
    response = client.post(
        "/api/chat/messages", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == status
    assert response.json()["error"] == error
    assert says in response.json()["detail"]


def test_text_that_is_not_unicode_gets_the_bots_own_answer(client: TestClient) -> None:
    conversation_id, _ = start(client)
    body = f'{{"conversation_id": "{conversation_id}", "text": "caf\\ud800"}}'
    response = client.post(
        "/api/chat/messages", content=body.encode(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert "couldn't read" in response.json()["reply"]["text"]


def test_a_huge_body_is_refused_unread(client: TestClient) -> None:
    huge = b'{"text": "' + b"a" * 1_000_000 + b'"}'
    declared = client.post(
        "/api/chat/messages", content=huge, headers={"Content-Type": "application/json"}
    )
    chunked = client.post(
        "/api/chat/messages",
        content=iter([huge[:500_000], huge[500_000:]]),
        headers={"Content-Type": "application/json"},
    )
    for response in (declared, chunked):
        assert response.status_code == 413
        assert response.json()["error"] == "too_large"
        assert "larger than" in response.json()["detail"]


def test_other_endpoints_such_as_webhooks_may_take_bigger_bodies(client: TestClient) -> None:
    # Slack and Teams post more than a chat message; only a body no webhook sends is refused.
    assert client.post("/nowhere", content=b"x" * 200_000).status_code == 404
    assert client.post("/nowhere", content=b"x" * 2_000_000).status_code == 413


def test_unknown_paths_and_methods_answer_json(client: TestClient) -> None:
    missing = client.get("/nowhere")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    wrong = client.get("/api/chat/messages")
    assert (wrong.status_code, wrong.json()["error"]) == (405, "method_not_allowed")
    assert wrong.headers["Allow"] == "POST"


def test_a_crash_in_the_handler_is_a_plain_500(
    app_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Conversation, message: Message) -> Reply:
        raise RuntimeError("the database went away")

    with TestClient(create_app(app_settings), raise_server_exceptions=False) as client:
        conversation_id, _ = start(client)
        monkeypatch.setattr(Conversation, "handle", broken)
        response = client.post(
            "/api/chat/messages", json={"conversation_id": conversation_id, "text": "cookies"}
        )
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal_error",
        "detail": "Something went wrong on our side. Please try again.",
    }


@pytest.fixture
def db_client(tmp_path: Path, database_url: str) -> Iterator[TestClient]:
    """The app on SQLite and on PostgreSQL, which refuses NUL and 64-bit ids at the database."""
    settings = web_settings(tmp_path / "data", database_url=database_url)
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_nul_character_gets_a_clear_422_on_every_database(db_client: TestClient) -> None:
    conversation_id, _ = start(db_client)
    for body in (
        {"conversation_id": conversation_id, "text": "how long do you keep\x00 data"},
        {"conversation_id": conversation_id, "text": "cookies", "message_id": "m\x001"},
    ):
        response = db_client.post("/api/chat/messages", json=body)
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "invalid_request"
        assert "NUL character" in response.json()["detail"]
        assert "Value error" not in response.json()["detail"]


def test_a_nul_in_an_intake_answer_is_refused_and_the_intake_goes_on(
    db_client: TestClient,
) -> None:
    conversation_id, _ = start(db_client)
    asked = send(
        db_client, conversation_id, "I want a copy of all the information you hold on my son"
    )
    refused = db_client.post(
        "/api/chat/messages", json={"conversation_id": conversation_id, "text": "Priya\x00 Shah"}
    )
    assert refused.status_code == 422
    # Nothing was lost: the same answer without the NUL moves the intake on.
    assert asked["text"] != ""
    following = send(db_client, conversation_id, "Priya Shah")
    assert "who is the information about" in str(following["text"]).lower()


def test_polling_after_a_reply_id_beyond_32_bits_is_a_clear_422(db_client: TestClient) -> None:
    conversation_id, _ = start(db_client)
    updates = f"/api/conversations/{conversation_id}/updates"
    assert db_client.get(updates, params={"after": 2**31 - 1}).status_code == 200
    response = db_client.get(updates, params={"after": 2**31})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


def _claim_left_by_a_dead_worker(
    settings: Settings, conversation_id: str, message_id: str, age: timedelta
) -> None:
    # What a worker killed (kill -9) between claiming a message and answering it leaves behind.
    opened = ConversationIds(secret_key(settings)).open(conversation_id)
    engine = make_engine(settings.resolved_database_url())
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO processed_messages (source_id, conversation_id, created_at)"
                    " VALUES (:source_id, :conversation_id, :created_at)"
                ).bindparams(bindparam("created_at", type_=UTCDateTime())),
                {
                    "source_id": f"web:{opened}:{message_id}",
                    "conversation_id": opened,
                    "created_at": datetime.now(UTC) - age,
                },
            )
    finally:
        engine.dispose()


def test_a_retry_after_a_worker_died_mid_message_is_answered_once(
    app_settings: Settings,
) -> None:
    with TestClient(create_app(app_settings)) as client:
        conversation_id, _ = start(client)
        _claim_left_by_a_dead_worker(app_settings, conversation_id, "m-1", timedelta(minutes=10))
        message = {"conversation_id": conversation_id, "text": "cookies", "message_id": "m-1"}
        first = client.post("/api/chat/messages", json=message).json()["reply"]
        again = client.post("/api/chat/messages", json=message).json()["reply"]
        assert "cookie" in first["text"].lower()
        assert again == first
        # A claim still being worked on (a moment old) is not taken over: no double answer.
        _claim_left_by_a_dead_worker(app_settings, conversation_id, "m-2", timedelta(seconds=1))
        busy = {**message, "message_id": "m-2"}
        assert client.post("/api/chat/messages", json=busy).json()["reply"]["text"] == ""
    engine = make_engine(app_settings.resolved_database_url())
    try:
        with engine.connect() as connection:
            asked = connection.scalar(
                text("SELECT count(*) FROM conversation_turns WHERE role = 'person'")
            )
    finally:
        engine.dispose()
    assert asked == 1


def test_a_conversation_id_expires_with_the_transcript_retention(tmp_path: Path) -> None:
    settings = web_settings(tmp_path, transcript_retention_days=2, secret_key="k" * 40)
    old = ConversationIds(secret_key(settings))
    three_days_ago = int(time.time()) - 3 * 86400
    old._signer.get_timestamp = lambda: three_days_ago  # type: ignore[method-assign]
    _, expired = old.mint()
    with TestClient(create_app(settings)) as client:
        current, _ = start(client)
        assert send(client, current, "hello")["text"]
        for path in ("/api/chat/messages", f"/api/conversations/{expired}/updates"):
            if path.endswith("updates"):
                response = client.get(path)
            else:
                response = client.post(path, json={"conversation_id": expired, "text": "hi"})
            assert response.status_code == 403, path
            assert "Start a new conversation" in response.json()["detail"]


def test_the_access_log_leaves_conversation_ids_out(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    conversation_id, _ = start(client)
    path = f"/api/conversations/{conversation_id}/updates?after=0"
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        # The very call uvicorn's access logger makes for each request.
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "203.0.113.9:5100", "GET", path, "1.1", 200
        )
    assert "GET /api/conversations/[conversation]/updates?after=0" in caplog.text
    assert conversation_id not in caplog.text
    assert conversation_id.split(".")[0] not in caplog.text


def test_polling_is_limited_per_client_address_too(tmp_path: Path) -> None:
    settings = web_settings(tmp_path, rate_limit_per_client=2, secret_key="k" * 40)
    ids = ConversationIds(secret_key(settings))
    with TestClient(create_app(settings)) as client:
        # Fresh conversation ids, each polled once: only the address's budget can stop this.
        statuses = [
            client.get(f"/api/conversations/{ids.mint()[1]}/updates").status_code for _ in range(20)
        ]
    assert statuses[0] == 200
    assert 429 in statuses
    assert statuses.index(429) == 8
