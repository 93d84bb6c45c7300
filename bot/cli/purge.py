"""`privacybot purge`: delete chat transcripts and closed tickets past their retention."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import By, Cli


def purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be deleted, delete nothing.")
    ] = False,
    by: By = None,
) -> None:
    """Delete chat transcripts and closed tickets past their retention periods."""
    cli = Cli.start()
    settings = cli.settings
    with cli.requests() as service:
        report = service.purge(
            actor=cli.acting(by),
            transcript_days=settings.transcript_retention_days,
            closed_ticket_days=settings.closed_ticket_retention_days,
            dry_run=dry_run,
        )
    dry = "_dry_run" if dry_run else ""
    listed = f": {', '.join(report.tickets)}" if report.tickets else ""
    cli.say(
        f"purge.tickets{dry}",
        count=len(report.tickets),
        days=settings.closed_ticket_retention_days,
        listed=listed,
    )
    cli.say(
        f"purge.transcripts{dry}",
        conversations=report.conversations,
        turns=report.turns,
        processed=report.processed_messages,
        days=settings.transcript_retention_days,
    )
