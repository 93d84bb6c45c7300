"""The school as one object: its notice facts, content folders, calendar, contacts and type."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.content.answers import DEFAULT_BOT_DATA, FACTS_FILE, load_facts
from bot.content.errors import ContentError
from bot.rules.deadlines import CalendarError, SchoolCalendar

SCHOOL_TYPES = ("maintained", "academy", "independent")
CALENDAR_FILE = "calendar.yaml"


@dataclass(frozen=True)
class Contacts:
    """How people reach the school about data protection; anything but the email may be empty."""

    email: str
    phone: str | None = None
    office_hours: str | None = None
    dpo: str | None = None


@dataclass(frozen=True)
class School:
    """Everything that makes one school's bot its own, passed in rather than read from globals.

    One deployment serving several schools holds one of these per school.
    """

    name: str
    school_type: str
    facts: Mapping[str, Any]
    contacts: Contacts
    intents_dir: Path
    answers_dir: Path
    # None when the school has no term dates yet: only educational-record deadlines need them.
    calendar: SchoolCalendar | None
    # How long the bot keeps chat transcripts and closed tickets, for the chat's own privacy answer.
    transcript_retention_days: int = DEFAULT_BOT_DATA["transcript_days"]
    closed_ticket_retention_days: int = DEFAULT_BOT_DATA["closed_ticket_days"]


def load_school(
    intents_dir: Path,
    answers_dir: Path,
    *,
    calendar_file: Path | None = None,
    transcript_retention_days: int = DEFAULT_BOT_DATA["transcript_days"],
    closed_ticket_retention_days: int = DEFAULT_BOT_DATA["closed_ticket_days"],
) -> School:
    """Read the school from its folders; a named calendar file must exist, the default may not."""
    facts = load_facts(answers_dir / FACTS_FILE)
    school = _section(facts, "school", answers_dir / FACTS_FILE)
    school_type = school.get("school_type")
    if school_type not in SCHOOL_TYPES:
        raise ContentError(
            f"{answers_dir / FACTS_FILE}: school.school_type must be one of "
            f"{', '.join(SCHOOL_TYPES)}"
        )
    contact = _section(facts, "contact", answers_dir / FACTS_FILE)
    return School(
        name=str(school.get("name") or ""),
        school_type=str(school_type),
        facts=facts,
        contacts=Contacts(
            email=str(contact.get("email") or ""),
            phone=_optional(contact.get("phone")),
            office_hours=_optional(contact.get("office_hours")),
            dpo=_optional(contact.get("dpo")),
        ),
        intents_dir=intents_dir,
        answers_dir=answers_dir,
        calendar=load_calendar(
            calendar_file or answers_dir / CALENDAR_FILE, required=calendar_file is not None
        ),
        transcript_retention_days=transcript_retention_days,
        closed_ticket_retention_days=closed_ticket_retention_days,
    )


def load_calendar(path: Path, *, required: bool) -> SchoolCalendar | None:
    """Read the school's term dates; a missing default file only matters for educational records."""
    if not path.exists() and not required:
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ContentError(f"{path}: cannot read the school calendar ({error})") from error
    if not isinstance(data, dict):
        raise ContentError(f"{path}: the school calendar needs 'terms' and 'closures'")
    try:
        return SchoolCalendar.from_mapping(data)
    except CalendarError as error:
        raise ContentError(f"{path}: {error}") from error


def _section(facts: Mapping[str, Any], key: str, where: Path) -> Mapping[str, Any]:
    value = facts.get(key)
    if not isinstance(value, Mapping):
        raise ContentError(f"{where}: '{key}' must hold keys such as name and email")
    return value


def _optional(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None
