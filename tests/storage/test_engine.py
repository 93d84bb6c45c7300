"""Tests for the database layer: engines, migrations, the append-only audit trail, outages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, event, func, select, text, update
from sqlalchemy.exc import DBAPIError

from bot.config import ConfigError
from bot.storage.engine import (
    StorageUnavailable,
    current_revision,
    ensure_schema,
    head_revision,
    make_engine,
    session_factory,
)
from bot.storage.tables import AuditEvent, AuditTrailIsAppendOnly, Base, Ticket
from bot.tickets.service import InvalidChange, NewRequest, RequestService

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2"


def test_sqlite_engine_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'dir' / 'db.sqlite3'}")
    try:
        with engine.connect() as connection:
            pragma = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            }
    finally:
        engine.dispose()
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30_000}
    assert (tmp_path / "new" / "dir" / "db.sqlite3").exists()


def test_sqlite_transactions_take_the_write_lock_at_once(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    ensure_schema(engine)
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with engine.begin() as connection:
            connection.execute(select(func.count()).select_from(Ticket))
    finally:
        engine.dispose()
    assert statements[0] == "BEGIN IMMEDIATE"


@pytest.mark.parametrize(
    "url", ["postgres://u@db.example/privacy", "postgresql://u@db.example/privacy"]
)
def test_postgres_urls_use_psycopg_3(url: str) -> None:
    engine = make_engine(url)
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


@pytest.mark.parametrize("url", ["not a url", "mysql://u@h/db"])
def test_bad_database_url_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        make_engine(url)


def test_schema_is_migrated_once_and_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) is None
        assert ensure_schema(engine) == head_revision()
        assert ensure_schema(engine) == head_revision()  # a second start changes nothing
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def _one_event(service: RequestService, new_request: Callable[..., NewRequest]) -> None:
    service.log(new_request(), actor="office")


_REWRITE_FIRST_EVENT = (
    "{verb} audit_events (id, at, actor, action) "
    "SELECT id, at, 'someone else', action FROM audit_events ORDER BY id LIMIT 1"
)
_REWRITES = {
    "sqlite": [
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
        _REWRITE_FIRST_EVENT.format(verb="REPLACE INTO"),
        _REWRITE_FIRST_EVENT.format(verb="INSERT OR REPLACE INTO"),
    ],
    "postgresql": [
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "TRUNCATE audit_events CASCADE",
    ],
}


@pytest.mark.parametrize("attempt", range(4))
def test_database_refuses_to_change_audit_events(
    engine: Engine,
    service: RequestService,
    new_request: Callable[..., NewRequest],
    attempt: int,
) -> None:
    # Every way each database offers to rewrite or remove a row, tried from outside the app.
    statement = _REWRITES[engine.dialect.name][attempt]
    _one_event(service, new_request)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with engine.connect() as connection:
        actors = connection.execute(text("SELECT DISTINCT actor FROM audit_events")).scalars()
        assert list(actors) == ["office"]


def test_a_failed_statement_does_not_copy_what_people_wrote_into_the_error(
    engine: Engine,
) -> None:
    words = "my daughter Amelia Jones in year 4"
    insert = text("INSERT INTO audit_events (id, at, actor, action) VALUES (1, :at, :who, 'x')")
    with engine.begin() as connection:
        connection.execute(insert, {"at": datetime.now(UTC), "who": "office"})
    with pytest.raises(DBAPIError) as failure, engine.begin() as connection:
        connection.execute(insert, {"at": datetime.now(UTC), "who": words})
    assert "parameters hidden" in str(failure.value)
    assert words not in str(failure.value)


def test_orm_refuses_to_change_or_delete_audit_events(
    engine: Engine, service: RequestService, new_request: Callable[..., NewRequest]
) -> None:
    _one_event(service, new_request)
    sessions = session_factory(engine)
    with sessions() as session:
        event = session.scalars(select(AuditEvent)).first()
        assert event is not None
        event.actor = "someone else"
        with pytest.raises(AuditTrailIsAppendOnly):
            session.flush()
        session.rollback()
    with sessions() as session:
        event = session.scalars(select(AuditEvent)).first()
        session.delete(event)
        with pytest.raises(AuditTrailIsAppendOnly):
            session.flush()
        session.rollback()
    with sessions() as session, pytest.raises(AuditTrailIsAppendOnly):
        session.execute(update(AuditEvent).values(actor="someone else"))


def test_times_come_back_timezone_aware_in_utc(
    engine: Engine, service: RequestService, new_request: Callable[..., NewRequest]
) -> None:
    _one_event(service, new_request)
    with session_factory(engine)() as session:
        logged_at = session.scalars(select(Ticket.logged_at)).one()
    assert logged_at.tzinfo is not None
    assert logged_at.utcoffset() == UTC.utcoffset(None)


def test_naive_times_are_refused(
    service: RequestService, new_request: Callable[..., NewRequest]
) -> None:
    with pytest.raises(InvalidChange, match="time zone"):
        service.log(new_request(received_at=datetime(2026, 3, 3, 10, 0)), actor="office")


def test_unreachable_postgres_is_storage_unavailable(
    new_request: Callable[..., NewRequest],
) -> None:
    engine = make_engine(UNREACHABLE)
    service = RequestService(session_factory(engine))
    try:
        with pytest.raises(StorageUnavailable) as raised:
            service.log(new_request(), actor="office")
        with pytest.raises(StorageUnavailable):
            ensure_schema(engine)
        with pytest.raises(StorageUnavailable):
            service.list_tickets()
    finally:
        service.dispose()
    message = str(raised.value)
    assert "127.0.0.1" in message
    assert "OperationalError" in message
    # An operator reads this in a log: nothing the person wrote may appear in it.
    for personal in ("Priya", "Arjun", "everything you hold"):
        assert personal not in message


def test_sqlite_data_directory_that_cannot_be_created_is_storage_unavailable(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StorageUnavailable, match="cannot create the data directory"):
        make_engine(f"sqlite:///{blocker / 'data' / 'db.sqlite3'}")
