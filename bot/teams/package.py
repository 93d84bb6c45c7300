"""The Teams app package: manifest.json and the two icons, zipped, from the configuration.

An admin uploads the zip in the Teams admin centre (or "Upload a custom app"). The manifest
follows the current schema, v1.30; the required fields and their limits are checked here, so a
bad setting fails on the command line instead of in the upload dialog.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.config import Settings
from bot.content.answers import FACTS_FILE, load_facts
from bot.content.school import School
from bot.teams.icons import color_icon, outline_icon

SCHEMA_VERSION = "1.30"
SCHEMA_URL = f"https://developer.microsoft.com/json-schemas/teams/v{SCHEMA_VERSION}/MicrosoftTeams.schema.json"
ACCENT_COLOR = "#2B5797"
COLOR_ICON = "color.png"
OUTLINE_ICON = "outline.png"
# The schema's limits (v1.30): developer.name 32, name.full 100, description 80 and 4000.
_DEVELOPER_NAME_MAX = 32
_FULL_NAME_MAX = 100
_DESCRIPTION_MAX = (80, 4000)
# The listing's words, which the school may edit.
LISTING_FILE = "teams_app.yaml"


class PackageError(Exception):
    """The package cannot be made from the configuration; the message names what is missing."""


def manifest(settings: Settings, school: School) -> dict[str, Any]:
    """manifest.json for the configured bot, named after the school it serves."""
    app_id = settings.teams_app_id
    if app_id is None:
        raise PackageError(
            "TEAMS_APP_ID is not set: the package needs the bot's app registration (docs/teams.md)"
        )
    website = str(_school(school.facts).get("website") or "")
    if urlsplit(website).scheme not in ("http", "https"):
        raise PackageError(
            f"{school.answers_dir / FACTS_FILE}: school.website must be the school's web "
            "address; the Teams listing links to it"
        )
    name = school.name.strip()
    short, full = _listing(school)
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": SCHEMA_VERSION,
        "version": settings.teams_app_version,
        "id": app_id,
        "developer": {
            "name": _clip(name, _DEVELOPER_NAME_MAX),
            "websiteUrl": website,
            "privacyUrl": website,
            "termsOfUseUrl": website,
        },
        "name": {
            "short": settings.teams_app_name,
            "full": _clip(f"{name} {settings.teams_app_name.lower()}", _FULL_NAME_MAX),
        },
        "description": {
            "short": _clip(short, _DESCRIPTION_MAX[0]),
            "full": _clip(full.format(school=name), _DESCRIPTION_MAX[1]),
        },
        "icons": {"color": COLOR_ICON, "outline": OUTLINE_ICON},
        "accentColor": ACCENT_COLOR,
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team", "groupChat"],
                "isNotificationOnly": False,
                "supportsFiles": False,
            }
        ],
        "validDomains": _valid_domains(settings),
        # Resource-specific consent: the team's owner lets the bot read the triage channel's
        # messages without an @mention, so staff can simply reply in a hand-off thread.
        "webApplicationInfo": {"id": app_id, "resource": f"api://botid-{app_id}"},
        "authorization": {
            "permissions": {
                "resourceSpecific": [{"name": "ChannelMessage.Read.Group", "type": "Application"}]
            }
        },
    }


def write_package(settings: Settings, school: School, destination: Path) -> Path:
    """Write the zip to `destination` and return it."""
    data = manifest(settings, school)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # At the root of the zip, as Teams expects: no folder around them.
        archive.writestr("manifest.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr(COLOR_ICON, color_icon(ACCENT_COLOR))
        archive.writestr(OUTLINE_ICON, outline_icon())
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_bytes(buffer.getvalue())
    return destination


def _listing(school: School) -> tuple[str, str]:
    path = school.answers_dir / LISTING_FILE
    words = load_facts(path)
    short, full = words.get("short"), words.get("full")
    if not isinstance(short, str) or not isinstance(full, str):
        raise PackageError(f"{path}: needs 'short' and 'full', the app's two descriptions")
    return short.strip(), full.strip()


def _school(facts: Mapping[str, Any]) -> Mapping[str, Any]:
    school = facts.get("school")
    return school if isinstance(school, Mapping) else {}


def _valid_domains(settings: Settings) -> list[str]:
    # The bot needs none itself; the web app's own host lets a link to the console open in Teams.
    host = urlsplit(settings.public_url).hostname if settings.public_url else None
    return [host] if host else []


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
