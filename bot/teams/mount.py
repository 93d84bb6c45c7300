"""Teams inside the one web application: its messaging endpoint, and the triage poster."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from microsoft_agents.hosting.fastapi import jwt_authorization_decorator
from pydantic import ValidationError

from bot.config import Settings
from bot.conversation.handler import Conversation
from bot.teams.agent import TeamsAgent
from bot.teams.sdk import TeamsConnection, connect
from bot.teams.triage import PLATFORM, TriagePoster
from bot.tickets.feed import TicketFeed

log = logging.getLogger(__name__)

# The Bot Framework's conventional messaging endpoint; the web chat's API is /api/chat/...
MESSAGES_PATH = "/api/messages"


def mount_teams(app: FastAPI, settings: Settings, conversation: Conversation) -> None:
    """Serve the Teams bot at MESSAGES_PATH; does nothing when Teams is not configured."""
    if not settings.teams_configured():
        return
    connection = connect(settings)
    triage = _triage_poster(settings, conversation, connection)
    agent = TeamsAgent(
        personal=conversation,
        # Channels and group chats answer, but never take a request down (bot.teams.agent).
        shared=replace(conversation, requests=None, ticket_listeners=[]),
        tenant_id=settings.teams_tenant_id,
        triage=triage,
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
    app.add_api_route(MESSAGES_PATH, checked, methods=["POST"], include_in_schema=False)
    if triage is not None:
        conversation.ticket_listeners.append(lambda _ticket: triage.nudge())
        _run_alongside(app, triage.run_forever)


def _triage_poster(
    settings: Settings, conversation: Conversation, connection: TeamsConnection
) -> TriagePoster | None:
    channel = settings.teams_triage_conversation_id
    if channel is None:
        return None
    if conversation.requests is None:
        log.warning("TEAMS_TRIAGE_CONVERSATION_ID is set but there is no ticket database")
        return None
    return TriagePoster(
        connection,
        TicketFeed(conversation.requests.sessions, PLATFORM),
        channel_id=channel,
        service_url=settings.teams_service_url,
        tenant_id=settings.teams_tenant_id,
    )


def _run_alongside(app: FastAPI, job: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run `job` while the application serves, around the lifespan it already has."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        async with inner(app_) as state:
            task = asyncio.create_task(job())
            try:
                yield state
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app.router.lifespan_context = lifespan
