"""The checks every chat endpoint makes: the client's rate, a signed id, the database at hand."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from bot.web.api import Chat
from bot.web.errors import ApiProblem


async def guarded_conversation(chat: Chat, request: Request, signed: str, bucket: str) -> str:
    """The conversation id inside `signed`, after the per-client and per-conversation limits.

    `bucket` names the per-conversation budget, so feedback or a reload never eats into the
    messages a person may send.
    """
    await chat.limit_client(request)
    conversation_id = chat.open(signed)
    await chat.limit(f"{bucket}:{conversation_id}", chat.settings.rate_limit_per_conversation)
    return conversation_id


def database(chat: Chat) -> sessionmaker[Session]:
    """The database's sessions, or a 503 when the app runs without one."""
    requests = chat.conversation.requests
    if requests is None:
        raise unavailable(chat)
    return requests.sessions


def unavailable(chat: Chat) -> ApiProblem:
    return chat.problem(503, "unavailable")
