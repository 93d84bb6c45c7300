"""Sliding-window rate limits: in this process by default, shared through Redis across workers."""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
import time
from collections import deque
from typing import Protocol, cast

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window: float) -> float | None:
        """Count one request against `key`: None if allowed, else the seconds until it would be."""

    async def blocked(self, key: str, limit: int, window: float) -> float | None:
        """Like `hit`, but counting nothing: whether `key` is already at its limit."""

    async def forget(self, key_prefix: str) -> None:
        """Drop every count whose key starts with `key_prefix` (an admin's "try again now")."""

    @property
    def degraded(self) -> str | None:
        """Why limits are not what they should be (shared ones kept per process), or None."""

    async def close(self) -> None: ...


class MemoryLimiter:
    """The times of recent requests per key, for one process."""

    # Idle keys are swept at most this often, so a flood of addresses cannot grow memory forever.
    SWEEP_SECONDS = 60.0

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._next_sweep = time.monotonic() + self.SWEEP_SECONDS
        self._longest_window = 0.0

    async def hit(self, key: str, limit: int, window: float) -> float | None:
        # No await in here: on the event loop this runs whole, so no lock is needed.
        now = time.monotonic()
        self._longest_window = max(self._longest_window, window)
        if now >= self._next_sweep:
            self._sweep(now)
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= limit:
            return hits[-limit] + window - now
        hits.append(now)
        return None

    async def blocked(self, key: str, limit: int, window: float) -> float | None:
        now = time.monotonic()
        hits = [t for t in self._hits.get(key, ()) if t > now - window]
        return hits[-limit] + window - now if len(hits) >= limit else None

    async def forget(self, key_prefix: str) -> None:
        for key in [key for key in self._hits if key.startswith(key_prefix)]:
            del self._hits[key]

    @property
    def degraded(self) -> str | None:
        return None

    def _sweep(self, now: float) -> None:
        stale = [
            key
            for key, hits in self._hits.items()
            if not hits or hits[-1] <= now - self._longest_window
        ]
        for key in stale:
            del self._hits[key]
        self._next_sweep = now + self.SWEEP_SECONDS

    async def close(self) -> None:
        self._hits.clear()


# One round trip, run atomically by Redis; its own clock keeps every worker on one timeline.
_SLIDING_WINDOW = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local window_ms = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms - window_ms)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local edge = redis.call('ZRANGE', KEYS[1], -limit, -limit, 'WITHSCORES')
  return tonumber(edge[2]) + window_ms - now_ms
end
if ARGV[4] == 'count' then
  redis.call('ZADD', KEYS[1], now_ms, now_ms .. '-' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window_ms)
end
return -1
"""
# A limiter call that takes longer than this is treated as Redis being down: a hung Redis must
# not add seconds to every chat message.
REDIS_TIMEOUT_SECONDS = 0.25
# While Redis is down, it is tried again this often; requests in between go straight to the
# in-process limiter instead of waiting on a dead connection each time.
REDIS_RETRY_SECONDS = 5.0


class RedisLimiter:
    """The same sliding window kept in Redis, so several workers enforce one limit.

    When Redis is unreachable, refuses connections or hangs, the limits are enforced per
    process (the in-process limiter) until it answers again: one log line when that starts, one
    when it ends, and `degraded` says so for /readyz.
    """

    def __init__(
        self,
        url: str,
        prefix: str = "privacybot:ratelimit:",
        *,
        timeout: float = REDIS_TIMEOUT_SECONDS,
        retry_after_seconds: float = REDIS_RETRY_SECONDS,
    ) -> None:
        self._redis: Redis = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry_on_timeout=False,
        )
        self._script = self._redis.register_script(_SLIDING_WINDOW)
        self._prefix = prefix
        self._timeout = timeout
        self._retry_after = retry_after_seconds
        self._fallback = MemoryLimiter()
        self._down_since: float | None = None
        self._next_try = 0.0

    @property
    def degraded(self) -> str | None:
        if self._down_since is None:
            return None
        return "Redis does not answer: rate limits are kept per worker"

    async def hit(self, key: str, limit: int, window: float) -> float | None:
        return await self._run(key, limit, window, count=True)

    async def blocked(self, key: str, limit: int, window: float) -> float | None:
        return await self._run(key, limit, window, count=False)

    async def forget(self, key_prefix: str) -> None:
        # Both places: counts made while Redis was down live in the fallback.
        await self._fallback.forget(key_prefix)
        pattern = self._prefix + _glob_escape(key_prefix) + "*"
        try:
            async with asyncio.timeout(self._timeout * 4):
                keys = [key async for key in self._redis.scan_iter(match=pattern, count=500)]
                if keys:
                    await self._redis.delete(*keys)
        except (RedisError, OSError, TimeoutError) as error:
            self._went_down(error)

    async def _run(self, key: str, limit: int, window: float, *, count: bool) -> float | None:
        fallback = self._fallback.hit if count else self._fallback.blocked
        if self._down_since is not None and time.monotonic() < self._next_try:
            return await fallback(key, limit, window)
        window_ms = max(1, math.ceil(window * 1000))
        mode = "count" if count else "peek"
        try:
            # The socket timeouts cover a slow reply; this covers a connection that never
            # completes its handshake or a script that never returns.
            async with asyncio.timeout(self._timeout * 2):
                wait_ms = await self._script(
                    keys=[self._prefix + key],
                    args=[window_ms, limit, secrets.token_hex(6), mode],
                )
        except (RedisError, OSError, TimeoutError) as error:
            self._went_down(error)
            return await fallback(key, limit, window)
        if self._down_since is not None:
            log.warning("Redis answers again: rate limits are shared between workers again")
            self._down_since = None
        wait = int(cast(int, wait_ms))
        return None if wait < 0 else wait / 1000

    def _went_down(self, error: BaseException) -> None:
        now = time.monotonic()
        if self._down_since is None:
            # Parents keep their helpdesk when Redis fails; the operator hears about it once.
            log.warning(
                "rate limits kept in this process only, Redis failed: %s",
                type(error).__name__ + (f": {error}" if str(error) else ""),
            )
            self._down_since = now
        self._next_try = now + self._retry_after

    async def close(self) -> None:
        await self._redis.aclose()


def _glob_escape(text: str) -> str:
    """`text` matched literally in a Redis SCAN pattern (an email may hold `*` or `?`)."""
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)


def retry_after(wait: float) -> str:
    """The Retry-After header value: whole seconds, at least one."""
    return str(max(1, math.ceil(wait)))
