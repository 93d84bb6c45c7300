"""The school's own rules for tickets: its type (maintained, academy, independent), term dates."""

from __future__ import annotations

from pathlib import Path

from bot.config import ConfigError
from bot.content.answers import load_facts
from bot.content.errors import ContentError
from bot.content.school import SCHOOL_TYPES as SCHOOL_TYPES
from bot.content.school import load_calendar as read_calendar
from bot.rules.deadlines import SchoolCalendar


def load_school_type(facts_file: Path) -> str:
    """Read `school.school_type` from the notice facts: maintained, academy or independent."""
    try:
        facts = load_facts(facts_file)
    except ContentError as error:
        raise ConfigError(str(error)) from error
    school = facts.get("school")
    value = school.get("school_type") if isinstance(school, dict) else None
    if value not in SCHOOL_TYPES:
        raise ConfigError(
            f"{facts_file}: school.school_type must be one of {', '.join(SCHOOL_TYPES)}"
        )
    return str(value)


def load_calendar(path: Path, *, required: bool) -> SchoolCalendar | None:
    """The school's term dates (bot.content.school reads them); a problem stops start-up."""
    try:
        return read_calendar(path, required=required)
    except ContentError as error:
        raise ConfigError(str(error)) from error
