"""Rendering the console's pages: one Jinja environment and the small helpers templates use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from bot.console.accounts import StaffMember
from bot.console.auth import csrf_token
from bot.console.worded import Worded
from bot.console.wording import Wording, long_date
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


def due_badge(ticket: TicketView, today: date, labels: Wordbook) -> Badge:
    """The badge in the school's words (`badge.*` in console_labels.yaml).

    Not the due words of Slack and Teams (triage.yaml's `due.*`): those carry the date, and the
    console shows the date in its own column; the badge says only how the clock stands.
    """
    if ticket.closed:
        return Badge(labels.say("badge.closed"), "closed")
    if ticket.paused:
        return Badge(labels.say(f"badge.paused.{ticket.status.value}"), "paused")
    left = ticket.days_left(today)
    if left < 0:
        clock, tone = labels.say_counted("badge.overdue", -left, days=-left), "overdue"
    elif left == 0:
        clock, tone = labels.say("badge.due_today"), "soon"
    else:
        clock, tone = (
            labels.say_counted("badge.left", left, days=left),
            "soon" if left <= 7 else "ok",
        )
    return Badge(labels.say("badge.extended", clock=clock) if ticket.extended else clock, tone)


def capitalised(text: str) -> str:
    """A message that starts in lower case (the CLI prints it after "error:") as a sentence; one
    that starts with an email address keeps it as it is written."""
    if "@" in text.split(" ", 1)[0]:
        return text
    return text[:1].upper() + text[1:]


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

    def __init__(
        self, phrases: Wordbook, labels: Wordbook, kind_label: Callable[[TicketKind], str]
    ) -> None:
        # What the console says (console.yaml) and the words beside its records
        # (console_labels.yaml), both from the school's answers folder.
        self.phrases = phrases
        self.labels = labels
        self.wording = Wording(labels)
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
            long_moment=self.wording.long_moment,
            long_date=long_date,
            period=self.wording.period,
            stored=self.wording.stored_value,
        )
        self._env.globals.update(due_badge=partial(due_badge, labels=labels))

    def problem(self, error: Exception) -> str:
        """What went wrong, for the top of a page: the school's words for the console's own
        problems; the request service's (a TicketError) as it gives them."""
        return error.say(self.phrases) if isinstance(error, Worded) else str(error)

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
