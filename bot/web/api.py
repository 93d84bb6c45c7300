"""The chat API: start a conversation, then send it messages; one handler answers them all."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from bot.config import Settings
from bot.content.wordbook import Wordbook
from bot.conversation.handler import Conversation
from bot.types import Audience, Channel, Message, Reply
from bot.web.errors import ApiProblem, error_responses
from bot.web.ratelimit import RateLimiter, retry_after
from bot.web.schemas import Answered, MessageIn, ReplyOut, Started
from bot.web.signing import ConversationIds, UnknownConversation

# Lone surrogates survive JSON decoding but cannot be encoded again; the handler calls them
# unreadable once they are U+FFFD.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Route names, for url_for and for limits that apply to exactly these routes.
CHAT_API_ROUTES = ("start_conversation", "send_message")


@dataclass(frozen=True)
class Chat:
    """What the API needs, built once by the application factory; `words` are the school's
    error sentences (answers/web_errors.yaml), by error code."""

    settings: Settings
    conversation: Conversation
    ids: ConversationIds
    limiter: RateLimiter
    words: Wordbook

    def problem(
        self, status: int, code: str, headers: dict[str, str] | None = None, **values: object
    ) -> ApiProblem:
        """An error answer whose sentence is the school's words for `code`."""
        return ApiProblem(status, code, self.words.say(code, **values), headers)

    async def limit(self, key: str, limit: int) -> None:
        wait = await self.limiter.hit(key, limit, self.settings.rate_limit_window_seconds)
        if wait is not None:
            raise self.problem(429, "rate_limited", {"Retry-After": retry_after(wait)})

    async def limit_client(self, request: Request) -> None:
        client = request.client.host if request.client else "unknown"
        await self.limit(f"client:{client}", self.settings.rate_limit_per_client)

    def open(self, signed: str) -> str:
        """The conversation id inside `signed`; a 403 the person can act on if it is not ours."""
        try:
            return self.ids.open(signed)
        except UnknownConversation as error:
            raise self.problem(403, "unknown_conversation") from error

    def greeting(self) -> Reply:
        # The first message also says that a machine answers, and what happens to what is typed.
        greeting = self.conversation.greeting(Audience.PUBLIC)
        privacy = self.conversation.answers.render(
            "_web_privacy",
            Audience.PUBLIC,
            retention_days=self.settings.transcript_retention_days,
        )
        # After the hello, before the suggested questions that lead into their buttons.
        hello, _, rest = greeting.text.partition("\n\n")
        return replace(greeting, text="\n\n".join(part for part in (hello, privacy, rest) if part))


def api_router(chat: Chat) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["chat"])

    @router.post(
        "/conversations",
        name="start_conversation",
        status_code=201,
        response_model=Started,
        responses=error_responses(413, 429),
    )
    async def start(request: Request) -> Started:
        """Start a conversation: its signed id and the bot's greeting."""
        await chat.limit_client(request)
        _, signed = chat.ids.mint()
        return Started(conversation_id=signed, reply=ReplyOut.of(chat.greeting()))

    # /api/messages is the Bot Framework's conventional endpoint, and Teams has it.
    @router.post(
        "/chat/messages",
        name="send_message",
        response_model=Answered,
        responses=error_responses(400, 403, 413, 422, 429),
    )
    async def send(request: Request, incoming: MessageIn) -> Answered:
        """Send a message (or a chosen button's value) and get the bot's reply."""
        await chat.limit_client(request)
        conversation_id = chat.open(incoming.conversation_id)
        await chat.limit(
            f"conversation:{conversation_id}", chat.settings.rate_limit_per_conversation
        )
        limit = chat.settings.max_message_chars
        if len(incoming.text) > limit:
            raise chat.problem(
                422, "message_too_long", limit=f"{limit:,}", length=f"{len(incoming.text):,}"
            )
        message = Message(
            channel=Channel.WEB,
            conversation_id=conversation_id,
            text=_SURROGATE.sub("\ufffd", incoming.text),
            received_at=datetime.now(UTC),
            audience=Audience.PUBLIC,
            source_id=f"web:{conversation_id}:{incoming.message_id}"
            if incoming.message_id
            else None,
        )
        # The handler is synchronous and may wait on the database: keep it off the event loop.
        reply = await run_in_threadpool(chat.conversation.handle, message)
        return Answered(reply=ReplyOut.of(reply))

    return router
