"""Only Slack gets in: a missing, forged or stale signature is refused before any listener runs."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from tests.slack.conftest import STAFF, Harness, signed_headers
from tests.slack.fake_slack import FakeSlack
from tests.web.conftest import web_settings

pytestmark = pytest.mark.anyio

BODY = json.dumps(
    {
        "type": "event_callback",
        "team_id": "T0SCHOOL",
        "event_id": "EvSigned",
        "event": {
            "type": "message",
            "channel_type": "im",
            "channel": "D1",
            "user": STAFF,
            "text": "How long do you keep records?",
            "ts": "1.1",
        },
    }
)


async def refused(harness: Harness, headers: dict[str, str]) -> None:
    response = await harness.http.post("/slack/events", content=BODY, headers=headers)
    assert response.status_code == 401
    await harness.settle()
    assert harness.fake.calls == []  # nothing ran, not even auth.test


async def test_a_missing_signature_is_refused(harness: Harness) -> None:
    await refused(harness, {"Content-Type": "application/json"})


async def test_a_forged_signature_is_refused(harness: Harness) -> None:
    headers = signed_headers(BODY, "application/json")
    headers["X-Slack-Signature"] = "v0=" + "0" * 64
    await refused(harness, headers)


async def test_a_signature_over_another_body_is_refused(harness: Harness) -> None:
    headers = signed_headers(BODY.replace("records", "recordz"), "application/json")
    await refused(harness, headers)


async def test_a_stale_signature_is_refused(harness: Harness) -> None:
    six_minutes_ago = int(time.time()) - 6 * 60
    await refused(harness, signed_headers(BODY, "application/json", six_minutes_ago))


async def test_a_fresh_signature_is_accepted(harness: Harness) -> None:
    four_minutes_ago = int(time.time()) - 4 * 60
    response = await harness.http.post(
        "/slack/events",
        content=BODY,
        headers=signed_headers(BODY, "application/json", four_minutes_ago),
    )
    assert response.status_code == 200


async def test_without_slack_settings_there_is_no_slack_endpoint(
    tmp_path: Path, fake: FakeSlack
) -> None:
    app = create_app(web_settings(tmp_path / "data"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await http.post(
                "/slack/events", content=BODY, headers=signed_headers(BODY, "application/json")
            )
    assert response.status_code == 404
    assert not hasattr(app.state, "slack")


@pytest.mark.parametrize(
    ("body", "timestamp"),
    [(BODY, "yesterday"), ("{not json", None), ("payload=%7Bbroken", "1e9")],
    ids=["timestamp-not-a-number", "body-not-json", "form-not-json"],
)
async def test_a_malformed_unsigned_request_is_refused_with_one_log_line(
    harness: Harness, caplog: pytest.LogCaptureFixture, body: str, timestamp: str | None
) -> None:
    headers = {"Content-Type": "application/json", "X-Slack-Signature": "v0=" + "1" * 64}
    headers["X-Slack-Request-Timestamp"] = timestamp or str(int(time.time()))
    with caplog.at_level(logging.WARNING):
        response = await harness.http.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    await harness.settle()
    assert harness.fake.calls == []
    (line,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "refused" in line.getMessage()
    assert line.exc_info is None  # one line for the operator, no traceback
