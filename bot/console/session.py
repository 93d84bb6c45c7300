"""Console sessions in a signed cookie, each carrying its own CSRF token.

The cookie holds who signed in, a fingerprint of their password hash (so a reset ends the
session) and the synchronizer token every form must send back. It is signed, not encrypted: it
holds nothing secret. It expires a fixed time after sign-in however busy the session is.
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
    email: str | None = None
    fingerprint: str | None = None

    @classmethod
    def anonymous(cls) -> ConsoleSession:
        return cls(csrf=secrets.token_urlsafe(32))

    @classmethod
    def signed_in(cls, email: str, fingerprint: str) -> ConsoleSession:
        # A fresh token at sign-in: one planted before it (session fixation) is worthless.
        return cls(csrf=secrets.token_urlsafe(32), email=email, fingerprint=fingerprint)

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
        email, fingerprint = data.get("email"), data.get("fingerprint")
        if not (isinstance(email, str) and isinstance(fingerprint, str)):
            email = fingerprint = None
        return ConsoleSession(csrf=data["csrf"], email=email, fingerprint=fingerprint)

    def write(self, response: Response, request: Request, session: ConsoleSession) -> None:
        response.set_cookie(
            COOKIE,
            self._serializer.dumps(
                {"csrf": session.csrf, "email": session.email, "fingerprint": session.fingerprint}
            ),
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
