"""Rate limits per client and per conversation, in one process or shared through Redis."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.web.ratelimit import MemoryLimiter, RedisLimiter
from tests.web.conftest import free_socket, start, web_settings


def ask(client: TestClient, conversation_id: str) -> int:
    response = client.post(
        "/api/chat/messages", json={"conversation_id": conversation_id, "text": "cookies"}
    )
    return response.status_code


def test_a_client_over_its_limit_is_told_when_to_come_back(tmp_path: Path) -> None:
    settings = web_settings(tmp_path, rate_limit_per_client=3, rate_limit_window_seconds=30)
    with TestClient(create_app(settings)) as client:
        conversation_id, _ = start(client)
        assert [ask(client, conversation_id) for _ in range(2)] == [200, 200]
        refused = client.post("/api/conversations")
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert "wait a moment" in refused.json()["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 30


def test_one_busy_conversation_does_not_block_the_clients_others(tmp_path: Path) -> None:
    settings = web_settings(tmp_path, rate_limit_per_client=100, rate_limit_per_conversation=2)
    with TestClient(create_app(settings)) as client:
        busy, _ = start(client)
        assert [ask(client, busy) for _ in range(3)] == [200, 200, 429]
        other, _ = start(client)
        assert ask(client, other) == 200


def test_the_window_slides(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    limiter = MemoryLimiter()

    async def hits(*offsets: float) -> list[float | None]:
        results = []
        for offset in offsets:
            now[0] = 1000.0 + offset
            results.append(await limiter.hit("k", 2, 10.0))
        return results

    allowed, _, refused, still_refused, again = asyncio.run(hits(0, 4, 5, 9.9, 10.1))
    assert allowed is None
    assert again is None
    assert refused == pytest.approx(5.0)
    assert still_refused == pytest.approx(0.1)


def test_idle_clients_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    limiter = MemoryLimiter()

    async def traffic() -> None:
        for number in range(1000):
            await limiter.hit(f"client:{number}", 5, 10.0)
        now[0] = limiter.SWEEP_SECONDS + 11
        await limiter.hit("client:new", 5, 10.0)

    asyncio.run(traffic())
    assert list(limiter._hits) == ["client:new"]


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    server = shutil.which("redis-server")
    if server is None:
        # CI sets REQUIRE_REDIS=1 (and installs Redis), so a missing server fails there.
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("REQUIRE_REDIS=1 but redis-server is not installed")
        pytest.skip("redis-server is not installed")
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    directory = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", directory],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            probe = subprocess.run(
                ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True
            )
            if probe.stdout.strip() == "PONG":
                break
            time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server: int) -> str:
    """An empty Redis for each test, so no test inherits another's counts."""
    subprocess.run(
        ["redis-cli", "-p", str(redis_server), "flushall"], check=True, capture_output=True
    )
    return f"redis://127.0.0.1:{redis_server}/0"


def test_workers_sharing_redis_enforce_one_limit(tmp_path: Path, redis_url: str) -> None:
    settings = web_settings(
        tmp_path, redis_url=redis_url, rate_limit_per_client=3, secret_key="s" * 40
    )
    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        conversation_id, _ = start(first)
        assert ask(second, conversation_id) == 200
        assert ask(first, conversation_id) == 200
        refused = second.post("/api/conversations")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1


def test_the_redis_window_slides(redis_url: str) -> None:
    async def hits() -> list[float | None]:
        limiter = RedisLimiter(redis_url, prefix="test-slides:")
        try:
            first = [await limiter.hit("k", 2, 0.3) for _ in range(3)]
            await asyncio.sleep(0.35)
            return [*first, await limiter.hit("k", 2, 0.3)]
        finally:
            await limiter.close()

    allowed, allowed_too, refused, later = asyncio.run(hits())
    assert [allowed, allowed_too, later] == [None, None, None]
    assert refused is not None
    assert 0 < refused <= 0.3


def test_when_redis_is_down_parents_still_get_answers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sock = free_socket()
    closed_port = sock.getsockname()[1]
    sock.close()
    settings = web_settings(tmp_path, redis_url=f"redis://127.0.0.1:{closed_port}/0")
    with caplog.at_level(logging.WARNING), TestClient(create_app(settings)) as client:
        conversation_id, _ = start(client)
        assert ask(client, conversation_id) == 200
    assert "rate limits kept in this process only" in caplog.text
