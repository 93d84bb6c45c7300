"""`privacybot serve`: the web application under uvicorn."""

from __future__ import annotations

import os
import sys
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from bot.config import ConfigError, Settings, load_settings
from bot.content.errors import ContentError

# Workers import the app by name and build their own; the factory reads the same settings.
APP_FACTORY = "bot.app:create_app_from_environment"

errors = Console(stderr=True)


def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default: HOST, or 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(help="Port to listen on (default: PORT, or 8000).", min=0, max=65535),
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
) -> None:
    """Run the web chat and its API (http://127.0.0.1:8000/chat by default)."""
    # Imported here so the other commands start without loading the web stack.
    import uvicorn

    from bot.app import create_app
    from bot.storage.engine import StorageUnavailable
    from bot.web.signing import secret_key

    try:
        settings = load_settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # Made once here, before any worker starts, so every worker signs with the same key.
        secret_key(settings)
        if workers > 1:
            _check_before_forking(settings)
        else:
            app = create_app(settings)
    except (ConfigError, ContentError, StorageUnavailable, OSError) as error:
        errors.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(2) from error
    host = host or settings.host
    port = settings.port if port is None else port
    if workers > 1:
        _supervise(settings, host, port, workers)
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
    )


def _check_before_forking(settings: Settings) -> None:
    """Fail once, plainly, on what would otherwise crash every worker in turn; migrate once."""
    from bot.content.answers import Answers
    from bot.content.intents import load_intents
    from bot.storage.engine import ensure_schema, make_engine

    load_intents(settings.intents_dir)
    Answers(settings.answers_dir)
    engine = make_engine(settings.resolved_database_url())
    try:
        ensure_schema(engine)
    finally:
        engine.dispose()


def _supervise(settings: Settings, host: str, port: int, workers: int) -> NoReturn:
    # A fresh interpreter supervises the workers: this one has imported the whole CLI, and the
    # supervisor would otherwise keep all of it in memory for the life of the server.
    arguments = [
        *(sys.executable, "-m", "uvicorn", APP_FACTORY, "--factory"),
        *("--host", host, "--port", str(port), "--workers", str(workers)),
        *("--proxy-headers", "--forwarded-allow-ips", settings.forwarded_allow_ips),
        "--no-server-header",
    ]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, arguments)
