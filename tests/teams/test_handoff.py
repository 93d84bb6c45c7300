"""A parent's web chat handed to staff in the Teams triage channel, and staff's replies back.

Through the real application: the parent talks to /api/chat/messages and polls /updates; staff
are Teams activities posted to /api/messages; every post the bot makes lands on the loopback
Bot Connector.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.conversation.handoff import HANDOFF_START
from tests.slack.fake_slack import start_fake, stop_fake
from tests.teams.conftest import TRIAGE_CHANNEL, Call, FakeConnector, Person, send


def start(client: TestClient) -> str:
    response = client.post("/api/conversations")
    assert response.status_code == 201
    return str(response.json()["conversation_id"])


def say(client: TestClient, conversation: str, text: str, message_id: str | None = None) -> str:
    body = {"conversation_id": conversation, "text": text}
    if message_id is not None:
        body["message_id"] = message_id
    response = client.post("/api/chat/messages", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["reply"]["text"])


def updates(client: TestClient, conversation: str, after: int = 0) -> dict[str, Any]:
    response = client.get(f"/api/conversations/{conversation}/updates", params={"after": after})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def root_posts(connector: FakeConnector) -> list[Call]:
    path = f"/v3/conversations/{TRIAGE_CHANNEL}/activities"  # new posts, not thread replies
    return [c for c in connector.calls if c.method == "POST" and c.path == path]


def thread_posts(connector: FakeConnector, root: str) -> list[Call]:
    return connector.messages_to(f"{TRIAGE_CHANNEL};messageid={root}")


def said(card: dict[str, Any]) -> list[tuple[str, str]]:
    """(speaker, words) for each line of the conversation on a card, words as Teams shows them."""
    lines = []
    for block in card["body"]:
        if block["type"] == "RichTextBlock":
            speaker, words = block["inlines"]
            assert words["type"] == "TextRun"  # never markdown: shown exactly as written
            lines.append((speaker["text"].rstrip(": "), words["text"]))
    return lines


def hand_off(client: TestClient, connector: FakeConnector, first: str) -> tuple[str, Call]:
    """A parent asks for a person and accepts; returns their conversation and the post."""
    conversation = start(client)
    say(client, conversation, first)
    offer = say(client, conversation, "can I talk to a real person please")
    assert "someone from the school office" in offer
    opened = say(client, conversation, HANDOFF_START)
    assert "passed this conversation to the school office" in opened
    (post,) = root_posts(connector)
    return conversation, post


def staff_reply(client: TestClient, staff: Person, root: str, text: str, activity_id: str) -> None:
    activity = staff.activity(text=text, id=activity_id, replyToId=root)
    activity["conversation"]["id"] = f"{TRIAGE_CHANNEL};messageid={root}"
    assert send(client, activity).status_code in (200, 202)


def press(client: TestClient, staff: Person, root: str, title: str, card: dict[str, Any]) -> Any:
    (action,) = [a for a in card["actions"] if a["title"] == title]
    activity = staff.activity(
        type="invoke",
        name="adaptiveCard/action",
        replyToId=root,
        value={
            "action": {"type": "Action.Execute", "verb": action["verb"], "data": action["data"]}
        },
    )
    activity["conversation"]["id"] = f"{TRIAGE_CHANNEL};messageid={root}"
    response = send(client, activity)
    assert response.status_code == 200, response.text
    return response.json()


def staff_person(connector: FakeConnector) -> Person:
    return Person(connector, conversation_id=TRIAGE_CHANNEL, conversation_type="channel")


def test_the_round_trip_from_web_chat_to_teams_and_back(
    client: TestClient, connector: FakeConnector
) -> None:
    conversation, post = hand_off(client, connector, "how long do you keep records")
    card = post.card
    assert [a["title"] for a in card["actions"]] == ["Take it", "Close hand-off"]
    assert ("Parent", "can I talk to a real person please") in said(card)
    assert any(speaker == "Bot" for speaker, _ in said(card))
    assert updates(client, conversation) == {"open": True, "replies": []}
    root = post.answer_id

    # The parent's next message appears in the thread.
    assert "Passed on" in say(client, conversation, "It's about my son's file")
    (relayed,) = thread_posts(connector, root)
    assert said(relayed.card) == [("Parent", "It's about my son's file")]

    # Staff reply in the thread; a retried activity reaches the parent once.
    staff = staff_person(connector)
    staff_reply(client, staff, root, "Hello, this is <b>Mrs Jones</b> &amp; I can help", "r1")
    staff_reply(client, staff, root, "Hello, this is <b>Mrs Jones</b> &amp; I can help", "r1")
    news = updates(client, conversation)
    (reply,) = news["replies"]
    assert reply["text"] == "Hello, this is Mrs Jones & I can help"
    # The bot answered nothing in the thread: only the parent's message is there.
    assert len(thread_posts(connector, root)) == 1

    taken = press(client, staff, root, "Take it", card)
    assert taken["statusCode"] == 200
    assert "Taken by Alex Teacher." in str(taken["value"])
    assert [a["title"] for a in taken["value"]["actions"]] == ["Close hand-off"]

    closed = press(client, staff, root, "Close hand-off", taken["value"])
    assert "Hand-off closed by Alex Teacher." in str(closed["value"])
    assert closed["value"]["actions"] == []
    again = press(client, staff, root, "Close hand-off", taken["value"])
    assert "This hand-off is closed." in str(again["value"])

    # The parent is told, in the same poll that says the hand-off is over.
    final = updates(client, conversation, after=reply["id"])
    assert final["open"] is False
    (notice,) = final["replies"]
    assert "finished with this conversation" in notice["text"]

    # The bot answers again, and nothing more goes to the thread.
    assert "6 years" in say(client, conversation, "How long do you keep my child's records?")
    assert len(thread_posts(connector, root)) == 1
    staff_reply(client, staff, root, "One more thing", "r2")
    assert updates(client, conversation, after=notice["id"])["replies"] == []


def test_a_parents_link_or_mention_stays_plain_text_on_the_card(
    client: TestClient, connector: FakeConnector
) -> None:
    trick = "[School portal https://portal.school.example](https://evil.example) <at>Head</at>"
    _, post = hand_off(client, connector, trick)
    assert ("Parent", trick) in said(post.card)
    text_blocks = [b["text"] for b in post.card["body"] if b["type"] == "TextBlock"]
    assert not any("evil.example" in text for text in text_blocks)
    assert "mentions" not in str(post.body.get("entities") or "")


def test_a_retried_parent_message_is_relayed_once_even_from_two_workers(
    client: TestClient, connector: FakeConnector
) -> None:
    conversation, post = hand_off(client, connector, "hello")
    message_id = uuid.uuid4().hex
    start_together = threading.Barrier(2)
    replies: list[str] = []

    def worker() -> None:
        start_together.wait()
        replies.append(say(client, conversation, "Please call me back", message_id))

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=30)
    assert len(replies) == 2
    assert len(thread_posts(connector, post.answer_id)) == 1


def test_teams_down_the_parent_is_told_to_email_and_nothing_is_lost(
    client: TestClient, connector: FakeConnector
) -> None:
    conversation = start(client)
    say(client, conversation, "can I talk to a real person please")
    connector.down = True
    answer = say(client, conversation, HANDOFF_START)
    assert "mailto:" in answer
    assert "everything you wrote here has been kept" in answer
    assert updates(client, conversation)["open"] is False
    connector.down = False
    # Nothing was posted for staff to answer into the void, and the bot still answers.
    assert root_posts(connector) == []
    assert "6 years" in say(client, conversation, "How long do you keep records?")


def test_teams_going_down_during_a_hand_off_keeps_the_parents_message(
    client: TestClient, connector: FakeConnector, bot_settings: Any
) -> None:
    conversation, _ = hand_off(client, connector, "hello")
    connector.down = True
    answer = say(client, conversation, "Hello? My number is 07700 900123")
    assert "email them" in answer
    connector.down = False
    from bot.conversation.store import ConversationStore
    from bot.storage.engine import make_engine, session_factory
    from bot.web.signing import ConversationIds, secret_key

    engine = make_engine(bot_settings.resolved_database_url())
    try:
        raw = ConversationIds(secret_key(bot_settings)).open(conversation)
        words = [text for _, text in ConversationStore(session_factory(engine)).transcript(raw)]
    finally:
        engine.dispose()
    assert "Hello? My number is 07700 900123" in words


@pytest.mark.parametrize("chosen", ["teams", "slack"])
def test_with_slack_and_teams_both_set_up_one_setting_chooses_the_platform(
    bot_settings: Settings, connector: FakeConnector, chosen: str
) -> None:
    slack = start_fake()
    try:
        values = bot_settings.model_dump() | {
            "slack_bot_token": "xoxb-test",
            "slack_signing_secret": "8f742231b10e8888abcd99yyyzzz85a5",
            "slack_triage_channel": "CTRIAGE",
            "slack_api_url": slack.url,
            "slack_triage_interval_seconds": 3600,
            "handoff_platform": chosen,
        }
        settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
        with TestClient(create_app(settings)) as client:
            conversation = start(client)
            say(client, conversation, "can I talk to a real person please")
            opened = say(client, conversation, HANDOFF_START)
            assert "passed this conversation to the school office" in opened
        slack_threads = [
            call for call in slack.called("chat.postMessage") if "blocks" in call.params
        ]
        if chosen == "teams":
            assert len(root_posts(connector)) == 1
            assert slack_threads == []
        else:
            assert root_posts(connector) == []
            assert len(slack_threads) == 1
    finally:
        stop_fake(slack)
