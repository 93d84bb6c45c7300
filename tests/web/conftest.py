"""Fixtures for the web chat: settings on a temp data dir, the app, a live server, a browser."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def web_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Settings for one test: its own data dir and database, the web settings fixed whatever the
    environment says."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": None,
        "secret_key": None,
        "embed_origins": [],
        "redis_url": None,
        "rate_limit_per_client": 1000,
        "rate_limit_per_conversation": 1000,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    return web_settings(tmp_path / "data")


@pytest.fixture
def client(app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings)) as test_client:
        yield test_client


def start(client: TestClient) -> tuple[str, dict[str, Any]]:
    """Start a conversation through the API: its signed id and the greeting reply."""
    response = client.post("/api/conversations")
    assert response.status_code == 201, response.text
    body = response.json()
    return body["conversation_id"], body["reply"]


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()
    return f"http://{host}:{port}"


@dataclass
class LiveServer:
    """The real app under uvicorn on a loopback port, in a thread of the test process."""

    url: str
    settings: Settings
    server: uvicorn.Server
    sock: socket.socket = field(repr=False)
    thread: threading.Thread = field(repr=False)

    @classmethod
    def start(cls, settings: Settings, sock: socket.socket) -> LiveServer:
        config = uvicorn.Config(
            create_app(settings), log_level="warning", access_log=False, lifespan="on"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        for _ in range(500):
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.01)
        assert server.started, "the web server did not start"
        return cls(url_of(sock), settings, server, sock, thread)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


class _HostPage(BaseHTTPRequestHandler):
    """A school's web page on another origin, with the one-line widget snippet."""

    widget_url = ""

    def do_GET(self) -> None:
        body = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>West Borough School</title></head><body><main>"
            "<h1>West Borough School</h1><p>Welcome to our website.</p>"
            '<p><a href="#news">Latest news</a></p></main>'
            f'<script src="{self.widget_url}" defer></script></body></html>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Site:
    """The bot's live server and a school site on another origin allowed to embed it."""

    bot: LiveServer
    host_url: str


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    bot_socket = free_socket()
    bot_url = url_of(bot_socket)
    handler = type("HostPage", (_HostPage,), {"widget_url": f"{bot_url}/widget.js"})
    host = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    host_url = f"http://127.0.0.1:{host.server_address[1]}"
    threading.Thread(target=host.serve_forever, daemon=True).start()
    try:
        settings = web_settings(tmp_path_factory.mktemp("live") / "data", embed_origins=[host_url])
        bot = LiveServer.start(settings, bot_socket)
        try:
            yield Site(bot, host_url)
        finally:
            bot.stop()
    finally:
        host.shutdown()
        host.server_close()
        bot_socket.close()


def _browser_available() -> bool:
    if os.access(CHROMIUM, os.X_OK):
        return True
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
    return False


# Per module: while Playwright's sync API is running, its event loop is the thread's running
# loop, and asyncio.run() in later tests would refuse to start.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not _browser_available():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh phone-sized page; the test fails on any script error or CSP violation in it."""
    yield from watched_page(browser, width=390, height=780)


def watched_page(browser: Any, *, width: int, height: int) -> Iterator[Any]:
    """A page in a context of its own that fails the test on a script error or CSP violation."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not errors, f"errors on the page: {errors}"


class ChatPage:
    """Drives the chat like a person: type, press Enter, click a choice, read the bot's reply.

    `root` is a Page (the /chat page) or a FrameLocator (the chat inside the widget's iframe).
    """

    def __init__(self, root: Any) -> None:
        self.root = root
        self.log = root.get_by_role("log", name="Conversation")
        self.input = root.get_by_role("textbox", name="Your question")
        self.bot_messages = self.log.locator(".message--bot")
        self.user_messages = self.log.locator(".message--user")

    @classmethod
    def open(cls, page: Any, base_url: str) -> ChatPage:
        """Load /chat and wait for the greeting."""
        page.goto(f"{base_url}/chat")
        chat = cls(page)
        chat.wait_for_replies(1)
        return chat

    def wait_for_replies(self, count: int) -> None:
        from playwright.sync_api import expect

        expect(self.bot_messages).to_have_count(count)

    def ask(self, text: str) -> str:
        """Type `text`, press Enter and return the text of the bot's answer."""
        before = self.bot_messages.count()
        self.input.fill(text)
        self.input.press("Enter")
        self.wait_for_replies(before + 1)
        return self.last_reply()

    def choices(self) -> Any:
        """The choice buttons under the bot's latest reply (not its "Was this helpful?")."""
        return self.bot_messages.last.get_by_role("group", name="Choose an answer").get_by_role(
            "button"
        )

    def choose(self, label: str) -> str:
        """Click the choice labelled `label` under the latest reply; return the next reply."""
        before = self.bot_messages.count()
        self.choices().filter(has_text=label).first.click()
        self.wait_for_replies(before + 1)
        return self.last_reply()

    def last_reply(self) -> str:
        return str(self.bot_messages.last.locator(".message__text").inner_text())
