"""The web settings: embedding origins, the secret key and the server's address."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def test_the_server_listens_on_loopback_port_8000_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("HOST", "PORT", "REDIS_URL", "PRIVACYBOT_EMBED_ORIGINS"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert (settings.host, settings.port, settings.redis_url) == ("127.0.0.1", 8000, None)
    assert settings.embed_origins == []


def test_host_port_and_redis_come_from_the_usual_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "5000")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    settings = load_settings()
    assert (settings.host, settings.port) == ("0.0.0.0", 5000)
    assert settings.redis_url == "redis://127.0.0.1:6379/0"


def test_embed_origins_are_a_list_of_bare_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "PRIVACYBOT_EMBED_ORIGINS", "https://www.school.example, http://LOCALHOST:8001/"
    )
    assert load_settings().embed_origins == [
        "https://www.school.example",
        "http://localhost:8001",
    ]


@pytest.mark.parametrize(
    "origin",
    [
        "https://www.school.example/page",
        "javascript:alert(1)",
        "www.school.example",
        "https://www.school.example;script-src",
        "https://user@www.school.example",
        "*",
    ],
)
def test_anything_but_an_origin_fails_at_start_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, origin: str
) -> None:
    monkeypatch.setenv("PRIVACYBOT_EMBED_ORIGINS", origin)
    with pytest.raises(ConfigError, match="EMBED_ORIGINS"):
        load_settings()


def test_a_short_secret_key_fails_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIVACYBOT_SECRET_KEY", "too short")
    with pytest.raises(ConfigError, match=r"SECRET_KEY: .*at least 32 characters"):
        load_settings()
