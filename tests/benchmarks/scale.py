"""Retention and the request log at a trust's size: purge, the CSV log and the ticket list.

    .venv/bin/python tests/benchmarks/scale.py [--sizes 1000 10000] [--database-url URL]

For each size it fills a fresh database (SQLite in a temporary folder, or a schema of its own on
the PostgreSQL server at URL, dropped afterwards) with tests/benchmarks/fill.py, then times what
the console and the CLI call, in this process and after a warm-up: the first page of
`tickets list`, the whole request log as CSV (streamed to nowhere; its peak Python memory is
measured in a second pass under tracemalloc), `purge --dry-run`, and the purge itself. The
baseline, measured in the same run on the same database, is opening one ticket (`tickets show`,
audited as a view): every figure is also given as a multiple of it. Timings are the median of
--repeat runs; the purge, which changes the data, runs once, last. The CLI's own start-up (about
a second on a quiet machine, far more on a busy one) is left out.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.storage.engine import ensure_schema, make_engine, session_factory
from bot.tickets.export import csv_chunks
from bot.tickets.service import PurgeReport, RequestService
from tests.benchmarks.fill import fill

PRIVACYBOT = Path(sys.executable).parent / "privacybot"


def seconds(work: Callable[[], object], repeat: int) -> float:
    """The median wall time of `repeat` runs of `work`."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def peak_mb(work: Callable[[], object]) -> float:
    """The peak Python memory `work` allocated, in MB."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


@contextmanager
def database(base_url: str | None, folder: Path) -> Iterator[str]:
    """A fresh database: SQLite in `folder`, or a schema of its own on PostgreSQL."""
    if base_url is None:
        yield f"sqlite:///{folder / 'privacybot.sqlite3'}"
        return
    admin = make_engine(base_url)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def copy_of(filled: str, folder: Path) -> Iterator[str]:
    """A throw-away copy of a database fill.py filled: the file copied, or a PostgreSQL
    database made from it as a template (dropped afterwards); the purge then changes only it."""
    engine = make_engine(filled)
    engine.dispose()
    if engine.dialect.name == "sqlite":
        copy = folder / "copy.sqlite3"
        shutil.copyfile(str(engine.url.database), copy)
        yield f"sqlite:///{copy}"
        return
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(engine.url.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{engine.url.database}"'))
    try:
        yield engine.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


def measure(size: int, base_url: str | None, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as scratch, database(base_url, Path(scratch)) as url:
        engine = make_engine(url)
        started = time.perf_counter()
        counts = fill(engine, size, now=datetime.now(UTC))
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.execute(text("ANALYZE"))
        engine.dispose()
        print(
            f"\n{size:,} tickets on {engine.dialect.name}, filled in "
            f"{time.perf_counter() - started:.0f} s ({counts['audit_events']:,} audit events, "
            f"{counts['conversations']:,} conversations, {counts['turns']:,} turns)"
        )
        run_on(url, repeat)


def measure_filled(filled: str, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as scratch, copy_of(filled, Path(scratch)) as url:
        engine = make_engine(url)
        ensure_schema(engine)  # a fill made before the latest migration is brought up to date
        with engine.connect() as connection:
            tickets = connection.execute(text("SELECT count(*) FROM tickets")).scalar_one()
        engine.dispose()
        print(f"\n{tickets:,} tickets on {engine.dialect.name}, a copy of a fill")
        run_on(url, repeat)


def run_on(url: str, repeat: int) -> None:
    service = RequestService(session_factory(make_engine(url)), school_type="academy")
    try:
        report(service, repeat)
    finally:
        service.dispose()


def report(service: RequestService, repeat: int) -> None:
    reference = service.page_tickets(limit=1).tickets[0].reference
    retention = {"actor": "bench", "transcript_days": 30, "closed_ticket_days": 2190}

    def export_csv() -> int:
        return sum(len(chunk) for chunk in csv_chunks(service.iter_export_rows(actor="bench")))

    work: dict[str, Callable[[], object]] = {
        "baseline: open one ticket": lambda: service.get(reference, actor="bench"),
        "tickets list, first page": lambda: service.page_tickets(limit=50),
        "request log CSV": export_csv,
        "purge --dry-run": lambda: service.purge(**retention, dry_run=True),  # type: ignore[arg-type]
    }
    for run in work.values():
        run()  # warm-up: connections, caches
    # The baseline is short, so more runs of it: its median is what every ratio divides by.
    results = {
        name: seconds(run, repeat if i else 5 * repeat)
        for i, (name, run) in enumerate(work.items())
    }
    memory = peak_mb(export_csv)
    purged: list[PurgeReport] = []
    results["purge"] = seconds(lambda: purged.append(service.purge(**retention)), 1)  # type: ignore[arg-type]
    baseline = results["baseline: open one ticket"]
    print(f"{'what':<28}{'seconds':>10}{'x baseline':>12}")
    for name, value in results.items():
        print(f"{name:<28}{value:>10.3f}{value / baseline:>12.0f}")
    print(f"request log CSV peak Python memory: {memory:.1f} MB")
    done = purged[0]
    print(
        f"purge removed {len(done.tickets):,} tickets, {done.conversations:,} conversations, "
        f"{done.turns:,} turns, {done.processed_messages:,} processed messages"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--database-url", help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--filled",
        metavar="URL",
        help="measure a copy of this database, filled once by fill.py, instead of filling anew",
    )
    args = parser.parse_args()
    if args.filled:
        measure_filled(args.filled, args.repeat)
        return
    for size in args.sizes:
        measure(size, args.database_url, args.repeat)


if __name__ == "__main__":
    main()
