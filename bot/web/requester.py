"""The requester's side of the web app: the status page, the response's secure link, and the
background work that serves them (acknowledgements, removing purged files)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from bot.config import Settings
from bot.content.school import School
from bot.conversation.handler import Conversation
from bot.tickets.access_codes import AccessCodes
from bot.tickets.acknowledgements import build_acknowledgements
from bot.tickets.delivery import Deliveries, load_checklist
from bot.tickets.files import Files, file_key
from bot.tickets.mailer import Mailer
from bot.tickets.service import RequestService, TicketView
from bot.web.downloads import DOWNLOAD_PATH, DownloadPage, downloads_router
from bot.web.pages import TEMPLATES_DIR
from bot.web.ratelimit import RateLimiter
from bot.web.signing import secret_key
from bot.web.status import STATUS_PATH, build_status_page, status_router

# Paths that take a whole document, not a chat message: the body limit lets these through.
UPLOAD_PATHS = (f"{STATUS_PATH}/id",)


def files_of(settings: Settings, requests: RequestService) -> Files:
    """The encrypted file store: PRIVACYBOT_FILES_KEY, or a key derived from the secret key."""
    key = (
        settings.files_key.get_secret_value().encode()
        if settings.files_key is not None
        else file_key(secret_key(settings))
    )
    return Files(
        requests.sessions, settings.data_dir / "files", key, problems=requests.messages.problems
    )


def deliveries_of(settings: Settings, school: School, requests: RequestService) -> Deliveries:
    return Deliveries(
        requests.sessions,
        secret_key(settings),
        load_checklist(school.answers_dir),
        link_days=settings.response_link_days,
        problems=requests.messages.problems,
    )


def mount_requester(
    app: FastAPI,
    settings: Settings,
    school: School,
    conversation: Conversation,
    limiter: RateLimiter,
) -> list[Callable[[], object]]:
    """Add the requester's pages to `app`; returns the jobs to run in the background."""
    requests = conversation.requests
    if requests is None:
        return []
    secret = secret_key(settings)
    files = files_of(settings, requests)
    status = build_status_page(
        codes=AccessCodes(requests.sessions, secret),
        answers_dir=school.answers_dir,
        facts=school.facts,
        mailer=Mailer.from_settings(settings),
        limiter=limiter,
        secret=secret,
        templates_dir=TEMPLATES_DIR,
        files=files,
        requests=requests,
    )
    app.include_router(status_router(status))
    app.include_router(
        downloads_router(DownloadPage(status, deliveries_of(settings, school, requests), files))
    )
    jobs: list[Callable[[], object]] = [files.sweep]
    acknowledgements = build_acknowledgements(settings, requests, school)
    if acknowledgements is not None:
        jobs.insert(0, acknowledgements.run_once)
        # A request logged in the chat is queued at once, so its receipt can say a copy is on
        # its way; the background round sends it.
        queue = acknowledgements.queue_new

        def queue_at_once(_ticket: TicketView) -> None:
            queue()

        conversation.ticket_listeners.append(queue_at_once)
    return jobs


__all__ = ["DOWNLOAD_PATH", "UPLOAD_PATHS", "files_of", "mount_requester"]
