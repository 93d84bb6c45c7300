"""Staff asking in Slack: a DM, a mention in its thread, /privacy, choices, and Slack's retries."""

from __future__ import annotations

import pytest

from tests.slack.conftest import STAFF, Harness

pytestmark = pytest.mark.anyio

RETENTION = "How long do you keep pupil records?"


def dm(text: str, ts: str = "1700000100.000100") -> dict[str, object]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": "D0STAFF",
        "user": STAFF,
        "text": text,
        "ts": ts,
    }


async def test_a_direct_message_is_answered_in_mrkdwn(harness: Harness) -> None:
    response = await harness.event(dm(RETENTION))
    assert response.status_code == 200
    await harness.settle()
    (post,) = harness.fake.called("chat.postMessage")
    assert post.params["channel"] == "D0STAFF"
    assert "thread_ts" not in post.params
    assert "6 years" in post.params["text"]
    assert "**" not in post.params["text"]  # markdown bold became Slack's *bold*
    assert post.params["blocks"][0]["type"] == "section"


async def test_a_retried_event_is_answered_once(harness: Harness) -> None:
    await harness.event(dm(RETENTION), event_id="EvSame")
    await harness.settle()
    retried = await harness.event(dm(RETENTION), event_id="EvSame", retry=1)
    await harness.settle()
    assert retried.status_code == 200
    assert len(harness.fake.called("chat.postMessage")) == 1


async def test_a_mention_is_answered_in_its_thread(harness: Harness) -> None:
    mention = {
        "type": "app_mention",
        "channel": "C0STAFF",
        "user": STAFF,
        "text": f"<@UBOT> {RETENTION}",
        "ts": "1700000200.000200",
    }
    await harness.event(mention, event_id="EvMention")
    await harness.settle()
    (post,) = harness.fake.called("chat.postMessage")
    assert (post.params["channel"], post.params["thread_ts"]) == ("C0STAFF", "1700000200.000200")
    assert "6 years" in post.params["text"]


async def test_the_slash_command_answers_only_the_caller(harness: Harness) -> None:
    response = await harness.command(RETENTION)
    assert response.status_code == 200
    assert response.text == ""  # acknowledged at once; the answer follows
    await harness.settle()
    (answer,) = harness.fake.called("webhook")
    assert "6 years" in answer.params["text"]
    assert answer.params.get("response_type", "ephemeral") == "ephemeral"
    assert harness.fake.called("chat.postMessage") == []


async def test_staff_get_the_staff_wording(harness: Harness) -> None:
    await harness.command("how do I make a subject access request")
    await harness.settle()
    text = harness.fake.called("webhook")[0].params["text"]
    assert "Log it for them straight away" in text
    assert "*/privacy log*" in text


async def test_a_did_you_mean_choice_answers_in_the_same_conversation(harness: Harness) -> None:
    for number, question in enumerate(["sharing", "keep", "rights", "data", "record"]):
        await harness.event(dm(question, ts=f"17000003{number:02d}.000300"), f"EvAsk{number}")
        await harness.settle()
        post = harness.fake.called("chat.postMessage")[-1]
        actions = [b for b in post.params["blocks"] if b["type"] == "actions"]
        if actions:
            break
    else:
        pytest.fail("no question gets a 'did you mean' reply now: add one that does")
    (choices,) = actions
    first = choices["elements"][0]
    click = {
        "type": "block_actions",
        "trigger_id": "trigger-choice",
        "container": {"type": "message", "channel_id": "D0STAFF", "message_ts": "1700000000.9"},
        "channel": {"id": "D0STAFF"},
        "message": {
            "ts": "1700000000.9",
            "text": post.params["text"],
            "blocks": post.params["blocks"],
        },
        "actions": [{**first, "block_id": choices["block_id"], "type": "button"}],
        "response_url": harness.fake.webhook_url + "choice",
    }
    before = len(harness.fake.called("chat.postMessage"))
    await harness.interact(click)
    await harness.interact(click)  # a double click
    await harness.settle()
    answers = harness.fake.called("chat.postMessage")[before:]
    assert len(answers) == 1
    assert not [b for b in answers[0].params["blocks"] if b["type"] == "actions"]
    (spent,) = harness.fake.called("chat.update")
    assert not [b for b in spent.params["blocks"] if b["type"] == "actions"]
