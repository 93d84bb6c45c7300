"""The conversation so far, so a reloaded chat page (or a phone's discarded tab) carries on."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from bot.conversation.handoff_store import STAFF, HandoffStore
from bot.conversation.store import ConversationStore
from bot.storage.engine import StorageUnavailable
from bot.types import Reply
from bot.web.api import Chat
from bot.web.errors import error_responses
from bot.web.guards import database, guarded_conversation, unavailable
from bot.web.schemas import ReplyOut

PERSON = "person"


class Resume(BaseModel):
    conversation_id: str = Field(description="The signed id the conversation was started with.")


class Turn(BaseModel):
    role: str = Field(description="person, bot or staff.")
    text: str = Field(description="What was said; a chosen button shows as its label.")
    reply: ReplyOut | None = Field(
        description="For the bot's and staff's turns: the reply as first shown."
    )


class Transcript(BaseModel):
    greeting: ReplyOut
    turns: list[Turn]
    staff_after: int = Field(description="The newest staff reply's id, for the updates poll.")
    handoff_open: bool = Field(description="Whether someone from the school has the chat now.")


def history_router(chat: Chat) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["chat"])

    @router.post(
        "/conversations/transcript",
        name="conversation_transcript",
        response_model=Transcript,
        responses=error_responses(400, 403, 404, 413, 422, 429, 503),
    )
    async def transcript(request: Request, asked: Resume) -> Transcript:
        """The greeting and every turn so far, for the device that holds the signed id."""
        conversation_id = await guarded_conversation(
            chat, request, asked.conversation_id, "transcript"
        )
        sessions = database(chat)
        # Built with the database (bot/conversation/assembly.py), on the same sessions.
        store = chat.conversation.store
        assert store is not None
        try:
            turns, staff_after = await run_in_threadpool(read_turns, store, conversation_id)
            handoff = await run_in_threadpool(HandoffStore(sessions).current, conversation_id)
        except StorageUnavailable as error:
            raise unavailable(chat) from error
        if not turns:
            # Never saved, or purged under the retention period: there is nothing to carry on.
            raise chat.problem(404, "no_transcript")
        return Transcript(
            greeting=ReplyOut.of(chat.greeting()),
            turns=turns,
            staff_after=staff_after,
            handoff_open=handoff is not None,
        )

    return router


def read_turns(store: ConversationStore, conversation_id: str) -> tuple[list[Turn], int]:
    """The turns in order, with each bot turn's reply (buttons, match) where it was kept."""
    rows, replies = store.history(conversation_id)
    turns: list[Turn] = []
    offered: Reply | None = None
    staff_after = 0
    for turn_id, role, text in rows:
        if role == PERSON:
            turns.append(Turn(role=role, text=_as_shown(text, offered), reply=None))
        elif role == STAFF:
            staff_after = max(staff_after, turn_id)
            turns.append(Turn(role=role, text=text, reply=ReplyOut.of(Reply(text))))
        else:
            offered = _kept_reply(text, replies)
            turns.append(Turn(role=role, text=text, reply=ReplyOut.of(offered)))
    return turns, staff_after


def _kept_reply(text: str, replies: list[Reply]) -> Reply:
    """The kept reply with this text (taken in order), or the bare text if none was kept."""
    for index, reply in enumerate(replies):
        if reply.text == text:
            del replies[: index + 1]
            return reply
    return Reply(text)


def _as_shown(text: str, offered: Reply | None) -> str:
    """A chosen button's value back as the label the person clicked."""
    choices: Sequence[tuple[str, str]] = (
        [(c.value, c.label) for c in offered.choices] if offered else []
    )
    return next((label for value, label in choices if value == text), text)
