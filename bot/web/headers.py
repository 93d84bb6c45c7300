"""Security headers on every response, errors too: CSP, nosniff, referrer, permissions, HSTS."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style anywhere: every script and stylesheet is a file the app serves.
_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
)
# The chat and the console use none of these; a script that got in could not switch them on.
_PERMISSIONS = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "display-capture=(), browsing-topics=()"
)
# A year, as browsers' preload lists expect; sent only over HTTPS, where it means something.
_HSTS = b"max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """Adds the headers; only the chat page may be framed, and only by the configured sites."""

    def __init__(self, app: ASGIApp, *, embed_origins: Iterable[str], framed_path: str) -> None:
        self.app = app
        self.framed_path = framed_path
        static = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", _PERMISSIONS.encode()),
        ]
        ancestors = " ".join(["'self'", *embed_origins])
        self._framed = [(b"content-security-policy", _POLICY.format(ancestors=ancestors).encode())]
        self._unframed = [(b"content-security-policy", _POLICY.format(ancestors="'none'").encode())]
        self._framed += static
        self._unframed += static

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._framed if scope["path"] == self.framed_path else self._unframed
        # Behind a proxy the scheme is the forwarded one (uvicorn trusts FORWARDED_ALLOW_IPS).
        if scope.get("scheme") == "https":
            extra = [*extra, (b"strict-transport-security", _HSTS)]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra:
                    headers.raw.append((name, value))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def outermost(
    build: Callable[[], ASGIApp], wrap: Callable[[ASGIApp], ASGIApp]
) -> Callable[[], ASGIApp]:
    """Wrap the whole middleware stack, outside Starlette's own error middleware.

    Middleware added the usual way sits inside ServerErrorMiddleware, so the 500 page it
    writes would go out without the headers.
    """

    def build_wrapped() -> ASGIApp:
        return wrap(build())

    return build_wrapped
