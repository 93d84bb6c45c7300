"""Fixtures for Slack: the fake Web API, the real app on a temp database, signed requests."""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from slack_sdk.signature import SignatureVerifier

from bot.app import create_app
from bot.config import Settings
from bot.console.accounts import Role, StaffAccounts
from bot.content.matching import Matcher
from bot.conversation.assembly import build_matcher as _build_matcher
from bot.slack.app import SlackChannel
from bot.storage.engine import ensure_schema, make_engine, session_factory
from bot.tickets.staff_links import StaffLinks
from tests.slack.fake_slack import TEAM, FakeSlack, start_fake, stop_fake

# The browser fixtures, for the hand-off seen in a real browser.
from tests.web.conftest import browser, page, web_settings  # noqa: F401

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TRIAGE = "CTRIAGE"
STAFF = "U0STAFF"
QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _no_real_slack(monkeypatch: pytest.MonkeyPatch) -> None:
    # Bolt and the settings both read SLACK_* from the environment; a developer's must not leak in.
    for name in list(os.environ):
        if name.startswith("SLACK_"):
            monkeypatch.delenv(name)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = start_fake()
    yield server
    stop_fake(server)


def slack_settings(data_dir: Path, fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_TRIAGE_CHANNEL": TRIAGE,
        "SLACK_API_URL": fake.url,
        # The tests run the feed themselves; the background loop only does its first round.
        "slack_triage_interval_seconds": 3600,
    }
    values.update(overrides)
    return web_settings(data_dir, **values)


def signed_headers(body: str, content_type: str, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }


@dataclass
class Harness:
    """The app as Slack and a parent's browser reach it, and the fake Slack it talks to."""

    app: FastAPI
    http: httpx.AsyncClient
    fake: FakeSlack
    settings: Settings

    @property
    def slack(self) -> SlackChannel:
        slack = self.app.state.slack
        assert isinstance(slack, SlackChannel)
        return slack

    async def settle(self) -> None:
        """Wait for every lazy listener started so far (Slack already has its ack)."""
        await self.slack.tasks.drain(timeout=30)

    async def event(
        self, event: dict[str, Any], event_id: str = "Ev1", retry: int | None = None
    ) -> httpx.Response:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": TEAM,
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "event": event,
            }
        )
        headers = signed_headers(body, "application/json")
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.http.post("/slack/events", content=body, headers=headers)

    async def interact(self, payload: dict[str, Any]) -> httpx.Response:
        payload = {"team": {"id": TEAM}, "user": {"id": STAFF}, **payload}
        body = urlencode({"payload": json.dumps(payload)})
        headers = signed_headers(body, "application/x-www-form-urlencoded")
        return await self.http.post("/slack/events", content=body, headers=headers)

    async def command(self, text: str, channel: str = "C0STAFF") -> httpx.Response:
        body = urlencode(
            {
                "command": "/privacy",
                "text": text,
                "team_id": TEAM,
                "channel_id": channel,
                "user_id": STAFF,
                "trigger_id": "trigger-1",
                "response_url": self.fake.webhook_url + "cmd",
            }
        )
        headers = signed_headers(body, "application/x-www-form-urlencoded")
        return await self.http.post("/slack/events", content=body, headers=headers)


@pytest.fixture
async def harness(tmp_path: Path, fake: FakeSlack) -> AsyncIterator[Harness]:
    settings = slack_settings(tmp_path / "data", fake)
    app = create_app(settings)
    link_staff(settings, STAFF, Role.DPO)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            harness = Harness(app, http, fake, settings)
            yield harness
            await harness.settle()


def link_staff(settings: Settings, slack_user: str, role: Role) -> str:
    """A console account with `role`, linked to the Slack user: who may work tickets."""
    engine = make_engine(settings.resolved_database_url())
    try:
        ensure_schema(engine)
        accounts = StaffAccounts(session_factory(engine), hasher=QUICK_HASHER)
        email = f"{slack_user.lower()}@school.example"
        accounts.add(email, "a long enough passphrase", role, actor="test")
        StaffLinks(accounts.sessions).link(email, "slack", slack_user, actor="test")
    finally:
        engine.dispose()
    return email


@pytest.fixture(autouse=True)
def _one_matcher(monkeypatch: pytest.MonkeyPatch) -> None:
    # Building the matcher is most of an app's start-up; every test here uses the shipped intents.
    monkeypatch.setattr("bot.conversation.assembly.build_matcher", _shared_matcher)


@functools.cache
def _matcher_for(intents_dir: Path, answer: float, suggest: float, margin: float) -> Matcher:
    settings = web_settings(
        Path("unused"),
        intents_dir=intents_dir,
        answer_threshold=answer,
        suggest_threshold=suggest,
        close_call_margin=margin,
    )
    return _build_matcher(settings)


def _shared_matcher(settings: Settings) -> Matcher:
    return _matcher_for(
        settings.intents_dir,
        settings.answer_threshold,
        settings.suggest_threshold,
        settings.close_call_margin,
    )
