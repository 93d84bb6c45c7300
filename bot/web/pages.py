"""The chat page, the widget loader and their static assets, all served by the app itself."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from bot.web.words import PageWords

_HERE = Path(__file__).parent
STATIC_DIR = _HERE / "static"
TEMPLATES_DIR = _HERE / "templates"
CHAT_PATH = "/chat"
# widget.js carries this placeholder; the served copy has the widget's settings in its place.
_WIDGET_SETTINGS = "/*PRIVACYBOT_SETTINGS*/ null"
_WIDGET_WORDS = ("launcher", "widget_unavailable", "close", "close_hidden")


@dataclass(frozen=True)
class PageSettings:
    """What the page and the widget need to know besides their words."""

    max_chars: int
    retention_days: int
    embed_origins: Sequence[str]


def page_templates() -> jinja2.Environment:
    # Autoescape: the school's name and contact come from a file anyone at the school may edit.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def pages_router(
    templates: jinja2.Environment,
    words: PageWords,
    facts: Mapping[str, Any],
    settings: PageSettings,
) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    chat_page = templates.get_template("chat.html")
    widget_js = _widget_script(words, settings.embed_origins)

    @router.api_route(CHAT_PATH, methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def chat(request: Request, embed: bool = False) -> HTMLResponse:
        html = chat_page.render(
            school_name=facts["school"]["name"],
            words=words.html,
            max_chars=settings.max_chars,
            retention_days=settings.retention_days,
            embed=embed,
            icon_url=request.url_for("static", path="favicon.svg").path,
            css_url=request.url_for("static", path="chat.css").path,
            js_url=request.url_for("static", path="chat.js").path,
            start_url=request.url_for("start_conversation").path,
            message_url=request.url_for("send_message").path,
            transcript_url=request.url_for("conversation_transcript").path,
            receipts_url=request.url_for("conversation_receipts").path,
            email_receipt_url=request.url_for("email_receipt").path,
            feedback_url=request.url_for("answer_feedback").path,
            feedback_comment_url=request.url_for("answer_feedback_comment").path,
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-cache"})

    @router.api_route("/widget.js", methods=["GET", "HEAD"])
    async def widget() -> Response:
        # Loaded by other sites on every page view: cached briefly, so an update arrives soon.
        return Response(
            widget_js,
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=300"},
        )

    return router


def _widget_script(words: PageWords, origins: Sequence[str]) -> str:
    """widget.js with the sites allowed to frame the chat and the words it shows in place."""
    source = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    if _WIDGET_SETTINGS not in source:
        raise RuntimeError("widget.js has lost its settings placeholder")
    settings = {
        # The same list as the chat page's CSP frame-ancestors: a site not on it gets the
        # office's email instead of a frame the browser refuses to show.
        "allowed_origins": list(origins),
        "words": {key: words.html[key] for key in _WIDGET_WORDS},
    }
    # "</" escaped, in case a page ever inlines the script.
    return source.replace(_WIDGET_SETTINGS, json.dumps(settings).replace("</", "<\\/"))


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
