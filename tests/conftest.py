"""Shared fixtures: the shipped content (tests/content_fixtures.py) and the ticket database.

Every database test runs on SQLite (a temporary file) and, when TEST_DATABASE_URL names a
PostgreSQL server, on PostgreSQL too, each test in a schema of its own. With REQUIRE_POSTGRES=1
(as in CI) a missing or unreachable server fails those tests instead of skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import settings
from sqlalchemy import Engine, text

from bot.rules.clock import LONDON
from bot.rules.deadlines import SchoolCalendar, TicketKind
from bot.rules.lifecycle import Relationship, RequestChannel
from bot.storage.engine import (
    StorageUnavailable,
    ensure_schema,
    make_engine,
    session_factory,
    storage_errors,
)
from bot.tickets.service import NewRequest, RequestService

pytest_plugins = ["tests.content_fixtures", "tests.smtp"]

# In CI the property tests replay the same examples every run, so a red build always means a
# change broke something; on a developer's machine they keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_configure(config: pytest.Config) -> None:
    """Give each xdist worker the environment a serial run has.

    The workers start with COLUMNS=80 and LINES=24 set, and rich fixes a console's width from
    COLUMNS when the console is made: the CLI's consoles, made at import, would print 80 columns
    for the rest of the worker whatever a test sets (a serial run reads COLUMNS at each print).
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ.pop("COLUMNS", None)
        os.environ.pop("LINES", None)


# Autumn 2026 with half term 19-23 October and an INSET day on 2 November.
TEST_CALENDAR = SchoolCalendar.from_mapping(
    {
        "terms": [
            {"start": "2026-01-05", "end": "2026-03-27"},
            {"start": "2026-04-13", "end": "2026-07-21"},
            {"start": "2026-09-03", "end": "2026-10-16"},
            {"start": "2026-10-26", "end": "2026-12-18"},
        ],
        "closures": ["2026-11-02"],
    }
)


def _postgres_url(request: pytest.FixtureRequest) -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    required = os.environ.get("REQUIRE_POSTGRES") == "1"
    if not base:
        if required:
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip("TEST_DATABASE_URL is not set")
    return base


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A URL for an empty database of its own: SQLite, then PostgreSQL if configured."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'privacybot.sqlite3'}"
        return
    base = _postgres_url(request)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = make_engine(base)
    try:
        with storage_errors(admin), admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except StorageUnavailable as error:
        admin.dispose()
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {error}")
        pytest.skip(str(error))
    # search_path in the URL itself, so a CLI subprocess given DATABASE_URL uses the schema too.
    url = admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database."""
    engine = make_engine(database_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


class Clock:
    """A settable clock for the service: London time, 10:00 on 3 March 2026 unless moved."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 3, 10, 0, tzinfo=LONDON)

    def __call__(self) -> datetime:
        return self.now

    def set_day(self, day: date, at: time = time(10, 0)) -> None:
        self.now = datetime.combine(day, at, LONDON)

    def advance(self, days: int = 0, hours: int = 0) -> None:
        self.now += timedelta(days=days, hours=hours)

    @property
    def today(self) -> date:
        return self.now.date()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(engine: Engine, clock: Clock) -> RequestService:
    """The request service for a maintained school, on a fresh database and a settable clock."""
    return RequestService(
        session_factory(engine), school_type="maintained", calendar=TEST_CALENDAR, now=clock
    )


@pytest.fixture
def new_request(clock: Clock) -> Callable[..., NewRequest]:
    """Make a request received now (by the test clock), with any field overridden."""

    def make(**overrides: Any) -> NewRequest:
        request = NewRequest(
            kind=TicketKind.SAR,
            channel=RequestChannel.WEB_CHAT,
            received_at=clock.now,
            requester_name="Priya Shah",
            requester_contact="priya.shah@example.org",
            requester_relationship=Relationship.PARENT,
            subject_name="Arjun Shah",
            subject_is_child=True,
            request_text="Please send me everything you hold on my son Arjun",
        )
        return replace(request, **overrides)

    return make
