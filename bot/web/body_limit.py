"""Refuse request bodies larger than any real one, before they are read into memory."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.errors import TOO_LARGE, ApiError


class BodyLimit:
    """413 for a body over its path's limit, whether it declares its length or comes in chunks.

    `by_path` holds tighter limits for exact paths (the chat API knows how long a message can
    be); `by_suffix` holds limits for paths ending so (a document upload on any ticket's page);
    every other path, such as a Slack or Teams webhook, gets `default_bytes`.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        default_bytes: int,
        by_path: Mapping[str, int] | None = None,
        by_suffix: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.default_bytes = default_bytes
        self.by_path = dict(by_path or {})
        self.by_suffix = dict(by_suffix or {})

    def limit_for(self, path: str) -> int:
        if path in self.by_path:
            return self.by_path[path]
        ending = next((e for e in self.by_suffix if path.endswith(e)), None)
        return self.by_suffix[ending] if ending is not None else self.default_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        detail = f"The request body is larger than {limit:,} bytes."
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            body = ApiError(error=TOO_LARGE, detail=detail).model_dump()
            await JSONResponse(body, status_code=413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                # An HTTPException passes through FastAPI's body reading to the JSON error handler.
                raise HTTPException(413, detail)
            return message

        await self.app(scope, counted, send)
