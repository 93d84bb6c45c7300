"""The cookie that says a requester opened one request, or one link, with their emailed code.

Signed with the app's secret and salted per use, so a status-page cookie cannot open a download
link; it lasts half an hour, is sent only to its own path, and never to a script.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

OPEN_SECONDS = 30 * 60


@dataclass(frozen=True)
class OpenedCookie:
    name: str
    path: str
    salt: str
    secret: str

    def _signer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt=self.salt)

    def give(self, response: Response, request: Request, opened_id: int) -> None:
        response.set_cookie(
            self.name,
            self._signer().dumps(opened_id),
            max_age=OPEN_SECONDS,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path=self.path,
        )

    def read(self, request: Request) -> int | None:
        """The id the cookie was given for, if it is genuine and still fresh."""
        token = request.cookies.get(self.name)
        if not token:
            return None
        try:
            value = self._signer().loads(token, max_age=OPEN_SECONDS)
        except BadSignature:
            return None
        return value if isinstance(value, int) else None

    def forget(self, response: Response) -> None:
        response.delete_cookie(self.name, path=self.path)
