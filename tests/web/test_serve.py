"""`privacybot serve` as an operator runs it: SQLite by default, HOST/PORT, several workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import free_socket

PRIVACYBOT = Path(sys.executable).parent / "privacybot"


def clean_environment(**extra: str) -> dict[str, str]:
    """This machine's environment without any of the bot's settings, plus `extra`."""
    ours = ("PRIVACYBOT_", "HOST", "PORT", "DATABASE_URL", "REDIS_URL", "FORWARDED_ALLOW_IPS")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return environment | extra


def free_port() -> int:
    sock = free_socket()
    port = int(sock.getsockname()[1])
    sock.close()
    return port


@contextmanager
def serving(
    cwd: Path, args: list[str], environment: Mapping[str, str]
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    process = subprocess.Popen(
        [str(PRIVACYBOT), "serve", *args],
        cwd=cwd,
        env=dict(environment),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    port = next((a for a in args if a.isdigit()), None) or environment["PORT"]
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                pytest.fail(f"serve exited with {process.returncode}: {stderr}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("serve did not answer /healthz within 60 s")
        yield process, url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def test_serve_needs_no_setting_and_keeps_its_data_in_the_data_directory(tmp_path: Path) -> None:
    port = free_port()
    with serving(tmp_path, [], clean_environment(PORT=str(port))) as (process, url):
        assert httpx.get(f"{url}/readyz").status_code == 200
        page = httpx.get(f"{url}/chat")
        assert "West Borough School" in page.text
        started = httpx.post(f"{url}/api/conversations")
        assert started.status_code == 201
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells of it.
    assert process.returncode in (0, -signal.SIGTERM)
    assert (tmp_path / "data" / "secret_key").is_file()
    assert (tmp_path / "data" / "privacybot.sqlite3").is_file()


def test_two_workers_share_the_signing_key(tmp_path: Path) -> None:
    port = free_port()
    args = ["--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    with serving(tmp_path, args, clean_environment()) as (process, url):
        assert len(children(process.pid)) >= 2
        conversation_id = httpx.post(f"{url}/api/conversations").json()["conversation_id"]
        # A new connection each time, so the kernel hands them to both workers.
        statuses = {
            httpx.post(
                f"{url}/api/chat/messages",
                json={"conversation_id": conversation_id, "text": "cookies"},
                headers={"Connection": "close"},
            ).status_code
            for _ in range(12)
        }
    assert statuses == {200}


@pytest.mark.parametrize(
    ("setting", "workers", "named"),
    [
        (("PRIVACYBOT_EMBED_ORIGINS", "not-an-origin"), "1", "PRIVACYBOT_EMBED_ORIGINS: 'not-"),
        (("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none"), "1", "ticket database"),
        (("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none"), "2", "ticket database"),
    ],
    ids=["bad embed origin", "database down, one worker", "database down, two workers"],
)
def test_serve_stops_at_once_on_what_it_cannot_run_with(
    tmp_path: Path, setting: tuple[str, str], workers: str, named: str
) -> None:
    name, value = setting
    result = subprocess.run(
        [str(PRIVACYBOT), "serve", "--workers", workers, "--port", str(free_port())],
        cwd=tmp_path,
        env=clean_environment(**{name: value}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert named in result.stderr
    assert "Traceback" not in result.stderr
    assert "Value error" not in result.stderr
