"""`privacybot teams ...`: the Teams app package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.config import ConfigError, load_settings
from bot.content.cli_words import cli_words
from bot.content.errors import ContentError
from bot.teams.package import SCHEMA_VERSION, PackageError, write_package
from bot.tickets.school import school_from_settings

teams_app = typer.Typer(help="Microsoft Teams: the app package to upload.", no_args_is_help=True)

errors = Console(stderr=True)


@teams_app.command("package")
def package(
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the zip.")] = Path(
        "privacybot-teams.zip"
    ),
) -> None:
    """Write the Teams app package (manifest.json and icons) to upload in Teams."""
    try:
        settings = load_settings()
        school = school_from_settings(settings)
        words = cli_words(school.answers_dir)
        written = write_package(settings, school, output)
    except (ConfigError, ContentError, PackageError, OSError) as error:
        errors.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from error
    print(words.say("teams.written", file=written, version=SCHEMA_VERSION))
