"""Live servers a test owns: stopped and started again on the same port, like a real outage."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.config import Settings
from tests.web.conftest import LiveServer, free_socket, web_settings


def socket_on(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


class OwnServer:
    """One app on one loopback port that a test can take down and bring back."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.live: LiveServer | None = LiveServer.start(settings, free_socket())
        self.url = self.live.url
        self.port = int(self.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None

    def restart(self) -> None:
        self.stop()
        self.live = LiveServer.start(self.settings, socket_on(self.port))


@contextmanager
def own_server(data_dir: Path, **overrides: Any) -> Iterator[OwnServer]:
    server = OwnServer(web_settings(data_dir, **overrides))
    try:
        yield server
    finally:
        server.stop()
