"""The school a deployment serves, read once from the settings; a problem in it stops start-up."""

from __future__ import annotations

from bot.config import ConfigError, Settings
from bot.content.errors import ContentError
from bot.content.school import School, load_school


def school_from_settings(settings: Settings) -> School:
    """The configured school: facts, content folders, calendar, contacts and type."""
    try:
        return load_school(
            settings.intents_dir,
            settings.answers_dir,
            calendar_file=settings.school_calendar_file,
            transcript_retention_days=settings.transcript_retention_days,
            closed_ticket_retention_days=settings.closed_ticket_retention_days,
        )
    except ContentError as error:
        raise ConfigError(str(error)) from error
