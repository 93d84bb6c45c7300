"""Alembic's entry point, driven by bot.storage.engine.ensure_schema on its open connection."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.storage.tables import Base

# bot.storage.engine passes its open connection (inside the transaction that holds the migration
# lock), so migrations never open a second connection that could wait on the first.
connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations with `privacybot db upgrade`, not the alembic command")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite can change a table only by copying it; batch mode does that for later migrations.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
