"""A parent's web chat handed to staff in Slack, and staff's replies back in the chat."""

from __future__ import annotations

from typing import Any

import pytest

from bot.conversation.handoff import HANDOFF_START
from tests.slack.conftest import STAFF, TRIAGE, Harness

pytestmark = pytest.mark.anyio


async def start(harness: Harness) -> str:
    response = await harness.http.post("/api/conversations")
    assert response.status_code == 201
    return str(response.json()["conversation_id"])


async def say(harness: Harness, conversation: str, text: str) -> dict[str, Any]:
    response = await harness.http.post(
        "/api/chat/messages", json={"conversation_id": conversation, "text": text}
    )
    assert response.status_code == 200, response.text
    reply = response.json()["reply"]
    assert isinstance(reply, dict)
    return reply


async def updates(harness: Harness, conversation: str, after: int = 0) -> dict[str, Any]:
    response = await harness.http.get(
        f"/api/conversations/{conversation}/updates", params={"after": after}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, dict)
    return body


async def hand_off(harness: Harness) -> tuple[str, str]:
    """A parent asks for a person and accepts; returns their conversation and the thread."""
    conversation = await start(harness)
    offer = await say(harness, conversation, "can I talk to a real person please")
    assert HANDOFF_START in [choice["value"] for choice in offer["choices"]]
    opened = await say(harness, conversation, HANDOFF_START)
    assert "passed this conversation to the school office" in opened["text"]
    root, transcript = harness.fake.called("chat.postMessage")[:2]
    assert root.params["channel"] == TRIAGE
    assert "Close hand-off" in str(root.params["blocks"])
    assert transcript.params["thread_ts"] == root.answer["ts"]
    assert "can I talk to a real person please" in transcript.params["text"]
    return conversation, str(root.answer["ts"])


async def staff_reply(harness: Harness, thread: str, text: str, event_id: str) -> None:
    reply = {
        "type": "message",
        "channel": TRIAGE,
        "channel_type": "channel",
        "user": STAFF,
        "text": text,
        "ts": f"1800000000.{event_id[-3:]}",
        "thread_ts": thread,
    }
    assert (await harness.event(reply, event_id=event_id)).status_code == 200
    await harness.settle()


async def test_the_round_trip_from_web_chat_to_slack_and_back(harness: Harness) -> None:
    conversation, thread = await hand_off(harness)
    assert await updates(harness, conversation) == {"open": True, "replies": []}

    relayed = await say(harness, conversation, "Are you there? It's about my son's file")
    assert "Passed on to the school office" in relayed["text"]
    last = harness.fake.called("chat.postMessage")[-1].params
    assert last["thread_ts"] == thread
    assert "It's about my son's file" in last["text"]

    await staff_reply(harness, thread, "Hello, this is *Mrs Jones* &amp; I can help", "Ev001")
    await staff_reply(harness, thread, "Hello, this is *Mrs Jones* &amp; I can help", "Ev001")
    news = await updates(harness, conversation)
    (reply,) = news["replies"]
    assert reply["text"] == "Hello, this is **Mrs Jones** & I can help"
    assert "<strong>Mrs Jones</strong> &amp; I can help" in reply["html"]
    assert (await updates(harness, conversation, after=reply["id"]))["replies"] == []

    close = {
        "type": "block_actions",
        "trigger_id": "trigger-close",
        "container": {"type": "message", "channel_id": TRIAGE, "message_ts": thread},
        "channel": {"id": TRIAGE},
        "actions": [{"action_id": "handoff_close", "block_id": "handoff", "value": "close"}],
        "response_url": harness.fake.webhook_url + "close",
    }
    await harness.interact(close)
    await harness.interact(close)
    await harness.settle()
    (closed,) = harness.fake.called("chat.update")
    assert "closed by Sam Office" in str(closed.params["blocks"])
    assert (await updates(harness, conversation, after=reply["id"]))["open"] is False

    # The bot answers again, and nothing more goes to the thread.
    posts = len(harness.fake.called("chat.postMessage"))
    answer = await say(harness, conversation, "How long do you keep my child's records?")
    assert "6 years" in answer["text"]
    assert len(harness.fake.called("chat.postMessage")) == posts


async def test_a_reply_in_another_thread_reaches_no_parent(harness: Harness) -> None:
    conversation, _ = await hand_off(harness)
    await staff_reply(harness, "1699999999.000001", "Unrelated chatter", "Ev002")
    assert (await updates(harness, conversation))["replies"] == []


async def test_slack_down_the_parent_is_told_to_email_and_nothing_is_lost(
    harness: Harness,
) -> None:
    conversation = await start(harness)
    await say(harness, conversation, "can I talk to a real person please")
    harness.fake.go_down()
    answer = await say(harness, conversation, HANDOFF_START)
    email = harness.slack.parts.conversation.answers.facts["contact"]["email"]
    assert f"mailto:{email}" in answer["text"]
    assert "everything you wrote here has been kept" in answer["text"]
    assert (await updates(harness, conversation))["open"] is False
    opened = harness.slack.parts.conversation.store
    assert opened is not None
    words = [text for role, text in opened.transcript(_raw_id(harness, conversation))]
    assert "can I talk to a real person please" in words


async def test_slack_going_down_during_a_hand_off_keeps_the_parents_message(
    harness: Harness,
) -> None:
    conversation, _ = await hand_off(harness)
    harness.fake.go_down()
    answer = await say(harness, conversation, "Hello? My number is 07700 900123")
    assert "email them" in answer["text"]
    store = harness.slack.parts.conversation.store
    assert store is not None
    words = [text for _, text in store.transcript(_raw_id(harness, conversation))]
    assert "Hello? My number is 07700 900123" in words


async def test_updates_need_a_conversation_id_this_server_signed(harness: Harness) -> None:
    response = await harness.http.get("/api/conversations/forged.id/updates")
    assert response.status_code == 403
    assert response.json()["error"] == "unknown_conversation"


def _raw_id(harness: Harness, signed: str) -> str:
    from bot.web.signing import ConversationIds, secret_key

    return ConversationIds(secret_key(harness.settings)).open(signed)


async def test_a_parents_markdown_link_is_never_a_link_in_slack(harness: Harness) -> None:
    trick = "[School portal https://portal.school.example](https://evil.example) <@U0HEAD>"
    conversation = await start(harness)
    await say(harness, conversation, trick)
    await say(harness, conversation, "can I talk to a real person please")
    await say(harness, conversation, HANDOFF_START)
    await say(harness, conversation, trick)
    transcript, relayed = [c.params["text"] for c in harness.fake.called("chat.postMessage")[1:]]
    for text in (transcript, relayed):
        assert "<https://evil.example|" not in text
        assert "<@U0HEAD>" not in text  # no mention either: Slack shows the characters
        assert "[School portal https://portal.school.example](https://evil.example)" in text
