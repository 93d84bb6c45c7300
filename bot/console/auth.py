"""Who may do what in the console: a signed-in member of staff, their role, a form's CSRF token.

Routes take `Depends(gate.staff)` and, for every POST, `Depends(gate.form)` after it: without a
session the request is sent to the login page; with one, a form without the session's token is
refused (403) before anything is read from it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from bot.console.accounts import StaffAccounts, StaffMember
from bot.console.forms import Form
from bot.console.session import CSRF_FIELD, ConsoleSession, SessionCookies
from bot.console.staff_sessions import StaffSessions
from bot.console.throttle import LoginThrottle
from bot.console.worded import Phrase, Worded
from bot.storage.engine import StorageUnavailable


class LoginRequired(Exception):
    """No valid session: the request is sent to the login page."""


class NotAllowed(Worded):
    """The member of staff's role does not allow this; its words (console.yaml) say who may."""


class BadToken(Exception):
    """A form arrived without its session's CSRF token (forged, or from an expired page)."""


class ConsoleUnavailable(Exception):
    """The ticket database did not answer while serving a console page: 503."""


class ConsoleRoute(APIRoute):
    """A console route: a database outage becomes the console's own error page.

    Only for the console's routes, so the web chat and the staff platforms keep their own way
    of answering when the database is down.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except StorageUnavailable as error:
                raise ConsoleUnavailable from error

        return handle


class Gate:
    """Checks sessions, roles and CSRF tokens for the console's routes."""

    def __init__(
        self,
        accounts: StaffAccounts,
        cookies: SessionCookies,
        sessions: StaffSessions,
        throttle: LoginThrottle,
    ) -> None:
        self.accounts = accounts
        self.cookies = cookies
        self.sessions = sessions
        self.throttle = throttle

    def staff(self, request: Request) -> StaffMember:
        """The signed-in member of staff, read afresh: an ended session is out at once."""
        session = self.cookies.read(request)
        if session is None or session.token is None:
            raise LoginRequired
        member = self.sessions.member(session.token)
        if member is None:
            raise LoginRequired
        request.state.console_session = session
        return member

    async def form(self, request: Request) -> Form:
        """The POSTed form, if it carries the session's CSRF token."""
        form = await Form.read(request)
        session = self.cookies.read(request)
        if session is None or not session.accepts(form.get(CSRF_FIELD)):
            raise BadToken
        return form


def csrf_token(request: Request) -> str:
    """The token for this page's forms (set by Gate.staff on signed-in requests)."""
    session = getattr(request.state, "console_session", None)
    return session.csrf if isinstance(session, ConsoleSession) else ""


def require_record_keeper(staff: StaffMember, task: str) -> None:
    """Only the data protection lead (dpo) or an admin may refuse, export or purge; `task` is
    the refusal's `refused.to.<task>` in console.yaml."""
    if not staff.keeps_the_record:
        raise NotAllowed(
            "refused.record_keeper",
            what=Phrase(f"refused.to.{task}"),
            email=staff.email,
            role=staff.role.value,
        )
