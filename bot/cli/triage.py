"""`privacybot triage post-open PLATFORM`: post the open tickets to a newly set-up triage channel.

A platform's triage feed starts at the present (bot.tickets.feed), so turning Slack or Teams on
does not replay the school's history into the channel. A school that wants its open tickets there
too runs this once; a ticket already in the channel is never posted again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import typer

from bot.cli.common import Cli, fail
from bot.config import Settings
from bot.content.answers import Answers
from bot.rules.clock import LONDON
from bot.storage.engine import StorageUnavailable
from bot.tickets.feed import TicketFeed
from bot.tickets.service import RequestService

triage_app = typer.Typer(help="The triage channels in Slack and Teams.", no_args_is_help=True)


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"


@triage_app.command("post-open")
def post_open(
    platform: Annotated[
        Platform, typer.Argument(help="The triage channel to fill: slack or teams.")
    ],
) -> None:
    """Post every open ticket that has no message in the platform's triage channel yet, once."""
    cli = Cli.start()
    settings = cli.settings
    try:
        requests = RequestService.from_settings(settings)
    except StorageUnavailable as error:
        raise fail(str(error)) from error
    feed = TicketFeed(requests.sessions, platform.value)
    try:
        posted = (
            _post_slack(settings, feed, requests)
            if platform is Platform.SLACK
            else _post_teams(settings, feed, requests)
        )
    except typer.Exit:
        raise
    except Exception as error:  # the platform or the database: what was posted is recorded
        reason = f"{type(error).__name__}: {error}"
        raise cli.refuse("triage.unfinished", 1, reason=reason) from error
    finally:
        requests.dispose()
    cli.say("triage.posted", platform=platform.value, count=posted)


def _post_slack(settings: Settings, feed: TicketFeed, requests: RequestService) -> int:
    channel = settings.slack_triage_channel
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    if not (channel and token):
        raise fail("set SLACK_BOT_TOKEN and SLACK_TRIAGE_CHANNEL first", 2)
    from bot.slack.app import DEFAULT_API_URL
    from bot.slack.clients import sync_client
    from bot.slack.triage import TriageFeed

    client = sync_client(
        settings.slack_api_url or DEFAULT_API_URL, token, wait_out_rate_limits=True
    )
    triage = TriageFeed(
        feed,
        lambda: client,
        channel,
        _channel_labels(settings),
        lambda: datetime.now(LONDON).date(),
        requests.actions_for,
        requests.messages,
    )
    return triage.post_open()


def _post_teams(settings: Settings, feed: TicketFeed, requests: RequestService) -> int:
    channel = settings.teams_triage_conversation_id
    if not (settings.teams_configured() and channel):
        raise fail("set up the Teams bot and TEAMS_TRIAGE_CONVERSATION_ID first", 2)
    from bot.teams.poster import ChannelPoster
    from bot.teams.sdk import connect
    from bot.teams.triage import TriagePoster

    poster = ChannelPoster(
        connect(settings),
        service_url=settings.teams_service_url,
        tenant_id=settings.teams_tenant_id,
    )
    triage = TriagePoster(
        poster,
        feed,
        channel_id=channel,
        actions_for=requests.actions_for,
        messages=requests.messages,
    )
    return asyncio.run(triage.post_open())


def _channel_labels(settings: Settings) -> Mapping[str, Any]:
    labels = Answers(settings.answers_dir).buttons.get("channel")
    return labels if isinstance(labels, Mapping) else {}
