"""The chat API as a client sees it: conversations, replies, and every way a request can be bad."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from itsdangerous import Signer

from bot.app import create_app
from bot.config import Settings
from bot.conversation.handler import Conversation
from bot.types import Message, Reply
from bot.web.signing import KEY_FILE
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
