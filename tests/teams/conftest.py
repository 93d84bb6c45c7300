"""A loopback Bot Connector, Teams activities, and the real application in development mode.

Activities are POSTed to the application from create_app(settings) with their serviceUrl set to
a fake Bot Connector on a free 127.0.0.1 port, which records every reply, post and update the
SDK makes and answers as the connector does. Without an app registration the SDK sends no token,
so nothing leaves the machine.
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.console.accounts import Role, StaffAccounts
from bot.conversation import assembly as bootstrap
from bot.conversation.handler import Conversation
from bot.storage.engine import ensure_schema, make_engine, session_factory
from bot.teams.mount import MESSAGES_PATH
from bot.tickets.service import RequestService
from bot.tickets.staff_links import StaffLinks

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
TRIAGE_CHANNEL = "19:triage-channel@thread.tacv2"
BOT = {"id": "28:privacybot", "name": "Privacy helpdesk"}


@dataclass(frozen=True)
class Call:
    """One request the bot made to the connector."""

    method: str
    path: str
    body: dict[str, Any]
    authorization: str | None
    # The activity id the connector answered with (a posted message's id).
    answer_id: str

    @property
    def card(self) -> dict[str, Any]:
        """The Adaptive Card the activity carries."""
        (attachment,) = self.body["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        content: dict[str, Any] = attachment["content"]
        return content


@dataclass
class FakeConnector:
    """Answers /v3/conversations/... like the Bot Connector and records each call."""

    url: str = ""
    calls: list[Call] = field(default_factory=list)
    # Messages someone deleted in Teams: updating one is a 404.
    deleted: set[str] = field(default_factory=set)
    # While set, every call fails as an unreachable Teams would (503).
    down: bool = False
    # Go down by itself once this many posts have been taken (a failure part-way through).
    posts_before_down: int | None = None
    # The roster: GET .../members/{id} answers with the entry for that Teams user id.
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def record(self, method: str, path: str, body: dict[str, Any], auth: str | None) -> Call:
        with self._changed:
            answer = f"activity-{next(self._ids)}" if method == "POST" else path.rsplit("/")[-1]
            call = Call(method, path, body, auth, answer)
            self.calls.append(call)
            self._changed.notify_all()
            return call

    def wait_for(self, matches: Callable[[Call], bool], timeout: float = 10.0) -> Call:
        """The first call that `matches`, waiting for it if it has not come yet."""
        found: list[Call] = []

        def seen() -> bool:
            found[:] = [call for call in self.calls if matches(call)]
            return bool(found)

        with self._changed:
            assert self._changed.wait_for(seen, timeout), f"no such call among {self.calls}"
        return found[0]

    def messages_to(self, conversation_id: str) -> list[Call]:
        prefix = f"/v3/conversations/{conversation_id}/activities"
        return [c for c in self.calls if c.path.startswith(prefix) and c.method == "POST"]


def _handler(connector: FakeConnector) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            path = unquote(self.path.split("?", 1)[0])
            posts = sum(1 for call in connector.calls if call.method == "POST")
            if connector.posts_before_down is not None and posts >= connector.posts_before_down:
                connector.down = True
            if connector.down:
                status, answer = 503, {"error": {"code": "ServiceUnavailable", "message": "down"}}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            call = connector.record(self.command, path, body, self.headers.get("Authorization"))
            if self.command == "GET":
                member = connector.members.get(path.rsplit("/", 1)[-1])
                found = member is not None and "/members/" in path
                status, answer = (200, member) if found else (404, {"error": {"code": "NotFound"}})
            elif self.command == "PUT" and call.answer_id in connector.deleted:
                status, answer = 404, {"error": {"code": "NotFound", "message": "gone"}}
            else:
                status, answer = 200, {"id": call.answer_id}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = _answer
        do_POST = _answer
        do_PUT = _answer
        do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    fake = FakeConnector()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    host, port = server.server_address[:2]
    fake.url = f"http://{host!s}:{port}/"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def teams_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Settings for one test, nothing read from the developer's environment or .env."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": None,
        "secret_key": None,
        "redis_url": None,
        "env": "development",
        "teams_app_id": None,
        "teams_app_password": None,
        "teams_tenant_id": TENANT,
        "teams_allow_anonymous": True,
        "teams_triage_conversation_id": None,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def bot_settings(tmp_path: Path, connector: FakeConnector, database_url: str) -> Settings:
    """Development mode: anonymous requests, the triage channel, posts to the fake connector.

    On SQLite, and on PostgreSQL too when TEST_DATABASE_URL names one (tests/conftest.py).
    """
    return teams_settings(
        tmp_path / "data",
        database_url=database_url,
        teams_triage_conversation_id=TRIAGE_CHANNEL,
        teams_service_url=connector.url,
        # Tickets logged outside Teams are found by polling the audit trail: poll briskly here.
        teams_triage_interval_seconds=0.1,
    )


@pytest.fixture(autouse=True)
def shared_matcher(conversation: Conversation, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every app here matches with the shipped intents, indexed once per session."""
    monkeypatch.setattr(bootstrap, "build_matcher", lambda _settings: conversation.matcher)


@pytest.fixture
def client(bot_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    app = create_app(bot_settings)
    link_staff(bot_settings, Person.aad_object_id, Role.DPO)
    # As a context manager, so the application's lifespan (and the triage poster) runs.
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def service(bot_settings: Settings) -> Iterator[RequestService]:
    """The request service on the application's database, to see what the bot did."""
    service = RequestService.from_settings(bot_settings)
    yield service
    service.dispose()


@dataclass
class Person:
    """A member of staff in Teams: their account, and where they are talking to the bot."""

    connector: FakeConnector
    conversation_id: str = "a:personal-chat-with-alex"
    conversation_type: str = "personal"
    aad_object_id: str = "5b1c2a3e-0000-4000-8000-00000000a1e5"
    name: str = "Alex Teacher"
    tenant: str = TENANT
    # The Bot Framework's id for the user in this bot's conversations.
    teams_id: str = "29:alex"

    def activity(self, **fields: Any) -> dict[str, Any]:
        """An activity as Teams sends it, from this person in this conversation."""
        activity: dict[str, Any] = {
            "type": "message",
            "id": uuid.uuid4().hex,
            "channelId": "msteams",
            "serviceUrl": self.connector.url,
            "from": {"id": self.teams_id, "name": self.name, "aadObjectId": self.aad_object_id},
            "recipient": BOT,
            "conversation": {
                "id": self.conversation_id,
                "conversationType": self.conversation_type,
                "tenantId": self.tenant,
            },
            "channelData": {"tenant": {"id": self.tenant}},
        }
        activity.update(fields)
        return activity

    def actor(self) -> str:
        return f"teams:{self.aad_object_id} ({self.name})"

    def roster_entry(self, **changes: str) -> dict[str, Any]:
        """The member as the Bot Connector's roster describes them, from the directory."""
        entry = {
            "id": self.teams_id,
            "aadObjectId": self.aad_object_id,
            "name": self.name,
            "email": "alex.teacher@school.example",
            "userPrincipalName": "alex.teacher@school.example",
            "tenantId": self.tenant,
            "userRole": "user",
        }
        return {**entry, **changes}


def link_staff(settings: Settings, object_id: str, role: Role) -> str:
    """A console account with `role`, linked to the Teams user: who may work tickets."""
    engine = make_engine(settings.resolved_database_url())
    try:
        ensure_schema(engine)
        accounts = StaffAccounts(session_factory(engine), hasher=QUICK_HASHER)
        email = f"{object_id[-4:]}-{role.value}@school.example"
        accounts.add(email, "a long enough passphrase", role, actor="test")
        StaffLinks(accounts.sessions).link(email, "teams", object_id, actor="test")
    finally:
        engine.dispose()
    return email


def send(client: TestClient, activity: dict[str, Any], **headers: str) -> Any:
    return client.post(MESSAGES_PATH, json=activity, headers=headers)


def button(card: dict[str, Any], title: str) -> dict[str, Any]:
    """The data a card's button sends back."""
    for action in card["actions"]:
        if action["title"] == title:
            data: dict[str, Any] = action["data"]
            return data
    raise AssertionError(f"no button {title!r} among {[a['title'] for a in card['actions']]}")
