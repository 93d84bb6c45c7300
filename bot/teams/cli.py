"""`privacybot teams ...`: the Teams app package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.config import ConfigError, load_settings
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
        written = write_package(settings, school_from_settings(settings), output)
    except (ConfigError, ContentError, PackageError, OSError) as error:
        errors.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from error
    print(f"wrote {written} (Teams app manifest v{SCHEMA_VERSION}, with its two icons)")
