"""'Was this helpful?': a vote per answer, stored with its intent and nothing about who gave it,
behind the same guards as the chat API."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from bot.app import create_app
from bot.storage.engine import make_engine
from bot.storage.tables import AnswerFeedback
from tests.web.conftest import start, web_settings


def stored(database_url: str) -> list[AnswerFeedback]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(AnswerFeedback).order_by(AnswerFeedback.id)))
    finally:
        engine.dispose()


def test_a_vote_and_its_comment_are_stored_without_the_conversation(
    tmp_path: Path, database_url: str
) -> None:
    settings = web_settings(tmp_path / "data", database_url=database_url)
    with TestClient(create_app(settings)) as client:
        signed, _ = start(client)
        voted = client.post(
            "/api/chat/feedback",
            json={"conversation_id": signed, "intent": "retention", "helpful": False},
        )
        assert voted.status_code == 201, voted.text
        token = voted.json()["feedback_token"]
        commented = client.post(
            "/api/chat/feedback/comment",
            json={"conversation_id": signed, "feedback_token": token, "comment": " Too vague "},
        )
        assert commented.status_code == 200, commented.text
        # A vote takes one comment: a second does not overwrite it.
        again = client.post(
            "/api/chat/feedback/comment",
            json={"conversation_id": signed, "feedback_token": token, "comment": "Changed"},
        )
        assert again.status_code == 409
        fallback = client.post(
            "/api/chat/feedback", json={"conversation_id": signed, "intent": None, "helpful": True}
        )
        assert fallback.status_code == 201

    [vote, other] = stored(database_url)
    assert (vote.intent, vote.helpful, vote.comment) == ("retention", False, "Too vague")
    assert vote.at.tzinfo is not None
    assert (other.intent, other.helpful, other.comment) == (None, True, None)
    engine = make_engine(database_url)
    try:
        columns = {column["name"] for column in inspect(engine).get_columns("answer_feedback")}
    finally:
        engine.dispose()
    assert columns == {"id", "intent", "helpful", "comment", "at"}


def test_feedback_has_the_chat_apis_guards(tmp_path: Path) -> None:
    settings = web_settings(tmp_path / "data", rate_limit_per_conversation=2)
    with TestClient(create_app(settings)) as client:
        signed, _ = start(client)
        forged = client.post(
            "/api/chat/feedback",
            json={"conversation_id": signed[:-1], "intent": None, "helpful": True},
        )
        assert forged.status_code == 403
        assert forged.json()["error"] == "unknown_conversation"
        unknown = client.post(
            "/api/chat/feedback",
            json={"conversation_id": signed, "intent": "term_dates", "helpful": True},
        )
        assert unknown.status_code == 422
        wrong_type = client.post(
            "/api/chat/feedback", json={"conversation_id": signed, "helpful": "perhaps"}
        )
        assert wrong_type.status_code == 422
        assert "helpful" in wrong_type.json()["detail"]
        broken = client.post(
            "/api/chat/feedback", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert broken.status_code == 400

        vote = {"conversation_id": signed, "intent": "retention", "helpful": True}
        token = client.post("/api/chat/feedback", json=vote).json()["feedback_token"]
        long = client.post(
            "/api/chat/feedback/comment",
            json={"conversation_id": signed, "feedback_token": token, "comment": "x" * 501},
        )
        assert long.status_code == 422
        assert "500" in long.json()["detail"]
        # The third request on this conversation within the window is one too many.
        limited = client.post("/api/chat/feedback", json=vote)
        assert limited.status_code == 429
        assert limited.headers["Retry-After"]
        forged_token = client.post(
            "/api/chat/feedback/comment",
            json={"conversation_id": signed, "feedback_token": "1.forged", "comment": "hi"},
        )
        assert forged_token.status_code in {403, 429}


def test_a_huge_feedback_body_is_refused_unread(tmp_path: Path) -> None:
    with TestClient(create_app(web_settings(tmp_path / "data"))) as client:
        signed, _ = start(client)
        huge = "x" * 200_000
        response = client.post(
            "/api/chat/feedback/comment",
            json={"conversation_id": signed, "feedback_token": "t", "comment": huge},
        )
        assert response.status_code == 413
