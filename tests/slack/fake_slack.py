"""A loopback fake of the Slack Web API that records every call and can be told to fail."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0SCHOOL"


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    token: str | None
    status: int
    answer: Any = None

    @property
    def succeeded(self) -> bool:
        return self.status == 200 and (self.answer == "ok" or bool(self.answer.get("ok")))


@dataclass
class Failure:
    status: int = 200
    error: str | None = None
    retry_after: int | None = None


@dataclass
class FakeSlack:
    """Answers like Slack: auth.test, chat.*, views.*, users.info, and response_url webhooks."""

    calls: list[Call] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    # Slack user id -> the verified email address on their profile (users:read.email).
    emails: dict[str, str] = field(default_factory=dict)
    _failures: dict[str, list[Failure]] = field(default_factory=dict)
    _down: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    @property
    def webhook_url(self) -> str:
        return self.url.replace("/api/", "/webhook/")

    def fail(self, method: str, times: int = 1, **failure: Any) -> None:
        """The next `times` calls of `method` fail: an HTTP status, Retry-After, or an error."""
        with self._lock:
            self._failures.setdefault(method, []).extend(Failure(**failure) for _ in range(times))

    def go_down(self) -> None:
        self._down = True

    def called(self, method: str) -> list[Call]:
        """The calls of `method` that succeeded."""
        with self._lock:
            return [call for call in self.calls if call.method == method and call.succeeded]

    def answer(self, method: str, params: dict[str, Any], token: str | None) -> tuple[int, Any]:
        with self._lock:
            queued = self._failures.get(method)
            failure = queued.pop(0) if queued else None
        if self._down:
            failure = Failure(status=503)
        if failure is not None and failure.status != 200:
            self._record(method, params, token, failure.status)
            return failure.status, failure
        if method not in ("webhook", "oauth.v2.access") and not token:
            answer: Any = {"ok": False, "error": "not_authed"}
        elif failure is not None:
            answer = {"ok": False, "error": failure.error}
        else:
            answer = self._ok(method, params)
        self._record(method, params, token, 200, answer)
        return 200, answer

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        token: str | None,
        status: int,
        answer: Any = None,
    ) -> None:
        with self._lock:
            self.calls.append(Call(method, params, token, status, answer))

    def _ok(self, method: str, params: dict[str, Any]) -> Any:
        if method == "webhook":
            return "ok"
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://school.slack.com/",
                "team": "West Borough School",
                "team_id": TEAM,
                "user": "privacybot",
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
            }
        if method == "chat.postMessage":
            ts = f"1700000000.{next(self._ts):06d}"
            return {"ok": True, "channel": params.get("channel"), "ts": ts}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method in ("chat.update", "chat.delete"):
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method.startswith("views."):
            return {"ok": True, "view": {"id": f"V{next(self._ts):05d}"}}
        if method == "oauth.v2.access":
            return {
                "ok": True,
                "app_id": "A1",
                "access_token": "xoxb-installed",
                "token_type": "bot",
                "scope": "chat:write,commands",
                "bot_user_id": BOT_USER,
                "team": {"id": TEAM, "name": "West Borough School"},
                "authed_user": {"id": "U0ADMIN"},
            }
        if method == "users.info":
            user = str(params.get("user"))
            name = self.names.get(user, "Sam Office")
            profile = {"real_name": name}
            if user in self.emails:
                profile["email"] = self.emails[user]
            return {"ok": True, "user": {"id": user, "name": "sam", "profile": profile}}
        return {"ok": True}


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            if "json" in (self.headers.get("Content-Type") or ""):
                params = json.loads(raw or "{}")
            else:
                params = dict(parse_qsl(raw))
            path, _, query = self.path.partition("?")
            params |= dict(parse_qsl(query))
            auth = self.headers.get("Authorization") or ""
            token = auth.removeprefix("Bearer ").strip() or params.get("token")
            method = "webhook" if path.startswith("/webhook/") else path.split("/")[-1]
            status, body = fake.answer(method, params, token)
            if isinstance(body, Failure):
                payload = json.dumps({"ok": False, "error": "ratelimited"}).encode()
                self.send_response(status)
                if body.retry_after is not None:
                    self.send_header("Retry-After", str(body.retry_after))
            else:
                payload = (body if isinstance(body, str) else json.dumps(body)).encode()
                self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def start_fake() -> FakeSlack:
    fake = FakeSlack()
    fake.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    threading.Thread(target=fake.server.serve_forever, args=(0.05,), daemon=True).start()
    return fake


def stop_fake(fake: FakeSlack) -> None:
    assert fake.server is not None
    fake.server.shutdown()
    fake.server.server_close()
