"""In a real browser: a parent hands the chat to the office and sees staff's reply from Slack."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.slack.conftest import STAFF, TRIAGE, signed_headers, slack_settings
from tests.slack.fake_slack import TEAM, FakeSlack
from tests.web.conftest import ChatPage, LiveServer, free_socket

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path: Path, fake: FakeSlack) -> Iterator[LiveServer]:
    server = LiveServer.start(slack_settings(tmp_path / "data", fake), free_socket())
    yield server
    server.stop()


def test_the_parent_sees_the_office_reply_in_the_chat(
    page: object, live: LiveServer, fake: FakeSlack
) -> None:
    from playwright.sync_api import expect

    chat = ChatPage.open(page, live.url)
    chat.ask("can I talk to a real person please")
    assert "passed this conversation" in chat.choose("Talk to a person")
    root = fake.called("chat.postMessage")[0]
    assert root.params["channel"] == TRIAGE
    event = {
        "type": "event_callback",
        "team_id": TEAM,
        "event_id": "EvBrowser",
        "event": {
            "type": "message",
            "channel": TRIAGE,
            "channel_type": "group",
            "user": STAFF,
            "text": "Hello, this is *Mrs Jones* from the office",
            "ts": f"{time.time():.6f}",
            "thread_ts": root.answer["ts"],
        },
    }
    body = json.dumps(event)
    sent = httpx.post(
        f"{live.url}/slack/events", content=body, headers=signed_headers(body, "application/json")
    )
    assert sent.status_code == 200
    staff = chat.log.locator(".message--staff")
    expect(staff).to_contain_text("Hello, this is Mrs Jones from the office", timeout=15_000)
    expect(staff.locator("strong")).to_have_text("Mrs Jones")
    expect(staff).to_contain_text("The school office said:")
