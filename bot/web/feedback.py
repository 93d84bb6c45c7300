"""'Was this helpful?' under each answer: a vote and an optional comment, tied to no one.

A vote stores the answer's intent, yes or no, an optional comment and the time: never the
conversation's id or anything the person wrote in the chat. The browser gets a signed token for
its vote, so it can add the comment to that vote once, and nothing else.
"""

from __future__ import annotations

from collections.abc import Collection

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from itsdangerous import BadSignature, Signer
from pydantic import BaseModel, Field

from bot.conversation.feedback_store import FeedbackStore
from bot.storage.engine import StorageUnavailable
from bot.web.api import Chat
from bot.web.errors import error_responses
from bot.web.guards import database, guarded_conversation, unavailable

COMMENT_CHARS = 500
BUCKET = "feedback"


class Vote(BaseModel):
    conversation_id: str = Field(description="The signed id the conversation was started with.")
    intent: str | None = Field(
        default=None, max_length=64, description="The answer's intent, from its reply's match."
    )
    helpful: bool


class Voted(BaseModel):
    feedback_token: str = Field(description="Send it with a comment on this vote.")


class Comment(BaseModel):
    conversation_id: str = Field(description="The signed id the conversation was started with.")
    feedback_token: str = Field(max_length=200)
    comment: str = Field(min_length=1, max_length=COMMENT_CHARS)


class Commented(BaseModel):
    saved: bool


def feedback_router(chat: Chat, intents: Collection[str], secret: str) -> APIRouter:
    router = APIRouter(prefix="/api/chat", tags=["chat"])
    signer = Signer(secret, salt="privacybot.web.feedback")

    @router.post(
        "/feedback",
        name="answer_feedback",
        status_code=201,
        response_model=Voted,
        responses=error_responses(400, 403, 413, 422, 429, 503),
    )
    async def vote(request: Request, given: Vote) -> Voted:
        """Record whether an answer helped."""
        await guarded_conversation(chat, request, given.conversation_id, BUCKET)
        if given.intent is not None and given.intent not in intents:
            raise chat.problem(422, "unknown_intent")
        sessions = database(chat)
        try:
            feedback_id = await run_in_threadpool(
                FeedbackStore(sessions).vote, given.intent, given.helpful
            )
        except StorageUnavailable as error:
            raise unavailable(chat) from error
        return Voted(feedback_token=signer.sign(str(feedback_id)).decode("ascii"))

    @router.post(
        "/feedback/comment",
        name="answer_feedback_comment",
        response_model=Commented,
        responses=error_responses(400, 403, 409, 413, 422, 429, 503),
    )
    async def comment(request: Request, given: Comment) -> Commented:
        """Add a comment to a vote this browser made; a vote takes one comment."""
        await guarded_conversation(chat, request, given.conversation_id, BUCKET)
        try:
            feedback_id = int(signer.unsign(given.feedback_token))
        except (BadSignature, ValueError) as error:
            raise chat.problem(403, "unknown_feedback") from error
        text = given.comment.strip()
        if not text:
            raise chat.problem(422, "empty_comment")
        sessions = database(chat)
        try:
            saved = await run_in_threadpool(FeedbackStore(sessions).comment, feedback_id, text)
        except StorageUnavailable as error:
            raise unavailable(chat) from error
        if not saved:
            raise chat.problem(409, "already_commented")
        return Commented(saved=True)

    return router
