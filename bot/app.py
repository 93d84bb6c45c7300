"""The one web application: the parents' chat now; Slack, Teams and the office console later."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from bot.config import Settings, load_settings
from bot.console import mount_console
from bot.console.letters import UPLOAD_SUFFIX
from bot.conversation.assembly import build_conversation
from bot.conversation.handler import Conversation
from bot.tickets.background import keep_running
from bot.tickets.files import MAX_BYTES
from bot.tickets.mailer import Mailer
from bot.tickets.receipt_store import ReceiptStore
from bot.tickets.school import school_from_settings
from bot.web.access_log import hide_conversation_ids
from bot.web.api import CHAT_API_ROUTES, Chat, api_router
from bot.web.body_limit import BodyLimit
from bot.web.errors import install_error_handlers
from bot.web.feedback import feedback_router
from bot.web.headers import SecurityHeaders, outermost
from bot.web.health import DatabaseCheck, ReadinessCheck, health_router
from bot.web.history import history_router
from bot.web.pages import CHAT_PATH, PageSettings, mount_static, page_templates, pages_router
from bot.web.ratelimit import MemoryLimiter, RateLimiter, RedisLimiter
from bot.web.receipt_routes import receipt_page_router, receipt_router
from bot.web.receipts import Receipts
from bot.web.requester import UPLOAD_PATHS, mount_requester
from bot.web.signing import ConversationIds, secret_key
from bot.web.updates import updates_router
from bot.web.words import PageWords, error_words

log = logging.getLogger(__name__)

# JSON can spend up to 12 bytes on one character (an escaped surrogate pair); the rest is room
# for the other fields. Anything bigger cannot be a real message and is refused unread.
_BYTES_PER_CHAR = 12
_BODY_OVERHEAD = 4096
# Webhooks from Slack and Teams carry more than a chat message, but never this much.
_ANY_BODY = 1024 * 1024
# The web chat's other JSON endpoints take no more than a message does.
_SMALL_BODY_ROUTES = (
    "conversation_transcript",
    "conversation_receipts",
    "email_receipt",
    "answer_feedback",
    "answer_feedback_comment",
)


def create_app(settings: Settings, *, ready: ReadinessCheck | None = None) -> FastAPI:
    """A fresh application on `settings`; `ready` replaces the database readiness check."""
    school = school_from_settings(settings)
    conversation = build_conversation(settings, school=school)
    hide_conversation_ids()
    limiter: RateLimiter = (
        RedisLimiter(settings.redis_url) if settings.redis_url else MemoryLimiter()
    )
    database = DatabaseCheck(settings.resolved_database_url())
    chat = Chat(
        settings=settings,
        conversation=conversation,
        ids=ConversationIds(
            secret_key(settings), lifetime=timedelta(days=settings.transcript_retention_days)
        ),
        limiter=limiter,
        words=error_words(conversation.answers.directory),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sender = (
            asyncio.create_task(keep_running(jobs, settings.letters_interval_seconds))
            if jobs
            else None
        )
        yield
        if sender is not None:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
        await limiter.close()
        database.close()
        if conversation.requests is not None:
            conversation.requests.dispose()

    app = FastAPI(
        title="privacybot",
        summary="Answers questions about the school's pupil privacy notice.",
        version="0.1.0",
        lifespan=lifespan,
        # Swagger UI and ReDoc load their scripts from a CDN, which the CSP rightly blocks, and a
        # school has no use for them: the API is described in /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app, chat.words)
    app.include_router(health_router(ready or database, limiter))
    app.include_router(api_router(chat))
    app.include_router(updates_router(chat))
    _mount_web_chat(app, settings, chat)
    # -- The office console (/console, issue 7): staff triage, figures, the request log. --
    mount_console(app, settings, school, conversation.requests, limiter, conversation=conversation)
    # The requester's status page and secure links, with their background work.
    jobs = mount_requester(app, settings, school, conversation, limiter)
    mount_static(app)
    _mount_configured_channels(app, settings, conversation)
    _guard(app, settings)
    _document_message_limit(app, settings.max_message_chars)
    return app


def _guard(app: FastAPI, settings: Settings) -> None:
    """Body limits by route, and the security headers on every response."""
    chat_body = settings.max_message_chars * _BYTES_PER_CHAR + _BODY_OVERHEAD
    app.add_middleware(
        BodyLimit,
        default_bytes=_ANY_BODY,
        by_path={
            app.url_path_for(name): chat_body for name in (*CHAT_API_ROUTES, *_SMALL_BODY_ROUTES)
        }
        | dict.fromkeys(UPLOAD_PATHS, MAX_BYTES + _BODY_OVERHEAD),
        by_suffix={UPLOAD_SUFFIX: MAX_BYTES + _BODY_OVERHEAD},
    )
    # Outside everything, Starlette's error middleware too: even a 500 carries the headers.
    app.build_middleware_stack = outermost(  # type: ignore[method-assign]
        app.build_middleware_stack,
        lambda inner: SecurityHeaders(
            inner, embed_origins=settings.embed_origins, framed_path=CHAT_PATH
        ),
    )


def _mount_web_chat(app: FastAPI, settings: Settings, chat: Chat) -> None:
    """The chat page and widget, and the endpoints around the conversation: the transcript so
    far, receipts for logged requests, and answer feedback."""
    answers = chat.conversation.answers
    words = PageWords.load(
        answers.directory,
        answers.facts,
        retention_days=settings.transcript_retention_days,
        limit=settings.max_message_chars,
    )
    templates = page_templates()
    page = PageSettings(
        max_chars=settings.max_message_chars,
        retention_days=settings.transcript_retention_days,
        embed_origins=settings.embed_origins,
    )
    app.include_router(history_router(chat))
    key = secret_key(settings)
    intents = {intent.id for intent in chat.conversation.matcher.intents}
    app.include_router(feedback_router(chat, intents, key))
    requests = chat.conversation.requests
    assert requests is not None  # create_app always builds the conversation with its database
    receipts = Receipts(
        ReceiptStore(requests.sessions, requests.messages.kind_label),
        answers,
        key,
        Mailer.from_settings(settings),
    )
    app.include_router(receipt_router(chat, receipts, words))
    app.include_router(receipt_page_router(chat, receipts, words, templates))
    app.include_router(pages_router(templates, words, answers.facts, page))


def _mount_configured_channels(
    app: FastAPI, settings: Settings, conversation: Conversation
) -> None:
    # Imported only when configured: a school without Slack or Teams never loads their SDKs,
    # so their dependencies (and their import-time surprises) cannot stop the web chat.
    if settings.slack_configured():
        from bot.slack.app import mount_slack

        mount_slack(app, settings, conversation)
    if settings.teams_configured():
        from bot.teams.mount import mount_teams

        mount_teams(app, settings, conversation)
    elif settings.teams_triage_conversation_id:
        log.warning("TEAMS_TRIAGE_CONVERSATION_ID is set, but Teams is not (TEAMS_APP_ID)")
    chosen = settings.handoff_platform
    if chosen is not None and settings.resolved_handoff_platform() != chosen:
        log.warning(
            "PRIVACYBOT_HANDOFF_PLATFORM=%s, but %s has no triage channel: parents are given "
            "the office's contact details instead",
            chosen,
            chosen,
        )


def create_app_from_environment() -> FastAPI:
    """For uvicorn's factory mode (several workers): each worker reads the settings itself."""
    return create_app(load_settings())


def _document_message_limit(app: FastAPI, max_chars: int) -> None:
    # The limit is a setting, so the schema learns it here rather than from a class constant.
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            text = schema["components"]["schemas"]["MessageIn"]["properties"]["text"]
            text["maxLength"] = max_chars
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
