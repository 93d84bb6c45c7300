"""Fixtures for the office console: an app on the test database, staff accounts, tickets."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.console.accounts import Role, StaffAccounts
from bot.rules.clock import LONDON
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Relationship, RequestChannel
from bot.tickets.service import NewRequest, RequestService, TicketView
from tests.web.conftest import (  # noqa: F401 - the browser fixture, reused
    LiveServer,
    browser,
    free_socket,
    web_settings,
)

PASSWORD = "correct horse battery staple"
# Cheap to hash, so tests make accounts quickly; the console still verifies with argon2.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def console_settings(tmp_path: Path, database_url: str) -> Settings:
    return web_settings(tmp_path / "data", database_url=database_url)


@pytest.fixture
def requests_service(console_settings: Settings) -> Iterator[RequestService]:
    """The request service on the app's database, on the real clock as the app is."""
    service = RequestService.from_settings(console_settings)
    yield service
    service.dispose()


@pytest.fixture
def accounts(requests_service: RequestService) -> StaffAccounts:
    return StaffAccounts(requests_service.sessions, hasher=FAST_HASHER)


@pytest.fixture
def staff(accounts: StaffAccounts) -> dict[Role, str]:
    """One account per role; all share PASSWORD."""
    emails = {role: f"{role.value}@school.example" for role in Role}
    for role, email in emails.items():
        accounts.add(email, PASSWORD, role, actor="test")
    return emails


@pytest.fixture
def app_client(console_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(console_settings), follow_redirects=False) as client:
        yield client


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    """Log in through the login form, in a fresh browser; return the login POST's response."""
    client.cookies.clear()
    page = client.get("/console/login")
    assert page.status_code == 200, page.text
    token = csrf_of(page.text)
    return client.post(
        "/console/login",
        data={"csrf_token": token, "email": email, "password": password, "next": ""},
    )


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sar_request(days_ago: int = 1, **overrides: Any) -> NewRequest:
    """A subject access request received `days_ago` days ago (by the real clock)."""
    request = NewRequest(
        kind=TicketKind.SAR,
        channel=RequestChannel.EMAIL,
        received_at=datetime.now(LONDON) - timedelta(days=days_ago),
        requester_name="Priya Shah",
        requester_contact="priya.shah@example.org",
        requester_relationship=Relationship.PARENT,
        subject_name="Arjun Shah",
        subject_is_child=True,
        request_text="Please send me everything you hold on my son Arjun",
    )
    return replace(request, **overrides)


@pytest.fixture
def log_ticket(requests_service: RequestService) -> Callable[..., TicketView]:
    """Log a request received `days_ago` days ago (by the real clock), with any field changed."""

    def log(days_ago: int = 1, **overrides: Any) -> TicketView:
        return requests_service.log(
            sar_request(days_ago, **overrides), actor="office@school.example"
        )

    return log


@contextmanager
def live_console(
    settings: Settings, *, more_staff: Sequence[str] = (), tickets: Sequence[NewRequest] = ()
) -> Iterator[LiveServer]:
    """The real app on a free port, with an account for each role (`<role>@school.example`), an
    office account for each of `more_staff`, and `tickets` logged by the office."""
    service = RequestService.from_settings(settings)
    accounts = StaffAccounts(service.sessions, hasher=FAST_HASHER)
    for role in Role:
        accounts.add(f"{role.value}@school.example", PASSWORD, role, actor="test")
    for email in more_staff:
        accounts.add(email, PASSWORD, Role.OFFICE, actor="test")
    for ticket in tickets:
        service.log(ticket, actor="office@school.example")
    service.dispose()
    server = LiveServer.start(settings, free_socket())
    try:
        yield server
    finally:
        server.stop()
