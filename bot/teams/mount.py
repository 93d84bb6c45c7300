"""Teams inside the one web application: its messaging endpoint, and the triage poster."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from microsoft_agents.hosting.fastapi import jwt_authorization_decorator
from pydantic import ValidationError

from bot.config import Settings
from bot.conversation.handler import Conversation
from bot.conversation.handoff import HandoffBridge, HandoffDesk, StaffWords
from bot.conversation.handoff_store import HandoffStore
from bot.teams.agent import TeamsAgent
from bot.teams.handoff import StaffSide, TeamsThreads
from bot.teams.poster import ChannelPoster
from bot.teams.sdk import connect
from bot.teams.triage import PLATFORM, TriagePoster
from bot.tickets.feed import FeedLoop, TicketFeed
from bot.tickets.messages import TicketMessages

log = logging.getLogger(__name__)

# The Bot Framework's conventional messaging endpoint; the web chat's API is /api/chat/...
MESSAGES_PATH = "/api/messages"


def mount_teams(app: FastAPI, settings: Settings, conversation: Conversation) -> None:
    """Serve the Teams bot at MESSAGES_PATH; does nothing when Teams is not configured."""
    if not settings.teams_configured():
        return
    connection = connect(settings)
    poster = ChannelPoster(
        connection, service_url=settings.teams_service_url, tenant_id=settings.teams_tenant_id
    )
    triage = _triage_poster(settings, conversation, poster)
    staff_side = _take_handoffs(settings, conversation, poster)
    agent = TeamsAgent(
        personal=conversation,
        # Channels and group chats answer, but never take a request down (bot.teams.agent).
        shared=replace(conversation, requests=None, ticket_listeners=[]),
        tenant_id=settings.teams_tenant_id,
        triage=triage,
        staff_side=staff_side,
        words=(
            conversation.requests.messages
            if conversation.requests
            else TicketMessages.load(settings.answers_dir)
        ).triage,
    )
    # The SDK's token check reads its configuration from here.
    app.state.agent_configuration = connection.auth

    async def messages(request: Request) -> Response:
        try:
            response = await connection.adapter.process(request, agent)
        except ValidationError:
            return JSONResponse({"error": "not a Bot Framework activity"}, status_code=400)
        except Exception:
            # Logged for the operator; Teams gets a bare 500 and may retry (replies are
            # idempotent by message id), and nobody in the chat sees a traceback.
            log.exception("Teams activity failed")
            return JSONResponse({"error": "the bot could not handle this"}, status_code=500)
        return response if response is not None else Response(status_code=202)

    # Every request is checked before `messages` runs: no token, or a bad one, is a 401 unless
    # TEAMS_ALLOW_ANONYMOUS (development only; bot.config refuses it in production) lets it in.
    checked = jwt_authorization_decorator(messages)  # type: ignore[no-untyped-call]

    async def endpoint(request: Request) -> Response:
        try:
            response: Response = await checked(request)
        except Exception as error:
            # `messages` handles its own failures, so this is the token check itself failing on
            # a token it cannot read (no `kid`, not a JWT at all): refused, with one log line.
            log.warning("Teams request refused: unreadable token (%s)", type(error).__name__)
            return JSONResponse({"error": "not authorized"}, status_code=401)
        return response

    app.add_api_route(MESSAGES_PATH, endpoint, methods=["POST"], include_in_schema=False)
    if triage is not None:
        conversation.ticket_listeners.append(lambda _ticket: triage.nudge())
    _run_alongside(
        app, poster, triage.loop(settings.teams_triage_interval_seconds) if triage else None
    )


def _triage_poster(
    settings: Settings, conversation: Conversation, poster: ChannelPoster
) -> TriagePoster | None:
    channel = settings.teams_triage_conversation_id
    if channel is None:
        return None
    if conversation.requests is None:
        log.warning("TEAMS_TRIAGE_CONVERSATION_ID is set but there is no ticket database")
        return None
    feed = TicketFeed(conversation.requests.sessions, PLATFORM)
    feed.start()  # from now on: the channel is not flooded with the tickets of years past
    requests = conversation.requests
    return TriagePoster(
        poster,
        feed,
        channel_id=channel,
        actions_for=requests.actions_for,
        messages=requests.messages,
    )


def _take_handoffs(
    settings: Settings, conversation: Conversation, poster: ChannelPoster
) -> StaffSide | None:
    """Make Teams the web chat's hand-off platform, when the settings choose it."""
    channel = settings.teams_triage_conversation_id
    store = conversation.store
    if settings.resolved_handoff_platform() != PLATFORM or channel is None:
        return None
    if conversation.requests is None or store is None:
        return None
    handoffs = HandoffStore(conversation.requests.sessions)
    words = StaffWords(conversation.answers)
    conversation.handoff = HandoffBridge(handoffs, TeamsThreads(poster, channel, words))
    desk = HandoffDesk.speaking(handoffs, conversation.answers)
    return StaffSide(desk, words, store.transcript)


def _run_alongside(app: FastAPI, poster: ChannelPoster, feed: FeedLoop | None) -> None:
    """While the application serves: posts from worker threads use its loop; the feed runs."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        async with inner(app_) as state, contextlib.AsyncExitStack() as stack:
            poster.attach(asyncio.get_running_loop())
            stack.callback(poster.attach, None)
            if feed is not None:
                await stack.enter_async_context(feed.running())
            yield state

    app.router.lifespan_context = lifespan
