"""Staff replies in a handed-off chat, which the chat page polls for while a person has it."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from bot.content.markup import to_html
from bot.conversation.handoff_store import HandoffStore
from bot.web.api import Chat
from bot.web.errors import error_responses


class StaffReply(BaseModel):
    id: int = Field(description="Ask for replies after this one next time.")
    text: str = Field(description="The reply in the bot's markdown subset.")
    html: str = Field(description="The same reply as HTML that is safe to insert into a page.")


class Updates(BaseModel):
    open: bool = Field(description="Whether someone from the school still has the conversation.")
    replies: list[StaffReply]


# A chat page polls about once every few seconds; a school's network may show many parents
# behind one address, so the per-address budget is several conversations' worth.
_POLLING_CONVERSATIONS_PER_ADDRESS = 4


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def poll_budget(chat: Chat) -> int:
    return chat.settings.rate_limit_per_client * _POLLING_CONVERSATIONS_PER_ADDRESS


def updates_router(chat: Chat) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["chat"])
    requests = chat.conversation.requests
    store = HandoffStore(requests.sessions) if requests is not None else None

    @router.get(
        "/conversations/{conversation_id}/updates",
        name="conversation_updates",
        response_model=Updates,
        responses=error_responses(403, 422, 429),
    )
    async def updates(
        request: Request,
        conversation_id: str,
        # Reply ids are 32-bit integers in every database; a larger `after` would overflow.
        after: int = Query(default=0, ge=0, le=2**31 - 1),
    ) -> Updates:
        """Replies from the school office after reply `after`, and whether they still have it."""
        opened = chat.open(conversation_id)
        # Polling has budgets of its own, so it never eats into the person's messages: one per
        # conversation, and one per client address, so minting ids does not buy more polls.
        await chat.limit(f"updates:{opened}", chat.settings.rate_limit_per_client)
        await chat.limit(f"updates-client:{client_address(request)}", poll_budget(chat))
        if store is None:
            return Updates(open=False, replies=[])
        replies = await run_in_threadpool(store.staff_turns, opened, after)
        handoff = await run_in_threadpool(store.current, opened)
        return Updates(
            open=handoff is not None,
            replies=[StaffReply(id=r.id, text=r.text, html=to_html(r.text)) for r in replies],
        )

    return router
