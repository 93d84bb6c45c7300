"""Linking Slack and Teams users to staff accounts, for admins: /console/staff/links.

Every change goes through the links service (bot.tickets.staff_links), which audits it with the
admin as the actor. The role rules read the links on every change to a ticket, so a user linked
here works tickets from their next click, and a user unlinked here cannot.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.console.accounts import StaffMember
from bot.console.admin import require_admin
from bot.console.auth import ConsoleRoute, Gate
from bot.console.forms import Form
from bot.console.views import NO_STORE, PREFIX, Pages
from bot.tickets.link_words import LinkWords
from bot.tickets.staff_links import (
    PLATFORMS,
    AlreadyLinked,
    BadPlatformUser,
    DisabledStaffAccount,
    LinkProblem,
    StaffLinks,
    UnknownStaffAccount,
    normal_user_id,
)

LINKS_PATH = "/staff/links"
FIELDS = ("platform", "user_id", "email")


@dataclass(frozen=True)
class Problem:
    """What to show at the top of the page, and the field it is about (if any)."""

    field: str | None
    message: str


def field_of(error: LinkProblem) -> str | None:
    """The form field a problem is about, so the page marks it."""
    if isinstance(error, BadPlatformUser):
        return "platform" if error.platform not in PLATFORMS else "user_id"
    if isinstance(error, UnknownStaffAccount | DisabledStaffAccount):
        return "email"
    if isinstance(error, AlreadyLinked):
        return "user_id"
    return None


def link_router(gate: Gate, pages: Pages, links: StaffLinks, words: LinkWords) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=ConsoleRoute)
    page = _LinksPage(gate, pages, links, words)

    @router.get(LINKS_PATH, name="console_staff_links")
    def listing(
        request: Request,
        staff: StaffMember = Depends(gate.staff),
        done: str | None = None,
        platform: str = "",
        user: str = "",
        email: str = "",
    ) -> HTMLResponse:
        require_admin(staff)
        message = None
        if done in ("linked", "unlinked") and platform in PLATFORMS and user and email:
            message = words.say(done, platform=words.platform(platform), user=user, email=email)
        return page(request, staff, done=message)

    @router.post(f"{LINKS_PATH}/add", name="console_staff_link_add")
    async def add(
        request: Request, staff: StaffMember = Depends(gate.staff), form: Form = Depends(gate.form)
    ) -> Response:
        require_admin(staff)
        values = {name: (form.get(name) or "").strip() for name in FIELDS}
        try:
            await run_in_threadpool(
                lambda: links.link(
                    values["email"],
                    values["platform"],
                    values["user_id"],
                    actor=staff.email,
                    replace=False,
                )
            )
        except LinkProblem as error:
            problem = Problem(field_of(error), words.problem_of(error))
            return await run_in_threadpool(page, request, staff, values=values, problem=problem)
        return _done("linked", values["platform"], values["user_id"], values["email"].lower())

    @router.post(f"{LINKS_PATH}/remove", name="console_staff_link_remove")
    async def remove(
        request: Request, staff: StaffMember = Depends(gate.staff), form: Form = Depends(gate.form)
    ) -> Response:
        require_admin(staff)
        platform, user_id = (form.get("platform") or ""), (form.get("user_id") or "")
        try:
            email = await run_in_threadpool(
                lambda: links.unlink(platform, user_id, actor=staff.email)
            )
        except LinkProblem as error:
            problem = Problem(None, words.problem_of(error))
            return await run_in_threadpool(page, request, staff, problem=problem)
        return _done("unlinked", platform, user_id, email)

    return router


@dataclass(frozen=True)
class _LinksPage:
    """The links page as it stands, with what was just done or what went wrong."""

    gate: Gate
    pages: Pages
    links: StaffLinks
    words: LinkWords

    def __call__(
        self,
        request: Request,
        staff: StaffMember,
        *,
        values: dict[str, str] | None = None,
        done: str | None = None,
        problem: Problem | None = None,
    ) -> HTMLResponse:
        return self.pages.render(
            request,
            "staff_links.html",
            staff=staff,
            status=400 if problem else 200,
            section="staff",
            words=self.words,
            links=self.links.links(),
            accounts=[a for a in self.gate.accounts.accounts() if not a.disabled],
            platforms=PLATFORMS,
            values=values or dict.fromkeys(FIELDS, ""),
            done=done,
            problem=problem,
        )


def _done(what: str, platform: str, user_id: str, email: str) -> RedirectResponse:
    # After a change, a fresh GET: reloading the page must not send the form again.
    user = normal_user_id(platform, user_id)
    query = urlencode({"done": what, "platform": platform, "user": user, "email": email})
    return RedirectResponse(f"{PREFIX}{LINKS_PATH}?{query}", status_code=303, headers=NO_STORE)
