"""`privacybot purge`: delete chat transcripts and closed tickets past their retention."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import By, acting_staff, request_service, say, settings_or_exit


def purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be deleted, delete nothing.")
    ] = False,
    by: By = None,
) -> None:
    """Delete chat transcripts and closed tickets past their retention periods."""
    settings = settings_or_exit()
    with request_service() as service:
        report = service.purge(
            actor=acting_staff(by),
            transcript_days=settings.transcript_retention_days,
            closed_ticket_days=settings.closed_ticket_retention_days,
            dry_run=dry_run,
        )
    verb = "would delete" if dry_run else "deleted"
    listed = f": {', '.join(report.tickets)}" if report.tickets else ""
    say(
        f"{verb} {len(report.tickets)} closed tickets (closed over "
        f"{settings.closed_ticket_retention_days} days ago){listed}"
    )
    say(
        f"{verb} {report.conversations} conversations, {report.turns} transcript lines and "
        f"{report.processed_messages} processed messages (older than "
        f"{settings.transcript_retention_days} days)"
    )
