"""Questions the bot could not answer: redacted before storage, resolved in one click, counted."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from bot.app import create_app
from bot.config import Settings
from bot.console.accounts import Role, StaffAccounts
from bot.console.redaction import redact
from bot.storage.tables import AnswerFeedback, AuditEvent, UnansweredQuestion
from bot.tickets.service import RequestService
from tests.console.conftest import FAST_HASHER, PASSWORD, csrf_of, sign_in
from tests.web.conftest import web_settings

PACKAGED_INTENTS = Path(__file__).resolve().parents[2] / "intents"
NURSE = "does the swimming coach get my childs medical form"
PERSONAL = (
    "Hi, my name is Sarah Okafor, my son Tobi Okafor is in 3B. Can the school nurse see "
    "medical notes? Email sarah.okafor@example.com or ring 07700 900123."
)
DETAILS = ("Sarah", "Okafor", "Tobi", "sarah.okafor@example.com", "07700 900123", "900123")


@pytest.fixture
def school(tmp_path: Path, database_url: str) -> Iterator[tuple[Settings, TestClient, Any]]:
    """The app over the school's own copy of the intents, with a DPO account."""
    intents = tmp_path / "intents"
    shutil.copytree(PACKAGED_INTENTS, intents)
    settings = web_settings(tmp_path / "data", database_url=database_url, intents_dir=intents)
    service = RequestService.from_settings(settings)
    StaffAccounts(service.sessions, hasher=FAST_HASHER).add(
        "dpo@school.example", PASSWORD, Role.DPO, actor="test"
    )
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield settings, client, service
    service.dispose()


def ask(client: TestClient, question: str) -> dict[str, Any]:
    conversation = client.post("/api/conversations").json()["conversation_id"]
    response = client.post(
        "/api/chat/messages", json={"conversation_id": conversation, "text": question}
    )
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()["reply"]
    return reply


def stored(service: RequestService) -> list[UnansweredQuestion]:
    with service.sessions.begin() as session:
        rows = list(session.scalars(select(UnansweredQuestion)))
        session.expunge_all()
        return rows


def test_names_emails_phone_numbers_and_pupils_are_taken_out_before_storage(
    school: tuple[Settings, TestClient, RequestService],
) -> None:
    _, client, service = school
    assert ask(client, PERSONAL)["match"]["outcome"] != "answer"
    [row] = stored(service)
    for detail in DETAILS:
        assert detail not in row.text
    assert "school nurse see medical notes" in row.text
    # Nothing else in the database keeps them either, apart from the chat transcript itself,
    # which is purged on its own schedule.
    with service.sessions.begin() as session:
        dumped = str(session.execute(text("SELECT * FROM unanswered_questions")).all())
    assert "Okafor" not in dumped


@pytest.mark.parametrize(
    ("typed", "gone"),
    [
        ("is Mrs Achterberg allowed to see this", "Achterberg"),
        ("my daughter zainab wants her photos removed", "zainab"),
        ("I'm Dave and I want my records", "Dave"),
        ("call +44 20 7946 0018 about it", "7946"),
        ("upn 123456789012 is my boy", "123456789012"),
    ],
)
def test_redaction_takes_out_each_kind_of_detail(typed: str, gone: str) -> None:
    assert gone not in redact(typed)


def test_one_click_adds_the_question_and_the_next_identical_one_is_answered(
    school: tuple[Settings, TestClient, RequestService],
) -> None:
    settings, client, service = school
    assert ask(client, NURSE)["match"]["outcome"] == "fallback"
    sign_in(client, "dpo@school.example")
    page = client.get("/console/unanswered")
    assert NURSE in page.text
    [row] = stored(service)
    added = client.post(
        f"/console/unanswered/{row.id}/added",
        data={"csrf_token": csrf_of(page.text), "example": NURSE, "intent": "who_we_share_with"},
    )
    assert added.status_code == 303, added.text
    assert NURSE in (settings.intents_dir / "who_we_share_with.yaml").read_text()
    reply = ask(client, NURSE)
    assert reply["match"] == {**reply["match"], "outcome": "answer", "intent": "who_we_share_with"}
    assert NURSE not in client.get("/console/unanswered").text
    with service.sessions.begin() as session:
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.action == "question_added_to_intent")
        )
        assert event is not None
        assert (event.actor, event.new_value) == ("dpo@school.example", "who_we_share_with")


def test_out_of_scope_is_remembered_and_the_dashboard_counts_by_topic(
    school: tuple[Settings, TestClient, RequestService],
) -> None:
    settings, client, service = school
    fish = "who looks after the fish tank"
    ask(client, fish)
    ask(client, NURSE)
    sign_in(client, "dpo@school.example")
    dashboard = client.get("/console/dashboard").text
    assert "Questions the bot could not answer" in dashboard
    # Each figure once, and a plain page title (the figures once leaked into the <title>).
    assert dashboard.count('id="unanswered-heading"') == 1
    assert "<title>Dashboard: data protection requests</title>" in dashboard
    fish_topic = next(row.nearest_intent for row in stored(service) if "fish" in row.text)
    assert fish_topic  # something always comes closest, however far off
    # The nearest topic of the fish tank question, in words, with its count.
    assert f">{fish_topic.replace('_', ' ').capitalize()}</th><td>" in dashboard
    assert fish not in dashboard  # counts only, never the words
    # Nobody has rated an answer yet, so the ratings table is not drawn.
    assert "Answers rated helpful and not helpful" not in dashboard
    fish_row = next(row for row in stored(service) if "fish" in row.text)
    page = client.get("/console/unanswered").text
    done = client.post(
        f"/console/unanswered/{fish_row.id}/out_of_scope",
        data={"csrf_token": csrf_of(page), "example": fish, "intent": "contact_school"},
    )
    assert done.status_code == 303
    # Asked again, it gets the same polite fallback, but on purpose: it is not a miss any more.
    assert ask(client, fish)["match"]["outcome"] == "fallback"
    assert [row.text for row in stored(service) if row.state == "new"] == [NURSE]
    assert fish in (settings.intents_dir / "_out_of_scope.yaml").read_text()
    again = client.post(
        f"/console/unanswered/{fish_row.id}/added",
        data={"csrf_token": csrf_of(page), "example": fish, "intent": "contact_school"},
    )
    assert "already been dealt with" in again.text


def test_was_this_helpful_is_shown_per_answer_when_the_chat_keeps_ratings(
    school: tuple[Settings, TestClient, RequestService],
) -> None:
    _, client, service = school
    # Votes as the web chat stores them (bot/web/feedback.py): the intent and the vote only.
    with service.sessions.begin() as session:
        for intent, helpful in (("retention", True), ("retention", True), ("retention", False)):
            session.add(AnswerFeedback(intent=intent, helpful=helpful, at=datetime.now(UTC)))
    sign_in(client, "dpo@school.example")
    dashboard = client.get("/console/dashboard").text
    assert "Was this helpful?" in dashboard
    row = dashboard[dashboard.index(">Retention</th>") :]
    assert row.startswith(">Retention</th><td>2</td><td>1</td><td>67%</td>")
