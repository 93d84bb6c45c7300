"""Tests for many intakes finishing at once: every one saved, unique references, no lock errors."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.rules.clock import LONDON
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Relationship, RequestChannel
from bot.storage.engine import ensure_schema, head_revision, make_engine, session_factory
from bot.tickets.service import NewRequest, RequestService, TicketFilter

INTAKES = 50
PROCESSES = 5
RECEIVED = datetime(2026, 3, 3, 9, 30, tzinfo=LONDON)


def request(number: int, source_key: str | None = None) -> NewRequest:
    return NewRequest(
        kind=TicketKind.SAR if number % 2 else TicketKind.ERASURE,
        channel=RequestChannel.WEB_CHAT,
        received_at=RECEIVED,
        requester_name=f"Parent {number}",
        requester_contact=f"parent{number}@example.org",
        requester_relationship=Relationship.PARENT,
        subject_name=f"Pupil {number}",
        subject_is_child=True,
        request_text="Please send me the data you hold on my child",
        source_key=source_key if source_key is not None else f"chat:{number}",
    )


def all_at_once(count: int, work: Callable[[int], str]) -> list[str]:
    """Run `work(0..count-1)` on `count` threads released together; return what they returned."""
    barrier = threading.Barrier(count)

    def start(number: int) -> str:
        barrier.wait(timeout=60)
        return work(number)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(start, range(count)))


def test_fifty_intakes_at_the_same_moment_are_all_saved(
    engine: Engine, service: RequestService
) -> None:
    references = all_at_once(
        INTAKES, lambda number: service.log(request(number), actor="bot").reference
    )
    assert len(set(references)) == INTAKES
    saved = service.list_tickets(TicketFilter(include_closed=True))
    assert sorted(t.reference for t in saved) == sorted(references)


def test_the_same_intake_retried_at_once_is_saved_once(service: RequestService) -> None:
    references = all_at_once(
        10, lambda number: service.log(request(number, "chat:retried"), actor="bot").reference
    )
    assert len(set(references)) == 1
    assert len(service.list_tickets()) == 1


def test_workers_starting_together_migrate_once(database_url: str) -> None:
    engines = [make_engine(database_url) for _ in range(5)]
    try:
        revisions = all_at_once(5, lambda number: ensure_schema(engines[number]))
    finally:
        for engine in engines:
            engine.dispose()
    assert revisions == [head_revision()] * 5


def _log_from_a_process(
    url: str, first: int, count: int, barrier: Any, results: Any
) -> None:  # pragma: no cover - runs in a child process
    engine = make_engine(url)
    service = RequestService(session_factory(engine))
    try:
        barrier.wait(timeout=120)
        references = all_at_once(
            count, lambda offset: service.log(request(first + offset), actor="bot").reference
        )
        results.put(("ok", references))
    except Exception as error:  # report it: an exception in a child would otherwise be lost
        results.put(("error", f"{type(error).__name__}: {error}"))
    finally:
        engine.dispose()


def test_fifty_intakes_from_several_processes_share_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'privacybot.sqlite3'}"
    engine = make_engine(url)
    ensure_schema(engine)
    # spawn, not fork: each child opens its own connections, as separate web workers would.
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    per_process = INTAKES // PROCESSES
    processes = [
        context.Process(
            target=_log_from_a_process,
            args=(url, index * per_process, per_process, barrier, results),
        )
        for index in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=180) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    results.close()
    results.join_thread()
    try:
        saved = RequestService(session_factory(engine)).list_tickets()
    finally:
        engine.dispose()
    assert [status for status, _ in outcomes] == ["ok"] * PROCESSES, outcomes
    references = [reference for _, batch in outcomes for reference in batch]
    assert len(set(references)) == INTAKES
    assert sorted(t.reference for t in saved) == sorted(references)
