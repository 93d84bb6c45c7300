"""Slack and Teams load only when configured, so their SDKs can never stop the web chat."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.web.test_serve import clean_environment

CHANNEL_PACKAGES = ("slack_sdk", "slack_bolt", "microsoft_agents", "aiosmtpd")

PROBE = """
import json, sys
from bot.app import create_app
from bot.config import load_settings
app = create_app(load_settings(data_dir=sys.argv[1]))
modules = sorted(sys.modules)
from fastapi.testclient import TestClient
with TestClient(app) as client:
    statuses = {
        "/chat": client.get("/chat").status_code,
        "/console/login": client.get("/console/login").status_code,
        "/slack/events": client.post("/slack/events", content=b"{}").status_code,
        "/api/messages": client.post("/api/messages", json={}).status_code,
    }
print(json.dumps({"modules": modules, "statuses": statuses}))
"""


def started_app(tmp_path: Path, **settings: str) -> dict[str, Any]:
    environment = clean_environment(**settings)
    for name in list(environment):
        if name.startswith(("SLACK_", "TEAMS_", "SMTP_")):
            del environment[name]
    environment.update(settings)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "data")],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return loaded


def test_with_no_channel_settings_no_channel_sdk_is_imported(tmp_path: Path) -> None:
    loaded = started_app(tmp_path)
    imported = [m for m in loaded["modules"] if m.split(".")[0] in CHANNEL_PACKAGES]
    assert imported == []
    # The chat and the console are always there; the channels' endpoints are not.
    assert loaded["statuses"] == {
        "/chat": 200,
        "/console/login": 200,
        "/slack/events": 404,
        "/api/messages": 404,
    }


def test_teams_in_development_mode_loads_its_sdk_and_mounts_its_endpoint(tmp_path: Path) -> None:
    loaded = started_app(tmp_path, TEAMS_ALLOW_ANONYMOUS="true")
    assert "microsoft_agents.hosting.core" in loaded["modules"]
    assert loaded["statuses"]["/api/messages"] != 404
    assert not any(m.startswith("slack_bolt") for m in loaded["modules"])
