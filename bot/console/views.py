"""Rendering the console's pages: one Jinja environment and the small helpers templates use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from bot.console.accounts import StaffMember
from bot.console.auth import csrf_token
from bot.console.wording import long_date, long_moment, period, stored_value
from bot.content.wordbook import Wordbook
from bot.rules.deadlines import TicketKind
from bot.tickets.service import TicketView

PREFIX = "/console"
STATIC_DIR = Path(__file__).parent / "static"
# Ticket pages show personal data: no browser or proxy may keep a copy.
NO_STORE = {"Cache-Control": "no-store"}


@dataclass(frozen=True)
class Badge:
    """How a ticket's clock stands, in words (never colour alone) and a tone for styling."""

    text: str
    tone: str  # overdue, soon, paused, closed, ok


def due_badge(ticket: TicketView, today: date) -> Badge:
    if ticket.closed:
        return Badge("Closed", "closed")
    if ticket.paused:
        waiting = ticket.status.value.removeprefix("awaiting_").replace("_", " ")
        return Badge(f"Paused: awaiting {'ID' if waiting == 'id' else waiting}", "paused")
    left = ticket.days_left(today)
    extended = "Extended, " if ticket.extended else ""
    if left < 0:
        return Badge(f"{extended}{-left} day{_s(-left)} overdue", "overdue")
    if left == 0:
        return Badge(f"{extended}due today", "soon")
    return Badge(f"{extended}{left} day{_s(left)} left", "soon" if left <= 7 else "ok")


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _when(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return moment.strftime("%-d %b %Y, %H:%M")
    return moment.strftime("%-d %b %Y")


def _words(value: object) -> str:
    """An enum value as staff read it: in_progress -> in progress."""
    text = str(getattr(value, "value", value))
    return text.replace("_", " ")


class Pages:
    """Renders templates with what every console page needs."""

    def __init__(self, phrases: Wordbook, kind_label: Callable[[TicketKind], str]) -> None:
        self.phrases = phrases
        self.kind_label = kind_label
        # Autoescape: names, notes and reasons are typed by people.
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters.update(
            when=_when,
            words=_words,
            kind_label=kind_label,
            long_moment=long_moment,
            long_date=long_date,
            period=period,
            stored=stored_value,
        )
        self._env.globals.update(due_badge=due_badge)

    def add_globals(self, **values: Any) -> None:
        """Make `values` available to every template (words a page shares with another)."""
        self._env.globals.update(values)

    def render(
        self,
        request: Request,
        template: str,
        *,
        staff: StaffMember | None,
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        html = self._env.get_template(template).render(
            base=f"{root}{PREFIX}",
            static=f"{root}{PREFIX}/static",
            staff=staff,
            csrf=context.pop("csrf", None) or csrf_token(request),
            **context,
        )
        return HTMLResponse(html, status_code=status, headers=NO_STORE)
