"""In a real browser: a parent's chat handed to Teams, staff's reply, and the office closing it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.config import Settings
from bot.teams.mount import MESSAGES_PATH
from tests.teams.conftest import TRIAGE_CHANNEL, FakeConnector, Person
from tests.web.conftest import ChatPage, LiveServer, free_socket
from tests.web.conftest import browser as browser  # the Chromium fixtures
from tests.web.conftest import page as page

pytestmark = pytest.mark.browser


@pytest.fixture
def live(bot_settings: Settings) -> Iterator[LiveServer]:
    server = LiveServer.start(bot_settings, free_socket())
    yield server
    server.stop()


def test_the_parent_sees_the_teams_reply_and_is_told_when_the_office_closes(
    page: object, live: LiveServer, connector: FakeConnector
) -> None:
    from playwright.sync_api import expect

    chat = ChatPage.open(page, live.url)
    chat.ask("can I talk to a real person please")
    assert "passed this conversation" in chat.choose("Talk to a person")
    root = connector.wait_for(
        lambda c: c.path == f"/v3/conversations/{TRIAGE_CHANNEL}/activities"
    ).answer_id
    staff = Person(connector, conversation_id=TRIAGE_CHANNEL, conversation_type="channel")
    thread = f"{TRIAGE_CHANNEL};messageid={root}"
    reply = staff.activity(text="Hello, this is Mrs Jones from the office", replyToId=root)
    reply["conversation"]["id"] = thread
    assert httpx.post(f"{live.url}{MESSAGES_PATH}", json=reply).status_code in (200, 202)
    said = chat.log.locator(".message--staff")
    expect(said.first).to_contain_text("Hello, this is Mrs Jones from the office", timeout=15_000)

    close = staff.activity(
        type="invoke",
        name="adaptiveCard/action",
        replyToId=root,
        value={"action": {"type": "Action.Execute", "verb": "handoff_close", "data": {}}},
    )
    close["conversation"]["id"] = thread
    assert httpx.post(f"{live.url}{MESSAGES_PATH}", json=close).status_code == 200
    expect(said.last).to_contain_text("finished with this conversation", timeout=15_000)
