"""Signing in and out of the console."""

from __future__ import annotations

import logging
import re
import time

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
WRONG = (
    "That did not work: the email address or the password is wrong, or there have been too "
    "many attempts. Check them and try again in a minute."
)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def safe_next(target: str | None) -> str:
    return target if target and _SAFE_NEXT.fullmatch(target) else HOME_PATH


def login_router(gate: Gate, pages: Pages) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=ConsoleRoute)

    def login_page(
        request: Request,
        session: ConsoleSession,
        *,
        next_page: str,
        email: str = "",
        problem: str | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        response = pages.render(
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
        gate.cookies.write(response, request, session)
        return response

    @router.get("/login", name="console_login")
    def login_form(request: Request, next: str | None = None, out: bool = False) -> Response:
        session = gate.cookies.read(request)
        if session is not None and session.token is not None:
            try:
                gate.staff(request)
            except LoginRequired:  # disabled, or the password changed: sign in again
                pass
            else:
                return RedirectResponse(safe_next(next), status_code=303, headers=NO_STORE)
        # Keep an existing anonymous token, so a second tab's form still works.
        if session is None or session.token is not None:
            session = ConsoleSession.anonymous()
        notice = "You have logged out." if out else None
        return login_page(request, session, next_page=safe_next(next), notice=notice)

    @router.post("/login", name="console_login_submit")
    async def login(request: Request) -> Response:
        form = await Form.read(request)
        session = gate.cookies.read(request)
        next_page = safe_next(form.get("next"))
        email = (form.get("email") or "").strip()
        if session is None or not session.accepts(form.get(CSRF_FIELD)):
            return login_page(
                request,
                ConsoleSession.anonymous(),
                next_page=next_page,
                email=email,
                problem="The login form had expired. Please enter your details again.",
                status=403,
            )
        started = time.monotonic()
        login = normal_email_or_blank(email)
        address = client_address(request)
        try:
            member = await _check(gate, login, form.get("password") or "", address)
        except AccountDisabled:
            problem = "This account has been disabled. Ask an admin if you need access."
            return login_page(
                request, session, next_page=next_page, email=email, problem=problem, status=403
            )
        except LoginFailed:
            await anyio.sleep(max(0.0, started + FAILURE_SECONDS - time.monotonic()))
            return login_page(
                request, session, next_page=next_page, email=email, problem=WRONG, status=401
            )
        token = await run_in_threadpool(gate.sessions.start, member)
        log.info("console login: %s", member.email)
        response = RedirectResponse(next_page, status_code=303, headers=NO_STORE)
        gate.cookies.write(response, request, ConsoleSession.signed_in(token))
        return response

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


async def _check(gate: Gate, login: str, password: str, address: str) -> StaffMember:
    """The password check behind the throttle; raises LoginFailed however the attempt failed."""
    if not await gate.throttle.admit(login, address):
        log.warning("console login refused unchecked (too many attempts) from %s", address)
        raise LoginFailed("too many attempts")
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
