"""What every `privacybot` command shares: errors as one line, its settings and words, who is
acting, parsing input."""

from __future__ import annotations

import getpass
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from bot.config import ConfigError, Settings, load_settings
from bot.content.cli_words import cli_words
from bot.content.errors import ContentError
from bot.content.wordbook import Wordbook
from bot.rules.clock import LONDON
from bot.rules.lifecycle import TicketError
from bot.storage.errors import StorageUnavailable

if TYPE_CHECKING:
    from bot.tickets.service import RequestService, TicketView

log = logging.getLogger(__name__)

console = Console()
errors = Console(stderr=True)

E = TypeVar("E", bound=StrEnum)

By = Annotated[
    str | None,
    typer.Option("--by", help="Who is acting, for the audit trail (default: your login name)."),
]
On = Annotated[
    str | None, typer.Option("--on", help="The day it happened, YYYY-MM-DD (default: today).")
]
Reference = Annotated[str, typer.Argument(help="The ticket reference, e.g. SAR-2026-0042.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error and return the exit to raise (2: bad input, 1: could not do it)."""
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def settings_or_exit() -> Settings:
    """The settings, or a one-line error naming the bad one (exit 2)."""
    try:
        return load_settings()
    except ConfigError as error:
        raise fail(str(error), 2) from error


@dataclass(frozen=True)
class Cli:
    """One command's settings and the school's words for what it prints (answers/cli.yaml)."""

    settings: Settings
    words: Wordbook

    @classmethod
    def start(cls) -> Cli:
        """The settings and words, or a one-line error naming the bad setting or missing key."""
        settings = settings_or_exit()
        try:
            return cls(settings, cli_words(settings.answers_dir))
        except ContentError as error:
            raise fail(str(error), 2) from error

    def text(self, key: str, **values: object) -> str:
        return self.words.say(key, **values)

    def say(self, key: str, **values: object) -> None:
        say(self.words.say(key, **values))

    def refuse(self, key: str, code: int = 2, **values: object) -> typer.Exit:
        """A one-line error in the school's words, and the exit to raise."""
        return fail(self.words.say(key, **values), code)

    @contextmanager
    def requests(self) -> Iterator[RequestService]:
        """Open the request service, turning every expected failure into a one-line error."""
        # Imported here: SQLAlchemy and Alembic are for the ticket commands, not for `classify`.
        from bot.tickets.service import RequestService

        try:
            service = RequestService.from_settings(self.settings)
        except ConfigError as error:
            raise fail(str(error), 2) from error
        except StorageUnavailable as error:
            log.error("%s", error)
            raise fail(str(error)) from error
        try:
            yield service
        except TicketError as error:
            raise fail(str(error)) from error
        except StorageUnavailable as error:
            log.error("%s", error)
            raise fail(str(error)) from error
        finally:
            service.dispose()

    def acting(self, by: str | None) -> str:
        """Who is acting, for the audit trail: --by, or the login name."""
        if by and by.strip():
            return by.strip()
        try:
            return getpass.getuser()
        except (OSError, KeyError) as error:  # no login name in some containers
            raise self.refuse("refused.who") from error

    def choice(self, enum: type[E], value: str, what: str) -> E:
        """Parse an enum value, forgiving case and hyphens, or refuse with `refused.<what>`."""
        try:
            return enum(value.strip().lower().replace("-", "_"))
        except ValueError:
            accepted = ", ".join(member.value for member in enum)
            raise self.refuse(f"refused.{what}", value=repr(value), accepted=accepted) from None

    def parse_date(self, value: str, option: str) -> date:
        """Parse YYYY-MM-DD, or refuse saying how to write it."""
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise self.refuse("refused.not_a_date", option=option, value=repr(value)) from None

    def optional_date(self, value: str | None, option: str) -> date | None:
        """Parse an optional --on style date."""
        return None if value is None else self.parse_date(value, option)

    def received(self, value: str) -> datetime:
        """A date (the start of that day in London) or a date and time (London if no zone)."""
        text = value.strip()
        try:
            return datetime.combine(date.fromisoformat(text), time(), LONDON)
        except ValueError:
            pass
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise self.refuse("refused.received", value=repr(value)) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)

    def summary(self, view: TicketView) -> str:
        """One line for a worked ticket: reference, status, due date and whether the clock waits."""
        clock = "paused" if view.paused else "late" if view.late_restart else "running"
        return self.text(
            f"summary.{clock}", reference=view.reference, status=view.status, due=view.due_date
        )


def say(text: str) -> None:
    """Print plain text: names and notes are never read as rich markup."""
    console.print(text, highlight=False, markup=False, soft_wrap=True)
