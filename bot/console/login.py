"""Signing in and out of the console."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.console.accounts import AccountDisabled, LoginFailed, StaffMember, normal_email_or_blank
from bot.console.auth import ConsoleRoute, Gate, LoginRequired
from bot.console.forms import Form
from bot.console.session import CSRF_FIELD, ConsoleSession
from bot.console.views import NO_STORE, PREFIX, Pages

log = logging.getLogger(__name__)

LOGIN_PATH = f"{PREFIX}/login"
HOME_PATH = f"{PREFIX}/tickets"
# Only a page of the console itself: `next` must never send anyone to another site.
_SAFE_NEXT = re.compile(rf"{PREFIX}/[A-Za-z0-9/_.\-]*(\?[A-Za-z0-9_=&%.\-+]*)?")


# Every failed login is answered after at least this long, whatever failed (unknown address,
# wrong password, too many attempts): more than an argon2 check takes, so the timing is equal.
FAILURE_SECONDS = 0.75
# At most this many argon2 checks at once in a worker: a flood queues here, on one core,
# instead of taking every core from the parents' chats.
_HASHING = anyio.CapacityLimiter(1)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def safe_next(target: str | None) -> str:
    return target if target and _SAFE_NEXT.fullmatch(target) else HOME_PATH


def login_router(gate: Gate, pages: Pages) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=ConsoleRoute)
    desk = _LoginDesk(gate, pages)
    router.add_api_route("/login", desk.form, methods=["GET"], name="console_login")
    router.add_api_route("/login", desk.sign_in, methods=["POST"], name="console_login_submit")

    @router.post("/logout", name="console_logout")
    def logout(
        request: Request,
        staff: StaffMember = Depends(gate.staff),
        _form: Form = Depends(gate.form),
    ) -> Response:
        session = gate.cookies.read(request)
        if session is not None and session.token is not None:
            # Ended on the server: a copy of the cookie kept elsewhere stops working too.
            gate.sessions.end(session.token)
        response = RedirectResponse(f"{LOGIN_PATH}?out=1", status_code=303, headers=NO_STORE)
        gate.cookies.clear(response, request)
        log.info("console logout: %s", staff.email)
        return response

    return router


@dataclass(frozen=True)
class _LoginDesk:
    """The login form and what happens when it is sent."""

    gate: Gate
    pages: Pages

    def page(
        self,
        request: Request,
        session: ConsoleSession,
        *,
        next_page: str,
        email: str = "",
        problem: str | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        response = self.pages.render(
            request,
            "login.html",
            staff=None,
            status=status,
            csrf=session.csrf,
            next_page=next_page,
            email=email,
            problem=problem,
            notice=notice,
        )
        self.gate.cookies.write(response, request, session)
        return response

    def form(self, request: Request, next: str | None = None, out: bool = False) -> Response:
        session = self.gate.cookies.read(request)
        if session is not None and session.token is not None:
            try:
                self.gate.staff(request)
            except LoginRequired:  # disabled, or the password changed: sign in again
                pass
            else:
                return RedirectResponse(safe_next(next), status_code=303, headers=NO_STORE)
        # Keep an existing anonymous token, so a second tab's form still works.
        if session is None or session.token is not None:
            session = ConsoleSession.anonymous()
        notice = self.pages.phrases.say("login.logged_out") if out else None
        return self.page(request, session, next_page=safe_next(next), notice=notice)

    async def sign_in(self, request: Request) -> Response:
        form = await Form.read(request)
        session = self.gate.cookies.read(request)
        next_page = safe_next(form.get("next"))
        email = (form.get("email") or "").strip()
        say = self.pages.phrases.say
        if session is None or not session.accepts(form.get(CSRF_FIELD)):
            fresh = ConsoleSession.anonymous()
            expired = say("login.expired")
            return self.page(
                request, fresh, next_page=next_page, email=email, problem=expired, status=403
            )
        started = time.monotonic()
        address = client_address(request)
        try:
            login, password = normal_email_or_blank(email), form.get("password") or ""
            member = await _check(self.gate, login, password, address)
        except AccountDisabled:
            disabled = say("login.disabled")
            return self.page(
                request, session, next_page=next_page, email=email, problem=disabled, status=403
            )
        except LoginFailed:
            await anyio.sleep(max(0.0, started + FAILURE_SECONDS - time.monotonic()))
            failed = say("login.failed")
            return self.page(
                request, session, next_page=next_page, email=email, problem=failed, status=401
            )
        token = await run_in_threadpool(self.gate.sessions.start, member)
        log.info("console login: %s", member.email)
        response = RedirectResponse(next_page, status_code=303, headers=NO_STORE)
        self.gate.cookies.write(response, request, ConsoleSession.signed_in(token))
        return response


async def _check(gate: Gate, login: str, password: str, address: str) -> StaffMember:
    """The password check behind the throttle; raises LoginFailed however the attempt failed."""
    if not await gate.throttle.admit(login, address):
        log.warning("console login refused unchecked (too many attempts) from %s", address)
        raise LoginFailed("accounts.too_many_attempts")
    try:
        async with _HASHING:
            return await run_in_threadpool(
                gate.accounts.authenticate, login, password, address=address
            )
    except AccountDisabled:
        raise
    except LoginFailed:
        if await gate.throttle.failed(login, address):
            await run_in_threadpool(gate.accounts.record_login, login, address, "login_delayed")
        raise
