"""Bolt's lazy listeners as tasks the app keeps hold of, and can wait for.

Bolt's own runner starts each lazy listener with a bare `asyncio.ensure_future`, which keeps no
reference: the event loop holds tasks weakly, so one could vanish mid-way, and nothing can wait for
the work at shutdown (or in a test). This runner keeps every task until it finishes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from slack_bolt.lazy_listener.async_internals import to_runnable_function
from slack_bolt.lazy_listener.async_runner import AsyncLazyListenerRunner
from slack_bolt.request.async_request import AsyncBoltRequest


class KeptTasks(AsyncLazyListenerRunner):
    """Starts lazy listeners as tasks and remembers them until they are done."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self._tasks: set[asyncio.Future[None]] = set()

    def start(self, function: Callable[..., Awaitable[None]], request: AsyncBoltRequest) -> None:
        runnable = to_runnable_function(internal_func=function, logger=self.logger, request=request)
        self.keep(runnable)

    def keep(self, work: Awaitable[None]) -> None:
        """Run `work` in the background, holding on to it until it finishes."""
        task: asyncio.Future[None] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for every task started so far, and for any they start in turn."""
        async with asyncio.timeout(timeout):
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
