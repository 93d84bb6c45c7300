"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database answers).

Readiness also says "degraded" (still 200: the worker can take conversations) when a helper
service is down and the app carries on without it, such as Redis for shared rate limits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import anyio
from fastapi import APIRouter
from sqlalchemy import Engine

from bot.storage.engine import make_engine
from bot.web.errors import ApiProblem, error_responses
from bot.web.ratelimit import RateLimiter
from bot.web.schemas import Health

log = logging.getLogger(__name__)

# Raises when a dependency does not answer; swapped for a stub in tests.
ReadinessCheck = Callable[[], None]

READY_TIMEOUT_SECONDS = 5.0


class DatabaseCheck:
    """`SELECT 1` on the bot's database, over one engine kept for the life of the app."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None

    def __call__(self) -> None:
        if self._engine is None:
            self._engine = make_engine(self.url)
        # The driver's own connection: bot.storage.engine starts every SQLAlchemy transaction on
        # SQLite with BEGIN IMMEDIATE, and a probe has no business queueing for the write lock.
        connection = self._engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
        finally:
            connection.close()

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def health_router(ready: ReadinessCheck, limiter: RateLimiter | None = None) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", response_model=Health, response_model_exclude_none=True)
    async def healthz() -> Health:
        """The process is up."""
        return Health(status="ok")

    @router.get(
        "/readyz",
        response_model=Health,
        response_model_exclude_none=True,
        responses=error_responses(503),
    )
    async def readyz() -> Health:
        """The database answers, so this worker can take conversations (perhaps degraded)."""
        try:
            with anyio.fail_after(READY_TIMEOUT_SECONDS):
                # Abandon a hung connection attempt rather than hang the probe with it.
                await anyio.to_thread.run_sync(ready, abandon_on_cancel=True)
        except Exception as error:
            log.warning("not ready: %s", error)
            raise ApiProblem(503, "not_ready", "The database does not answer.") from error
        degraded = limiter.degraded if limiter is not None else None
        if degraded is not None:
            return Health(status="degraded", detail=degraded)
        return Health(status="ok")

    return router
