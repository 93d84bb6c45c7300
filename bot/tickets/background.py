"""Work the web app does by itself while it runs: each job in turn, then a pause, for ever."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from bot.storage.engine import StorageUnavailable

log = logging.getLogger(__name__)


async def keep_running(jobs: Sequence[Callable[[], object]], every_seconds: float) -> None:
    """Run every job, wait, repeat; a database outage only postpones them to the next round."""
    while True:
        for job in jobs:
            try:
                await asyncio.to_thread(job)
            except StorageUnavailable as error:
                log.warning("background work paused: %s", error)
        await asyncio.sleep(every_seconds)
