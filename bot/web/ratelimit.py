"""Sliding-window rate limits: in this process by default, shared through Redis across workers."""

from __future__ import annotations

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
redis.call('ZADD', KEYS[1], now_ms, now_ms .. '-' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], window_ms)
return -1
"""


class RedisLimiter:
    """The same sliding window kept in Redis, so several workers enforce one limit."""

    def __init__(self, url: str, prefix: str = "privacybot:ratelimit:") -> None:
        self._redis: Redis = Redis.from_url(url)
        self._script = self._redis.register_script(_SLIDING_WINDOW)
        self._prefix = prefix

    async def hit(self, key: str, limit: int, window: float) -> float | None:
        window_ms = max(1, math.ceil(window * 1000))
        try:
            wait_ms = await self._script(
                keys=[self._prefix + key], args=[window_ms, limit, secrets.token_hex(6)]
            )
        except RedisError as error:
            # Parents keep their helpdesk when Redis blips; the operator hears about it.
            log.warning("rate limit not enforced, Redis failed: %s", error)
            return None
        wait = int(cast(int, wait_ms))
        return None if wait < 0 else wait / 1000

    async def close(self) -> None:
        await self._redis.aclose()


def retry_after(wait: float) -> str:
    """The Retry-After header value: whole seconds, at least one."""
    return str(max(1, math.ceil(wait)))
