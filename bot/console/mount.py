"""Mount the office console on the application: its routes, its static files, its error pages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from bot.config import ConfigError, Settings
from bot.console.accounts import StaffAccounts
from bot.console.admin import admin_router
from bot.console.auth import BadToken, ConsoleUnavailable, Gate, LoginRequired, NotAllowed
from bot.console.intake import intake_router
from bot.console.intent_examples import ReloadingMatcher
from bot.console.letters import ResponseTools, letters_router
from bot.console.link_admin import link_router
from bot.console.listing import list_router
from bot.console.login import LOGIN_PATH, login_router
from bot.console.reports import reports_router
from bot.console.session import SessionCookies
from bot.console.staff_sessions import StaffSessions
from bot.console.throttle import LoginThrottle
from bot.console.triage import NoSuchPage, triage_router
from bot.console.unanswered import UnansweredStore
from bot.console.unanswered_pages import UnansweredDesk, unanswered_router
from bot.console.views import NO_STORE, PREFIX, STATIC_DIR, Pages
from bot.content.console_phrases import console_labels, console_phrases
from bot.content.errors import ContentError
from bot.content.school import School
from bot.conversation.assembly import build_matcher
from bot.conversation.handler import Conversation
from bot.rules.clock import london_now
from bot.tickets.correspondence import Correspondence
from bot.tickets.letters import Letters
from bot.tickets.link_words import LinkWords
from bot.tickets.mailer import Mailer
from bot.tickets.search import TicketSearch
from bot.tickets.service import RequestService
from bot.tickets.staff_links import StaffLinks
from bot.web.ratelimit import RateLimiter
from bot.web.requester import deliveries_of, files_of
from bot.web.signing import secret_key

log = logging.getLogger(__name__)


def mount_console(
    app: FastAPI,
    settings: Settings,
    school: School,
    requests: RequestService | None,
    limiter: RateLimiter,
    *,
    today: Callable[[], date] = lambda: london_now().date(),
    conversation: Conversation | None = None,
) -> None:
    """Add /console (staff sign in to triage tickets) to `app`, over the ticket database."""
    if requests is None:
        raise ConfigError("the office console needs the ticket database (DATABASE_URL)")
    cookies = SessionCookies(
        secret_key(settings),
        lifetime=timedelta(hours=settings.console_session_hours),
        path=PREFIX,
    )
    staff_sessions = StaffSessions(requests.sessions, lifetime=cookies.lifetime)
    gate = Gate(StaffAccounts(requests.sessions), cookies, staff_sessions, LoginThrottle(limiter))
    try:
        phrases = console_phrases(school.answers_dir)
        labels = console_labels(school.answers_dir)
    except ContentError as error:
        raise ConfigError(str(error)) from error
    pages = Pages(phrases, labels, requests.messages.kind_label)
    link_words = LinkWords.load(school.answers_dir)
    # The staff page links to the links page in the links page's own words.
    pages.add_globals(link_words=link_words)
    app.include_router(login_router(gate, pages))
    app.include_router(list_router(gate, pages, TicketSearch(requests.sessions), today))
    # Before the ticket page, whose /tickets/{reference} would otherwise take "new".
    app.include_router(intake_router(gate, pages, requests, today))
    app.include_router(triage_router(gate, pages, requests, today))
    app.include_router(reports_router(gate, pages, requests, settings, today))
    tools = ResponseTools(
        files=files_of(settings, requests),
        deliveries=deliveries_of(settings, school, requests),
        public_url=settings.public_url,
    )
    app.include_router(
        letters_router(gate, pages, requests, _correspondence(settings, school, requests), tools)
    )
    app.include_router(admin_router(gate, pages, requests))
    app.include_router(link_router(gate, pages, StaffLinks(requests.sessions), link_words))
    app.include_router(
        unanswered_router(gate, pages, _unanswered_desk(settings, school, requests, conversation))
    )
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC_DIR), name="console_static")
    _install_error_pages(app, pages)


def _correspondence(settings: Settings, school: School, requests: RequestService) -> Correspondence:
    return Correspondence(
        requests,
        Letters(school.answers_dir, school.facts),
        Mailer.from_settings(settings),
        school.answers_dir,
    )


def _unanswered_desk(
    settings: Settings, school: School, requests: RequestService, conversation: Conversation | None
) -> UnansweredDesk:
    """Record the bot's misses, and let examples added in the console reach its matcher."""
    if conversation is None:
        return UnansweredDesk(UnansweredStore(requests.sessions), school.intents_dir, None)
    matcher = ReloadingMatcher(
        conversation.matcher, lambda: build_matcher(settings), school.intents_dir
    )
    conversation.matcher = matcher
    store = UnansweredStore(
        requests.sessions, out_of_scope=matcher.out_of_scope, nearest=matcher.nearest
    )
    conversation.reply_listeners.append(store.record)
    return UnansweredDesk(store, school.intents_dir, matcher)


def _install_error_pages(app: FastAPI, pages: Pages) -> None:
    async def login_required(request: Request, _error: Exception) -> Response:
        target = request.url.path
        if request.method in ("GET", "HEAD") and request.url.query:
            target += f"?{request.url.query}"
        where = f"{LOGIN_PATH}?next={quote(target, safe='/')}"
        return RedirectResponse(where, status_code=303, headers=NO_STORE)

    async def not_allowed(request: Request, error: Exception) -> Response:
        return pages.render(
            request,
            "problem.html",
            staff=None,
            status=403,
            heading=pages.phrases.say("refused.heading"),
            message=pages.problem(error),
        )

    async def bad_token(request: Request, _error: Exception) -> Response:
        return pages.render(
            request,
            "problem.html",
            staff=None,
            status=403,
            heading=pages.phrases.say("problems.form_expired_heading"),
            message=pages.phrases.say("problems.form_expired"),
        )

    async def no_such_page(request: Request, error: Exception) -> Response:
        return pages.render(
            request,
            "problem.html",
            staff=None,
            status=404,
            heading=pages.phrases.say("problems.not_found_heading"),
            message=pages.problem(error),
        )

    async def storage_down(request: Request, error: Exception) -> Response:
        log.error("%s", error.__cause__ or error)
        return pages.render(
            request,
            "problem.html",
            staff=None,
            status=503,
            heading=pages.phrases.say("problems.database_down_heading"),
            message=pages.phrases.say("problems.database_down"),
        )

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(NotAllowed, not_allowed)
    app.add_exception_handler(BadToken, bad_token)
    app.add_exception_handler(NoSuchPage, no_such_page)
    app.add_exception_handler(ConsoleUnavailable, storage_down)
