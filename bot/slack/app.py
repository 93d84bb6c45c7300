"""The Slack app: a Bolt AsyncApp with the bot's listeners, mounted on the FastAPI application.

HTTP mode serves POST /slack/events (and /slack/install, /slack/oauth_redirect with OAuth);
Socket Mode (bot.slack.socket) runs the same app over a WebSocket. Either way the triage feed runs
in the background, and web chats can be handed to staff in the triage channel.

Listeners use `process_before_response=True` with lazy listeners: the ack function runs before
the HTTP response goes back (fast: acknowledge, or validate a modal), and the slow work starts as
a kept task once Slack has its answer, well within its 3 seconds.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import SecretStr
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web import WebClient
from sqlalchemy import Engine

from bot.config import ConfigError, Settings
from bot.conversation.handler import Conversation
from bot.conversation.handoff import HandoffBridge, HandoffDesk, StaffWords
from bot.conversation.handoff_store import HandoffStore
from bot.slack import asking, threads, ticketing
from bot.slack.bridge import SlackThreads
from bot.slack.clients import async_client, sync_client
from bot.slack.install import ThreadedInstallationStore, ThreadedStateStore
from bot.slack.parts import Parts
from bot.slack.tasks import KeptTasks
from bot.slack.triage import PLATFORM, TriageFeed
from bot.storage.engine import engine_of
from bot.tickets.feed import FeedLoop, TicketFeed

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# Bot scopes asked for at installation; docs/slack-manifest.yaml lists the same.
SCOPES = [
    "app_mentions:read",
    "channels:history",
    "chat:write",
    "commands",
    "groups:history",
    "im:history",
    "users:read",
    # The verified email links a Slack user to their console account, and so to its role.
    "users:read.email",
]
# Work still running at shutdown gets this long to finish.
_DRAIN_SECONDS = 10.0


@dataclass
class SlackChannel:
    """The running Slack side: the Bolt app, what its listeners share, and the feed."""

    bolt: AsyncApp
    parts: Parts
    interval: float
    # The triage feed's loop while the app runs.
    feed_loop: FeedLoop | None = field(default=None, init=False)

    @property
    def tasks(self) -> KeptTasks:
        return self.parts.tasks

    @property
    def triage(self) -> TriageFeed | None:
        return self.parts.triage

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Keep the triage channel up to date while the app serves; finish work on the way out."""
        async with contextlib.AsyncExitStack() as stack:
            if self.triage is not None:
                self.feed_loop = self.triage.loop(self.interval)
                await stack.enter_async_context(self.feed_loop.running())
            try:
                yield
            finally:
                await stack.aclose()
                try:
                    await self.tasks.drain(_DRAIN_SECONDS)
                except TimeoutError:
                    log.warning("Slack: work still running at shutdown was abandoned")


def _secret(value: SecretStr | str | None) -> str | None:
    """The setting's text, or None when it is unset or blank."""
    if value is None:
        return None
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    return text.strip() or None


def _signed(verifier: SignatureVerifier, body: bytes, headers: Mapping[str, str]) -> bool:
    try:
        return verifier.is_valid(
            body=body,
            timestamp=headers.get("X-Slack-Request-Timestamp", ""),
            signature=headers.get("X-Slack-Signature", ""),
        )
    except (ValueError, TypeError):  # a timestamp that is not a number
        return False


def _check(settings: Settings, *, socket: bool) -> None:
    token = _secret(settings.slack_bot_token)
    client_id = _secret(settings.slack_client_id)
    client_secret = _secret(settings.slack_client_secret)
    if bool(client_id) != bool(client_secret):
        raise ConfigError("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: set both, or neither")
    if socket:
        if not token:
            raise ConfigError("SLACK_BOT_TOKEN: Socket Mode needs the bot token (xoxb-...)")
        if not _secret(settings.slack_app_token):
            raise ConfigError("SLACK_APP_TOKEN: Socket Mode needs an app-level token (xapp-...)")
    elif not _secret(settings.slack_signing_secret) and not _secret(settings.slack_app_token):
        raise ConfigError(
            "SLACK_SIGNING_SECRET: needed to check that requests come from Slack "
            "(or set SLACK_APP_TOKEN and run `privacybot slack-socket`)"
        )


def build_slack(settings: Settings, conversation: Conversation, *, socket: bool) -> SlackChannel:
    """The Bolt app and everything around it; the conversation gets the hand-off gateway."""
    _check(settings, socket=socket)
    requests = conversation.requests
    if requests is None:
        raise ConfigError("DATABASE_URL: Slack needs the ticket database")
    api_url = settings.slack_api_url or DEFAULT_API_URL
    token = _secret(settings.slack_bot_token)
    tasks = KeptTasks(log)
    bolt, installations = _bolt(settings, engine_of(requests.sessions), api_url, socket=socket)
    bolt.listener_runner.lazy_listener_runner = tasks

    def bot_token() -> str | None:
        return token or (installations.latest_bot_token() if installations else None)

    def web_client(*, wait_out_rate_limits: bool) -> WebClient:
        return sync_client(api_url, bot_token(), wait_out_rate_limits=wait_out_rate_limits)

    handoffs = HandoffStore(requests.sessions)
    parts = Parts(
        conversation=conversation,
        requests=requests,
        handoffs=handoffs,
        desk=HandoffDesk.speaking(handoffs, conversation.answers),
        words=StaffWords(conversation.answers),
        tasks=tasks,
    )
    channel = settings.slack_triage_channel
    if channel:
        feed = TicketFeed(requests.sessions, PLATFORM)
        feed.start()  # from now on: the channel is not flooded with the tickets of years past
        parts.triage = TriageFeed(
            feed,
            lambda: web_client(wait_out_rate_limits=False),
            channel,
            parts.channel_labels,
            parts.today,
            requests.actions_for,
            requests.messages,
        )
        if settings.resolved_handoff_platform() == PLATFORM:
            slack_threads = SlackThreads(
                lambda: web_client(wait_out_rate_limits=True), channel, parts.words
            )
            conversation.handoff = HandoffBridge(handoffs, slack_threads)
    asking.register(bolt, parts)
    ticketing.register(bolt, parts)
    threads.register(bolt, parts)
    # Last: every other message event (channel chatter, edits) is acknowledged and ignored, so
    # Slack does not count it as a failed delivery and retry it.
    bolt.event("message")(asking.acknowledge)
    return SlackChannel(bolt, parts, settings.slack_triage_interval_seconds)


def _bolt(
    settings: Settings, engine: Engine, api_url: str, *, socket: bool
) -> tuple[AsyncApp, ThreadedInstallationStore | None]:
    """One workspace with a bot token, or installs by OAuth into many (never over a socket)."""
    client_id = _secret(settings.slack_client_id)
    client_secret = _secret(settings.slack_client_secret)
    signing_secret = _secret(settings.slack_signing_secret) or ""
    if not (client_id and client_secret) or socket:
        bolt = AsyncApp(
            signing_secret=signing_secret,
            client=async_client(api_url, _secret(settings.slack_bot_token)),
            process_before_response=True,
            logger=log,
        )
        return bolt, None
    installations = ThreadedInstallationStore(client_id, engine)
    bolt = AsyncApp(
        signing_secret=signing_secret,
        client=async_client(api_url),
        installation_store=installations,
        oauth_settings=AsyncOAuthSettings(
            client_id=client_id,
            client_secret=client_secret,
            scopes=SCOPES,
            installation_store=installations,
            state_store=ThreadedStateStore(engine),
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
        ),
        process_before_response=True,
        logger=log,
    )
    return bolt, installations


def mount_slack(app: FastAPI, settings: Settings, conversation: Conversation) -> None:
    """Serve Slack from `app` when it is configured; otherwise do nothing."""
    if not settings.slack_configured():
        return
    slack = build_slack(settings, conversation, socket=False)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with slack.running():
            yield

    router = APIRouter(lifespan=lifespan, include_in_schema=False)
    signing_secret = _secret(settings.slack_signing_secret)
    if signing_secret:
        handler = AsyncSlackRequestHandler(slack.bolt)
        verifier = SignatureVerifier(signing_secret)

        async def events_endpoint(request: Request) -> Response:
            # Checked here first, so that a malformed request (a timestamp that is not a number,
            # a body that is not JSON) is refused like any unsigned one, not a 500 inside Bolt.
            if not _signed(verifier, await request.body(), request.headers):
                log.warning("Slack request refused: missing, stale or forged signature")
                return Response(status_code=401)
            return await handler.handle(request)

        async def slack_endpoint(request: Request) -> Response:
            return await handler.handle(request)

        router.add_api_route(EVENTS_PATH, events_endpoint, methods=["POST"])
        if slack.bolt.oauth_flow is not None:
            router.add_api_route(INSTALL_PATH, slack_endpoint, methods=["GET"])
            router.add_api_route(REDIRECT_PATH, slack_endpoint, methods=["GET"])
    app.include_router(router)
    app.state.slack = slack
