"""`privacybot letters send`: acknowledgement emails, for a school whose web app is not running."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from bot.cli.common import Cli, fail, say
from bot.storage.engine import StorageUnavailable
from bot.tickets.acknowledgements import build_acknowledgements
from bot.tickets.school import school_from_settings
from bot.tickets.service import RequestService

letters_app = typer.Typer(help="Letters to requesters.", no_args_is_help=True)


@letters_app.command("send")
def send(
    every: Annotated[
        float | None,
        typer.Option(help="Keep running, checking this many seconds apart (the web app does too)."),
    ] = None,
) -> None:
    """Email an acknowledgement for every request logged with an email address, once each."""
    cli = Cli.start()
    settings = cli.settings
    try:
        school = school_from_settings(settings)
        requests = RequestService.from_settings(settings, school=school)
    except StorageUnavailable as error:
        raise fail(str(error)) from error
    acknowledgements = build_acknowledgements(settings, requests, school)
    if acknowledgements is None:
        raise fail("PRIVACYBOT_SMTP_HOST must be set to send letters", 2)
    while True:
        report = acknowledgements.run_once()
        say(cli.text("letters.sent", sent=report.sent, failed=report.failed))
        if every is None:
            return
        time.sleep(every)
