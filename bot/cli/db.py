"""`privacybot db`: the ticket database's migrations."""

from __future__ import annotations

import logging

import typer

from bot.cli.common import fail, say, settings_or_exit
from bot.config import ConfigError
from bot.storage.engine import (
    StorageUnavailable,
    current_revision,
    ensure_schema,
    head_revision,
    make_engine,
)

log = logging.getLogger(__name__)

db_app = typer.Typer(help="Manage the ticket database.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations (the server and CLI also do this when they start)."""
    settings = settings_or_exit()
    try:
        engine = make_engine(settings.resolved_database_url())
    except ConfigError as error:
        raise fail(str(error), 2) from error
    except StorageUnavailable as error:
        raise fail(str(error)) from error
    try:
        before = current_revision(engine)
        after = ensure_schema(engine)
    except StorageUnavailable as error:
        log.error("%s", error)
        raise fail(str(error)) from error
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        say(f"{where} is up to date (revision {after})")
    else:
        say(f"{where} upgraded from {before or 'empty'} to {after}")
    if after != head_revision():  # pragma: no cover - only if a migration misbehaves
        raise fail(f"expected revision {head_revision()}, found {after}")
