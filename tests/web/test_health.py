"""Liveness and readiness probes for the platform that runs the web workers."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.web.health import DatabaseCheck
from tests.web.conftest import free_socket, web_settings


def test_healthz_says_the_process_is_up(client: TestClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_asks_the_default_sqlite_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_is_503_while_the_database_does_not_answer(app_settings: Settings) -> None:
    database = app_settings.data_dir / "privacybot.sqlite3"
    with TestClient(create_app(app_settings)) as client:
        # After start-up the file turns into something SQLite cannot open, as a lost volume would.
        database.rename(database.with_suffix(".away"))
        database.mkdir()
        response = client.get("/readyz")
        assert client.get("/healthz").status_code == 200
    assert response.status_code == 503
    assert response.json() == {"error": "not_ready", "detail": "The database does not answer."}


def test_the_database_check_fails_on_an_unreachable_server() -> None:
    sock = free_socket()
    closed_port = sock.getsockname()[1]
    sock.close()
    check = DatabaseCheck(f"postgresql://nobody@127.0.0.1:{closed_port}/privacybot")
    with pytest.raises(Exception, match="Connection refused"):
        check()
    check.close()


def test_the_readiness_check_can_be_replaced(tmp_path: Path) -> None:
    def down() -> None:
        raise ConnectionError("no route to database")

    with TestClient(create_app(web_settings(tmp_path), ready=down)) as client:
        assert client.get("/readyz").status_code == 503
