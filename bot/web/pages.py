"""The chat page, the widget loader and their static assets, all served by the app itself."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

_HERE = Path(__file__).parent
STATIC_DIR = _HERE / "static"
TEMPLATES_DIR = _HERE / "templates"
CHAT_PATH = "/chat"


def pages_router(facts: Mapping[str, Any], max_chars: int) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    # Autoescape: the school's name and contact come from a file anyone at the school may edit.
    templates = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    chat_page = templates.get_template("chat.html")
    contact = facts.get("contact", {})

    @router.api_route(CHAT_PATH, methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def chat(request: Request, embed: bool = False) -> HTMLResponse:
        html = chat_page.render(
            school_name=facts["school"]["name"],
            contact_email=contact.get("email"),
            contact_phone=contact.get("phone"),
            max_chars=max_chars,
            embed=embed,
            icon_url=request.url_for("static", path="favicon.svg").path,
            css_url=request.url_for("static", path="chat.css").path,
            js_url=request.url_for("static", path="chat.js").path,
            start_url=request.url_for("start_conversation").path,
            message_url=request.url_for("send_message").path,
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-cache"})

    @router.api_route("/widget.js", methods=["GET", "HEAD"])
    async def widget() -> FileResponse:
        # Loaded by other sites on every page view: cached briefly, so an update arrives soon.
        return FileResponse(
            STATIC_DIR / "widget.js",
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=300"},
        )

    return router


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
