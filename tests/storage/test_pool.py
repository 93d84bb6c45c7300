"""Tests for PostgreSQL connections without pool_pre_ping: a dead connection costs one request."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import make_url, text

from bot.storage.engine import StorageUnavailable, ensure_schema, make_engine, session_factory
from bot.tickets.service import NewRequest, RequestService


@pytest.mark.postgres
def test_a_connection_killed_while_pooled_fails_one_request_then_the_pool_recovers(
    database_url: str, new_request: Callable[..., NewRequest]
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("pooled server connections are PostgreSQL's")
    name = f"pooltest-{uuid.uuid4().hex[:8]}"
    url = make_url(database_url).update_query_dict({"application_name": name})
    engine = make_engine(url.render_as_string(hide_password=False))
    assert engine.pool._pre_ping is False
    ensure_schema(engine)
    service = RequestService(session_factory(engine))
    admin = make_engine(database_url)
    try:
        logged = service.log(new_request(), actor="office")  # leaves a connection in the pool
        with admin.begin() as connection:
            killed = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name"
                ),
                {"name": name},
            ).scalar_one()
        assert killed >= 1
        # The server went away under the pooled connection: that request fails cleanly...
        with pytest.raises(StorageUnavailable):
            service.list_tickets()
        # ...SQLAlchemy invalidated the pool, and the next request gets a fresh connection.
        assert [t.reference for t in service.list_tickets()] == [logged.reference]
    finally:
        service.dispose()
        admin.dispose()
