"""The console's cookie: a session token and the CSRF token every form must send back.

A signed-in cookie carries a random token that names a session kept on the server
(bot/console/staff_sessions.py), which logout, disabling, a password reset or a role change
delete. An anonymous cookie (the login form's) carries only the CSRF token. The cookie is signed,
so a forged one is ignored; it expires a fixed time after sign-in however busy the session is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "privacybot_console"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class ConsoleSession:
    """A browser's session: anonymous (the login form's token only) or signed in."""

    csrf: str
    token: str | None = None

    @classmethod
    def anonymous(cls) -> ConsoleSession:
        return cls(csrf=secrets.token_urlsafe(32))

    @classmethod
    def signed_in(cls, token: str) -> ConsoleSession:
        # A fresh CSRF token at sign-in: one planted before it (session fixation) is worthless.
        return cls(csrf=secrets.token_urlsafe(32), token=token)

    def accepts(self, token: str | None) -> bool:
        """Return whether a submitted form carries this session's token."""
        return token is not None and secrets.compare_digest(token.encode(), self.csrf.encode())


class SessionCookies:
    """Reads and writes the session cookie; only under `path`, never readable by script."""

    def __init__(self, secret: str, *, lifetime: timedelta, path: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="privacybot.console.session")
        self.lifetime = lifetime
        self.path = path

    def read(self, request: Request) -> ConsoleSession | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self._serializer.loads(raw, max_age=int(self.lifetime.total_seconds()))
        except BadSignature:  # tampered with, another key, or expired (a subclass)
            return None
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return None
        token = data.get("session")
        return ConsoleSession(csrf=data["csrf"], token=token if isinstance(token, str) else None)

    def write(self, response: Response, request: Request, session: ConsoleSession) -> None:
        response.set_cookie(
            COOKIE,
            self._serializer.dumps({"csrf": session.csrf, "session": session.token}),
            max_age=int(self.lifetime.total_seconds()),
            path=self.path,
            # Behind a proxy this is the forwarded scheme (uvicorn trusts FORWARDED_ALLOW_IPS).
            secure=request.url.scheme == "https",
            httponly=True,
            # Lax still sends the cookie when staff follow a link to a ticket from an email;
            # the CSRF token guards every change.
            samesite="lax",
        )

    def clear(self, response: Response, request: Request) -> None:
        response.delete_cookie(
            COOKIE,
            path=self.path,
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="lax",
        )
