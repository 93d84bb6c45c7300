"""Connections to the ticket database (SQLite or PostgreSQL) and its schema migrations.

Migrations are applied automatically at start-up: the server and every CLI command that opens
the database call `ensure_schema`, so a school upgrading the package never meets an old schema.
Operators who prefer to migrate before any worker starts run `privacybot db upgrade` (for
example as the Procfile's `release:` step); it does the same thing. Several processes starting
together are serialised, by an advisory lock on PostgreSQL and by SQLite's write lock, so exactly
one of them migrates and the others find the schema current.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import ConfigError
from bot.storage.errors import StorageUnavailable as StorageUnavailable

log = logging.getLogger(__name__)

_MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Long enough to ride out a burst of writers (each holds the lock for milliseconds), short enough
# that a wedged process shows up as an error rather than a hung web request.
_SQLITE_BUSY_TIMEOUT_MS = 30_000
_POSTGRES_CONNECT_TIMEOUT_S = 10
_POSTGRES_RECYCLE_S = 300
_POSTGRES_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}
# Any fixed 64-bit number works; every privacybot process must use the same one.
_MIGRATION_LOCK_KEY = 0x7072_6976_6163_7962  # "privacyb"


def database_url(url: str) -> URL:
    """Parse `url`, pointing every PostgreSQL spelling at the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise ConfigError("DATABASE_URL: not a database URL") from error
    # Heroku-style `postgres://` and plain `postgresql://` would otherwise pick psycopg2, which
    # is not installed.
    if parsed.drivername in {"postgres", "postgresql"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str) -> Engine:
    """Create an engine for `url`: SQLite tuned for many concurrent writers, or PostgreSQL.

    Parameters are hidden from SQLAlchemy's error messages and logs: they are what parents and
    staff wrote (names, request text), and a failed statement must not copy them to a log.
    """
    parsed = database_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        # Without a timeout an unreachable server hangs each request for the OS's TCP timeout.
        connect_args: dict[str, Any] = (
            {}
            if "connect_timeout" in parsed.query
            else {"connect_timeout": _POSTGRES_CONNECT_TIMEOUT_S}
        )
        # No pool_pre_ping: its round trip on every checkout cost about a fifth of a chat
        # message's handler time. Instead pooled connections are recycled before a server or
        # proxy drops them as idle, TCP keepalives notice a dead peer, and a connection that
        # still fails is invalidated by SQLAlchemy (with the rest of the pool), surfaces as
        # StorageUnavailable for that one request, and is replaced on the next.
        connect_args.update(_POSTGRES_KEEPALIVES)
        return create_engine(
            parsed,
            pool_recycle=_POSTGRES_RECYCLE_S,
            connect_args=connect_args,
            hide_parameters=True,
        )
    raise ConfigError(f"DATABASE_URL: {backend} is not supported; use sqlite or postgresql")


def _sqlite_engine(url: URL) -> Engine:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        directory = Path(database).parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageUnavailable(
                f"cannot create the data directory {directory}: {error.strerror}"
            ) from error
    engine = create_engine(url, hide_parameters=True)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's documented recipe: stop pysqlite issuing its own (deferred) BEGIN, so that
    # `_begin_immediate` decides how every transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_TIMEOUT_MS}")
        # WAL lets readers carry on while one writer writes; NORMAL sync is durable in WAL mode.
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    # WAL mode is a property of the file and sticks once set. Switching needs the file to
    # itself, and SQLite answers "database is locked" at once (no busy wait) when several
    # workers open a brand-new file together, so the loser retries until the winner is done.
    deadline = time.monotonic() + _SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode")
            if str(cursor.fetchone()[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _begin_immediate(connection: Connection) -> None:
    # A deferred transaction that reads and then writes must upgrade its lock, and in WAL mode a
    # failed upgrade returns "database is locked" at once, without waiting for busy_timeout.
    # Taking the write lock up front makes every writer queue politely instead. Almost every
    # service call writes (an audit event at least), so nothing is lost by doing it for reads too.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory the request service and the chat intake share."""
    # Objects stay readable after commit, so results can be turned into views outside the session.
    return sessionmaker(engine, expire_on_commit=False)


def engine_of(sessions: sessionmaker[Session]) -> Engine:
    """The engine a session factory was made on (for libraries that want an Engine)."""
    bind = sessions.kw["bind"]
    assert isinstance(bind, Engine)
    return bind


def describe_unavailable(error: BaseException, engine: Engine | None = None) -> str:
    """Return an operator-facing reason for a database failure, without SQL or parameters."""
    # str(error) would include the statement and its parameters (names, request text); the
    # driver's own message says what went wrong with the connection and nothing else.
    cause = getattr(error, "orig", None) or error
    first_line = (str(cause).strip().splitlines() or [""])[0]
    where = f" at {engine.url.render_as_string(hide_password=True)}" if engine else ""
    return f"the ticket database{where} is unavailable: {type(cause).__name__}: {first_line}"


@contextmanager
def storage_errors(engine: Engine | None = None) -> Iterator[None]:
    """Turn connection failures inside the block into StorageUnavailable."""
    try:
        yield
    except (OperationalError, InterfaceError) as error:
        raise StorageUnavailable(describe_unavailable(error, engine)) from error
    except DBAPIError as error:
        if error.connection_invalidated:
            raise StorageUnavailable(describe_unavailable(error, engine)) from error
        raise


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction on a new session; connection failures become StorageUnavailable."""
    with storage_errors(sessions.kw.get("bind")), sessions.begin() as session:
        yield session


def _alembic_config() -> Config:
    # Configured in code so that the top level needs no alembic.ini.
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """Return the newest migration this version of the code ships."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships at least one migration
        raise RuntimeError("no migrations found in bot/migrations")
    return head


def current_revision(engine: Engine) -> str | None:
    """Return the migration the database is at, or None for an empty database."""
    with storage_errors(engine), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ensure_schema(engine: Engine) -> str:
    """Apply pending migrations, one process at a time, and return the revision now in place."""
    config = _alembic_config()
    with storage_errors(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Held until this transaction ends; PostgreSQL's DDL is transactional, so the
            # next worker in line sees either no change or the whole migration.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        revision = MigrationContext.configure(connection).get_current_revision()
    log.info("database schema at revision %s", revision)
    return revision or ""
