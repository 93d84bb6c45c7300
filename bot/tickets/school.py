"""The school's own rules for tickets: its type (maintained, academy, independent), term dates."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.config import ConfigError
from bot.content.answers import load_facts
from bot.content.errors import ContentError
from bot.rules.deadlines import CalendarError, SchoolCalendar

SCHOOL_TYPES = ("maintained", "academy", "independent")


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
    """Read the school's term dates; a missing default file only matters for educational records."""
    if not path.exists() and not required:
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: cannot read the school calendar ({error})") from error
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the school calendar needs 'terms' and 'closures'")
    try:
        return SchoolCalendar.from_mapping(data)
    except CalendarError as error:
        raise ConfigError(f"{path}: {error}") from error
