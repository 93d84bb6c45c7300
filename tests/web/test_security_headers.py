"""The security headers on errors too, HSTS over HTTPS, a Permissions-Policy, no API docs pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.conversation.handler import Conversation
from bot.types import Message, Reply
from tests.web.conftest import start


def test_a_500_carries_the_security_headers_too(
    app_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Conversation, message: Message) -> Reply:
        raise RuntimeError("the database went away")

    with TestClient(create_app(app_settings), raise_server_exceptions=False) as client:
        conversation_id, _ = start(client)
        monkeypatch.setattr(Conversation, "handle", broken)
        response = client.post(
            "/api/chat/messages", json={"conversation_id": conversation_id, "text": "cookies"}
        )
    assert response.status_code == 500
    assert response.json()["error"] == "internal_error"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_every_response_has_a_permissions_policy(client: TestClient) -> None:
    for path in ("/chat", "/healthz", "/nowhere", "/console/login"):
        policy = client.get(path).headers["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in policy, path


def test_hsts_only_over_https(app_settings: Settings) -> None:
    with TestClient(create_app(app_settings)) as plain:
        assert "Strict-Transport-Security" not in plain.get("/chat").headers
    with TestClient(create_app(app_settings), base_url="https://privacy.school.example") as tls:
        hsts = tls.get("/chat").headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=31536000")


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_no_api_docs_page_loads_scripts_from_elsewhere(client: TestClient, path: str) -> None:
    # Swagger UI and ReDoc fetch their scripts from a CDN (which the CSP blocks anyway).
    response = client.get(path)
    assert response.status_code == 404
    assert "cdn" not in response.text.lower()
    # The API itself stays described.
    assert client.get("/openapi.json").json()["paths"]["/api/chat/messages"]
