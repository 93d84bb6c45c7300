"""In production every Teams request needs a valid Bot Framework token; anonymous is dev-only."""

from __future__ import annotations

import base64
import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bot.app import create_app
from bot.cli.main import app
from bot.config import ConfigError, load_settings
from bot.teams.mount import MESSAGES_PATH
from bot.teams.sdk import connect
from tests.teams.conftest import TENANT, FakeConnector, Person, teams_settings

APP_ID = "3f1d2c4b-5a69-4e7d-8c0b-1a2b3c4d5e6f"
REGISTRATION = {
    "teams_app_id": APP_ID,
    "teams_app_password": "client-secret-from-entra",
    "teams_tenant_id": TENANT,
    "teams_allow_anonymous": False,
}


@pytest.fixture
def production(tmp_path: Path) -> TestClient:
    settings = teams_settings(tmp_path / "data", env="production", **REGISTRATION)
    return TestClient(create_app(settings))


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer"],
    ids=["none", "garbage", "basic", "empty"],
)
def test_production_refuses_a_request_without_a_valid_token(
    production: TestClient, connector: FakeConnector, authorization: str | None
) -> None:
    activity = Person(connector).activity(text="how long do you keep pupil records?")
    headers = {"Authorization": authorization} if authorization else {}
    response = production.post(MESSAGES_PATH, json=activity, headers=headers)
    assert response.status_code == 401
    assert connector.calls == []


def test_production_validates_tokens_for_this_registration_only(tmp_path: Path) -> None:
    settings = teams_settings(tmp_path / "data", env="production", **REGISTRATION)
    connection = connect(settings)
    assert connection.auth.CLIENT_ID == APP_ID  # the audience a token must carry
    assert connection.auth.TENANT_ID == TENANT
    assert connection.auth.VALIDATE_ISSUER
    assert not connection.auth.ANONYMOUS_ALLOWED
    # Replies may only go to Microsoft's connector hosts, never a forged serviceUrl.
    assert not connection.adapter._host_validator.is_allowed("http://127.0.0.1:9/")
    assert connection.adapter._host_validator.is_allowed("https://smba.trafficmanager.net/uk/")


def test_anonymous_requests_are_refused_as_a_setting_in_production(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="TEAMS_ALLOW_ANONYMOUS"):
        load_settings(
            _env_file=None, data_dir=tmp_path, env="production", teams_allow_anonymous=True
        )


def test_the_server_refuses_to_start_with_anonymous_teams_in_production(tmp_path: Path) -> None:
    environment = {
        "PRIVACYBOT_DATA_DIR": str(tmp_path / "data"),
        "PRIVACYBOT_ENV": "production",
        "TEAMS_ALLOW_ANONYMOUS": "1",
    }
    result = CliRunner().invoke(app, ["serve", "--port", "0"], env=environment)
    assert result.exit_code == 2
    assert "TEAMS_ALLOW_ANONYMOUS" in result.output
    assert "PRIVACYBOT_ENV=production" in result.output
    assert not (tmp_path / "data").exists()  # it stopped before touching anything


def test_a_registration_needs_its_secret_and_tenant(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(_env_file=None, data_dir=tmp_path, teams_app_id=APP_ID)
    assert "TEAMS_APP_PASSWORD" in str(raised.value)
    assert "TEAMS_TENANT_ID" in str(raised.value)


def test_without_teams_settings_there_is_no_teams_endpoint(
    tmp_path: Path, connector: FakeConnector
) -> None:
    settings = teams_settings(tmp_path / "data", teams_allow_anonymous=False)
    client = TestClient(create_app(settings))
    response = client.post(MESSAGES_PATH, json=Person(connector).activity(text="hello"))
    assert response.status_code in (404, 405)


def _unsigned_jwt(header: dict[str, str], claims: dict[str, object]) -> str:
    def part(data: dict[str, Any]) -> str:
        raw = json.dumps(data).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}.{part({'sig': 'none'})}"


def test_a_token_without_a_key_id_is_refused_with_one_log_line(
    production: TestClient, connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    token = _unsigned_jwt(
        {"alg": "RS256", "typ": "JWT"},
        {
            "aud": APP_ID,
            "iss": "https://api.botframework.com",
            "exp": int(time.time()) + 600,
            "serviceurl": connector.url,
        },
    )
    activity = Person(connector).activity(text="how long do you keep pupil records?")
    with caplog.at_level(logging.WARNING):
        response = production.post(
            MESSAGES_PATH, json=activity, headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 401
    assert connector.calls == []
    ours = [r for r in caplog.records if r.name.startswith("bot.")]
    (line,) = ours
    assert "refused" in line.getMessage()
    assert all(r.exc_info is None for r in caplog.records if r.levelno >= logging.ERROR)
