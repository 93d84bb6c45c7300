"""`privacybot slack-socket`: the Slack app over Socket Mode, for schools with no public URL.

Slack is reached by an outgoing WebSocket (an app-level xapp- token), so nothing needs to be
exposed to the internet. The process also keeps the triage channel up to date. The web chat still
runs under `privacybot serve`; both share the database, so hand-offs work across the two.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from bot.config import ConfigError, load_settings
from bot.content.errors import ContentError
from bot.conversation.assembly import build_conversation
from bot.storage.engine import StorageUnavailable

if TYPE_CHECKING:
    from bot.slack.app import SlackChannel

errors = Console(stderr=True)


def slack_socket() -> None:
    """Run the Slack app over Socket Mode (no public URL needed), and the triage feed."""
    # Imported here so the other commands start without loading Bolt.
    from bot.slack.app import build_slack

    try:
        settings = load_settings()
        conversation = build_conversation(settings)
        slack = build_slack(settings, conversation, socket=True)
    except (ConfigError, ContentError, StorageUnavailable) as error:
        errors.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from error
    assert settings.slack_app_token is not None  # build_slack checked it
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        asyncio.run(_serve(slack, settings.slack_app_token.get_secret_value()))
    except KeyboardInterrupt:
        pass
    finally:
        if conversation.requests is not None:
            conversation.requests.dispose()


async def _serve(slack: SlackChannel, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(slack.bolt, app_token.strip())
    async with slack.running():
        try:
            await handler.start_async()  # type: ignore[no-untyped-call]
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]
