"""The office console with many tickets: each page timed against /healthz in the same run.

    .venv/bin/python tests/benchmarks/console_scale.py [--tickets N] [--database-url URL]
        [--repeat N]

Fills a fresh database with N tickets received over five years and their audit events (a
bulk filler, tests/console/filler.py), signs in as the data protection lead through the real
app (in process, over Starlette's test client) and times the ticket list, a search, a filtered
list, a ticket page, the dashboard, the request log (first and a late page), the audit viewer
and the whole request log as CSV. Each line gives the median and worst time and the median as a
multiple of GET /healthz measured the same way in the same run. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.app import create_app
from bot.console.accounts import Role, StaffAccounts
from bot.rules.clock import london_now
from bot.storage.engine import ensure_schema, make_engine, session_factory
from tests.console.conftest import FAST_HASHER, PASSWORD, sign_in
from tests.console.filler import after_fill, fill
from tests.web.conftest import web_settings

DPO = "dpo@school.example"


@contextmanager
def database(base_url: str | None, folder: Path) -> Iterator[str]:
    """SQLite in `folder`, or a schema of its own on PostgreSQL, dropped afterwards."""
    if base_url is None:
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    admin = make_engine(base_url)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def timed(client: TestClient, path: str, repeat: int) -> list[float]:
    times: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        if response.status_code != 200 or len(response.content) < 10:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        page = path.startswith("/console") and not path.endswith(".csv")
        if page and "Log out" not in response.text:
            raise SystemExit(f"{path}: not signed in")
        times.append(elapsed * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--reuse",
        metavar="URL",
        help="fill this database once and keep it; later runs with it skip the fill",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.reuse:
            run(Path(folder), args.reuse, args.tickets, args.repeat)
            return
        with database(args.database_url, Path(folder)) as url:
            run(Path(folder), url, args.tickets, args.repeat)


def run(folder: Path, url: str, tickets: int, repeat: int) -> None:
    engine = make_engine(url)
    ensure_schema(engine)
    sessions = session_factory(engine)
    with engine.connect() as connection:
        filled = connection.execute(text("SELECT count(*) FROM tickets")).scalar_one()
    if filled:
        print(f"reusing {filled} tickets ({engine.dialect.name})")
    else:
        started = time.perf_counter()
        fill(sessions, tickets, london_now().date())
        after_fill(sessions)
        StaffAccounts(sessions, hasher=FAST_HASHER).add(DPO, PASSWORD, Role.DPO, actor="bench")
        took = time.perf_counter() - started
        print(f"filled {tickets} tickets in {took:.1f} s ({engine.dialect.name})")
    engine.dispose()
    settings = web_settings(folder / "data", database_url=url)
    pages = {
        "baseline: /healthz": "/healthz",
        "ticket list": "/console/tickets",
        "search a pupil's name": "/console/tickets?q=maisie+okafor",
        "search within filters": "/console/tickets?q=okafor&status=all&kind=erasure",
        "list, all, page 200": "/console/tickets?status=all&page=200",
        "ticket page": f"/console/tickets/SAR-{london_now().year}-0001",
        "dashboard": "/console/dashboard",
        "request log": "/console/log",
        "request log, late page": f"/console/log?page={max(1, (filled or tickets) // 100)}",
        "audit viewer": "/console/audit?action=closed",
    }
    with TestClient(create_app(settings), follow_redirects=False) as client:
        sign_in(client, DPO)
        reference = client.get("/console/tickets?status=all").text.split('class="ref" href="')[1]
        pages["ticket page"] = reference.split('"')[0]
        baseline = statistics.median(timed(client, "/healthz", repeat * 2))
        print(f"{'page':28} {'median ms':>10} {'worst ms':>10} {'x healthz':>10}")
        for name, path in pages.items():
            times = timed(client, path, repeat)
            median = statistics.median(times)
            print(f"{name:28} {median:10.1f} {max(times):10.1f} {median / baseline:10.1f}")
        times = timed(client, "/console/log.csv", 2)
        print(
            f"{'request log CSV (all rows)':28} {min(times):10.1f} {max(times):10.1f} "
            f"{min(times) / baseline:10.1f}"
        )


if __name__ == "__main__":
    main()
