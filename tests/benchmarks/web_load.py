"""Load on `privacybot serve` over loopback: many concurrent parents' conversations. A benchmark,
not a test: it starts the server, drives it, prints a table and stops it.

    .venv/bin/python tests/benchmarks/web_load.py [--workers 1|2] [--database-url URL]
        [--conversations N] [--concurrency N] [--duration SECONDS]

Each conversation starts, asks a few questions from tests/eval/questions.jsonl and presses a
"did you mean" button when it gets one. The run is bounded by the number of conversations and by
the duration, whichever ends first. Throughput and latency are also given as ratios against a
baseline measured first on the same server: GET /healthz, which does no work at all.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import text

from bot.content.evaluation import read_labelled
from bot.storage.engine import make_engine

ROOT = Path(__file__).resolve().parents[2]
PRIVACYBOT = Path(sys.executable).parent / "privacybot"
QUESTIONS = [q.text for q in read_labelled(ROOT / "tests" / "eval" / "questions.jsonl")]


# A subject access intake as a parent types it; the last message confirms the summary.
INTAKE = [
    "I want a copy of all the information you hold on my son",
    "Priya Shah",
    "intake:relationship:parent",
    "Arjun Shah",
    "priya.shah@example.org",
    "intake:details:keep",
    "intake:confirm",
]
# One conversation in this many is a complete intake; the rest ask questions.
INTAKE_EVERY = 5


@dataclass(frozen=True)
class Response:
    status_code: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Connections:
    """Keep-alive HTTP/1.1 over raw asyncio streams.

    httpx's async client costs more CPU per request than the server spends answering one, so it
    measured itself; this does the least a client can, so the numbers are the server's.
    """

    def __init__(self, url: str, size: int) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.size = size
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue()
        )
        self.opened = 0

    async def _take(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.idle.empty() and self.opened < self.size:
            self.opened += 1
            return await asyncio.open_connection(self.host, self.port)
        return await self.idle.get()

    async def request(self, method: str, path: str, body: bytes = b"") -> Response:
        reader, writer = await self._take()
        try:
            head = (
                f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            writer.write(head.encode() + body)
            status_line, *header_lines = (
                (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            )
            headers = dict(line.split(":", 1) for line in header_lines if ":" in line)
            lengths = [v for k, v in headers.items() if k.strip().lower() == "content-length"]
            content = await reader.readexactly(int(lengths[0])) if lengths else b""
        except BaseException:
            writer.close()
            self.opened -= 1
            raise
        self.idle.put_nowait((reader, writer))
        return Response(int(status_line.split()[1]), content)

    async def get(self, path: str) -> Response:
        return await self.request("GET", path)

    async def post(self, path: str, json_body: Any = None) -> Response:
        payload = b"" if json_body is None else json.dumps(json_body).encode()
        return await self.request("POST", path, payload)

    async def close(self) -> None:
        while not self.idle.empty():
            _, writer = self.idle.get_nowait()
            writer.close()


@dataclass
class Tally:
    """Latencies of the requests that succeeded, and what went wrong with the others."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    # The references the server said it logged; every one must be in the database afterwards.
    references: list[str] = field(default_factory=list)
    intakes_started: int = 0
    started: float = field(default_factory=time.perf_counter)
    finished: float = 0.0

    async def timed(self, call: Awaitable[Response], expect: int) -> Response | None:
        begin = time.perf_counter()
        try:
            response = await call
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            self.errors[type(error).__name__] += 1
            return None
        if response.status_code != expect:
            self.errors[f"HTTP {response.status_code}"] += 1
            return None
        self.latencies.append(time.perf_counter() - begin)
        return response

    @property
    def rate(self) -> float:
        return len(self.latencies) / max(self.finished - self.started, 1e-9)

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def baseline(client: Connections, concurrency: int, seconds: float) -> Tally:
    tally = Tally()
    deadline = time.perf_counter() + seconds

    async def loop() -> None:
        while time.perf_counter() < deadline:
            await tally.timed(client.get("/healthz"), 200)

    await asyncio.gather(*(loop() for _ in range(concurrency)))
    tally.finished = time.perf_counter()
    return tally


async def conversations(
    client: Connections, count: int, concurrency: int, turns: int, seconds: float
) -> Tally:
    tally = Tally()
    deadline = time.perf_counter() + seconds
    pending = iter(range(count))
    rng = random.Random(4)

    async def send(conversation_id: str, text: str) -> Response | None:
        return await tally.timed(
            client.post("/api/chat/messages", {"conversation_id": conversation_id, "text": text}),
            200,
        )

    async def intake(conversation_id: str) -> None:
        tally.intakes_started += 1
        answered = None
        for typed in INTAKE:
            answered = await send(conversation_id, typed)
            if answered is None:
                return
        reference = answered.json()["reply"]["ticket_reference"] if answered else None
        if reference:
            tally.references.append(reference)
        else:
            tally.errors["intake ended without a reference"] += 1

    async def one(number: int) -> None:
        started = await tally.timed(client.post("/api/conversations"), 201)
        if started is None:
            return
        conversation_id = started.json()["conversation_id"]
        if number % INTAKE_EVERY == 0:
            await intake(conversation_id)
            return
        for _ in range(turns):
            if time.perf_counter() >= deadline:
                return
            answered = await tally.timed(
                client.post(
                    "/api/chat/messages",
                    {"conversation_id": conversation_id, "text": rng.choice(QUESTIONS)},
                ),
                200,
            )
            choices = answered.json()["reply"]["choices"] if answered else []
            if choices and time.perf_counter() < deadline:
                await tally.timed(
                    client.post(
                        "/api/chat/messages",
                        {"conversation_id": conversation_id, "text": choices[0]["value"]},
                    ),
                    200,
                )

    async def worker() -> None:
        for number in pending:
            if time.perf_counter() >= deadline:
                return
            await one(number)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    tally.finished = time.perf_counter()
    return tally


def resident_mb(pid: int) -> float:
    """VmRSS of `pid` and all its descendants (the workers), in MB."""
    total_kb = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total_kb / 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def scratch_database(base_url: str | None) -> Iterator[str | None]:
    """A schema of its own on the PostgreSQL server at `base_url`, dropped afterwards."""
    if base_url is None:
        yield None
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        # search_path in the URL itself, so the server subprocess uses the schema too.
        url = admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def start_server(
    args: argparse.Namespace, data_dir: Path, database_url: str | None
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    ours = ("PRIVACYBOT_", "HOST", "PORT", "DATABASE_URL", "REDIS_URL")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    environment |= {
        "PRIVACYBOT_DATA_DIR": str(data_dir),
        # Every simulated parent shares 127.0.0.1: the per-client limit would stop the run.
        "PRIVACYBOT_RATE_LIMIT_PER_CLIENT": "1000000000",
        "PRIVACYBOT_RATE_LIMIT_PER_CONVERSATION": "1000000000",
    }
    if database_url:
        environment["DATABASE_URL"] = database_url
    if args.redis_url:
        environment["REDIS_URL"] = args.redis_url
    command = [str(PRIVACYBOT), "serve", "--port", str(port), "--workers", str(args.workers)]
    server = subprocess.Popen(
        command,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_server_cores(args.workers),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            stderr = server.stderr.read().decode() if server.stderr else ""
            raise SystemExit(f"privacybot serve exited with {server.returncode}:\n{stderr}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return server, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit("privacybot serve was not ready within 60 s")


def _cores() -> list[int]:
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []


def _server_cores(workers: int) -> Callable[[], None] | None:
    """One worker gets a core of its own and the load generator the other, so neither measures
    the other's work; with more workers than spare cores everything shares."""
    cores = _cores()
    if workers != 1 or len(cores) < 2:
        return None
    return lambda: os.sched_setaffinity(0, {cores[0]})


def pin_generator(workers: int) -> str:
    cores = _cores()
    if workers != 1 or len(cores) < 2:
        return f"{len(cores) or os.cpu_count()} CPUs shared by the server and this load generator"
    os.sched_setaffinity(0, set(cores[1:]))
    return f"the server on CPU {cores[0]}, this load generator on the other {len(cores) - 1}"


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    if server.stderr:
        server.stderr.close()


def report(name: str, tally: Tally, base: Tally | None) -> str:
    p50, p99 = tally.percentile(0.50) * 1000, tally.percentile(0.99) * 1000
    errors = sum(tally.errors.values())
    line = (
        f"{name:<14} {len(tally.latencies):>7} {tally.rate:>9.0f} {p50:>8.1f} {p99:>8.1f}"
        f" {errors:>7}"
    )
    if base is not None:
        base_p50, base_p99 = base.percentile(0.50) * 1000, base.percentile(0.99) * 1000
        line += (
            f"   x{tally.rate / base.rate:.2f} throughput, x{p50 / base_p50:.1f} p50,"
            f" x{p99 / base_p99:.1f} p99 of baseline"
        )
    if tally.errors:
        line += "\n" + "\n".join(f"{'':<16}{kind}: {n}" for kind, n in tally.errors.most_common())
    return line


async def run(args: argparse.Namespace, url: str) -> tuple[Tally, Tally]:
    client = Connections(url, args.concurrency)
    try:
        # Warm up: the first requests pay for imports and caches the steady state does not.
        await conversations(client, 20, 4, 2, 10)
        base = await baseline(client, args.concurrency, args.baseline_seconds)
        load = await conversations(
            client, args.conversations, args.concurrency, args.turns, args.duration
        )
    finally:
        await client.close()
    return base, load


def logged_references(data_dir: Path, database_url: str | None) -> set[str]:
    """Every ticket reference in the server's database, read after the server has stopped."""
    engine = make_engine(database_url or f"sqlite:///{data_dir / 'privacybot.sqlite3'}")
    try:
        with engine.connect() as connection:
            return set(connection.scalars(text("SELECT reference FROM tickets")))
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--workers", type=int, choices=(1, 2), default=1)
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server, e.g. postgresql://postgres@127.0.0.1/test: the run uses a"
        " schema of its own there and drops it afterwards (default: SQLite in a temp dir)",
    )
    parser.add_argument("--redis-url", help="share the rate limits through this Redis")
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--turns", type=int, default=4, help="questions per conversation")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds, at most")
    parser.add_argument("--baseline-seconds", type=float, default=3.0)
    args = parser.parse_args(argv)

    with (
        tempfile.TemporaryDirectory(prefix="privacybot-load-") as scratch,
        scratch_database(args.database_url) as database_url,
    ):
        placement = pin_generator(args.workers)
        server, url = start_server(args, Path(scratch) / "data", database_url)
        try:
            base, load = asyncio.run(run(args, url))
            memory = resident_mb(server.pid)
        finally:
            stop_server(server)
        stored = logged_references(Path(scratch) / "data", database_url)

    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"privacybot serve, {args.workers} worker(s), {database}; {placement};"
        f" {args.concurrency} concurrent clients"
    )
    print(f"{'':<14} {'requests':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    print(report("/healthz", base, None))
    print(report("conversations", load, base))
    print(f"server resident memory after the run: {memory:.0f} MB")
    missing = set(load.references) - stored
    print(
        f"intakes: {load.intakes_started} started, {len(load.references)} logged with a"
        f" reference, {len(stored)} tickets in the database, {len(missing)} missing"
    )
    if missing:
        raise SystemExit(f"tickets the server reported but did not store: {sorted(missing)}")


if __name__ == "__main__":
    main()
