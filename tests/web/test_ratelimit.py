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
from redis.asyncio import Redis

from bot.app import create_app
from bot.console.throttle import FAILURE_TIERS, LoginBudgets, LoginThrottle
from bot.web import ratelimit
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


@pytest.fixture
def refused_redis_url() -> str:
    """An address where nothing listens: every connection is refused at once."""
    sock = free_socket()
    closed_port = sock.getsockname()[1]
    sock.close()
    return f"redis://127.0.0.1:{closed_port}/0"


@pytest.fixture
def hung_redis_url() -> Iterator[str]:
    """A Redis that accepts connections and never answers (a hung server, a dead proxy)."""
    sock = free_socket()
    sock.listen(64)
    try:
        yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
    finally:
        sock.close()


@pytest.mark.parametrize("redis", ["refused_redis_url", "hung_redis_url"])
def test_when_redis_fails_limits_are_kept_in_the_process_and_readyz_says_degraded(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    request: pytest.FixtureRequest,
    redis: str,
) -> None:
    settings = web_settings(
        tmp_path, redis_url=request.getfixturevalue(redis), rate_limit_per_conversation=3
    )
    with caplog.at_level(logging.WARNING), TestClient(create_app(settings)) as client:
        conversation_id, _ = start(client)
        started = time.monotonic()
        statuses = [ask(client, conversation_id) for _ in range(4)]
        took = time.monotonic() - started
        ready = client.get("/readyz")
    # Parents keep their helpdesk, without waiting on Redis for each message...
    assert statuses[:3] == [200, 200, 200]
    assert took < 3.0
    # ...and the limits still hold, in this process.
    assert statuses[3] == 429
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert "Redis" in ready.json()["detail"]
    warnings = [r for r in caplog.records if "rate limits kept in this process only" in r.message]
    assert len(warnings) == 1


def test_a_redis_limiter_comes_back_when_redis_does(redis_url: str) -> None:
    async def traffic() -> tuple[str | None, str | None]:
        limiter = RedisLimiter(redis_url, prefix="test-back:", retry_after_seconds=0.0)
        good = limiter._redis
        try:
            limiter._redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
            limiter._script = limiter._redis.register_script(ratelimit._SLIDING_WINDOW)
            await limiter.hit("k", 5, 60)
            down = limiter.degraded
            limiter._redis = good
            limiter._script = good.register_script(ratelimit._SLIDING_WINDOW)
            await limiter.hit("k", 5, 60)
            return down, limiter.degraded
        finally:
            await good.aclose()

    down, back = asyncio.run(traffic())
    assert down is not None
    assert back is None


def test_login_budgets_are_shared_between_workers_through_redis(redis_url: str) -> None:
    async def attempts() -> list[bool]:
        first, second = RedisLimiter(redis_url), RedisLimiter(redis_url)
        budgets = LoginBudgets(per_address=3, overall=100)
        workers = [LoginThrottle(first, budgets), LoginThrottle(second, budgets)]
        try:
            return [
                await workers[n % 2].admit("dpo@school.example", "203.0.113.9") for n in range(4)
            ]
        finally:
            await first.close()
            await second.close()

    # Two workers, one address: its fourth attempt is refused, whichever worker gets it.
    assert asyncio.run(attempts()) == [True, True, True, False]


@pytest.mark.parametrize("shared", [True, False], ids=["redis", "memory"])
def test_an_admin_unlock_forgets_one_accounts_failures_from_every_address(
    shared: bool, request: pytest.FixtureRequest
) -> None:
    async def attempts() -> tuple[bool, bool, bool, bool]:
        limiter = RedisLimiter(request.getfixturevalue("redis_url")) if shared else MemoryLimiter()
        throttle = LoginThrottle(limiter)
        try:
            for address in ("203.0.113.9", "198.51.100.7"):
                for _ in range(FAILURE_TIERS[0][0]):
                    await throttle.failed("dpo*@school.example", address)
            # A colleague whose address looks like a pattern for it keeps their failures.
            for _ in range(FAILURE_TIERS[0][0]):
                await throttle.failed("dpo@school.example", "203.0.113.9")
            held = await throttle.admit("dpo*@school.example", "203.0.113.9")
            await throttle.forgive("dpo*@school.example")
            here = await throttle.admit("dpo*@school.example", "203.0.113.9")
            there = await throttle.admit("dpo*@school.example", "198.51.100.7")
            other = await throttle.admit("dpo@school.example", "203.0.113.9")
            return held, here, there, other
        finally:
            await limiter.close()

    assert asyncio.run(attempts()) == (False, True, True, False)
