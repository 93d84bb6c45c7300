"""`privacybot teams package`: a zip Teams accepts, checked against the v1.30 manifest schema."""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.teams.package import SCHEMA_VERSION

APP_ID = "3f1d2c4b-5a69-4e7d-8c0b-1a2b3c4d5e6f"
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
HTTP_URL = re.compile(r"^[Hh][Tt][Tt][Pp][Ss]?://")
# From https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.schema.json
ROOT_REQUIRED = (
    "manifestVersion",
    "version",
    "id",
    "developer",
    "name",
    "description",
    "icons",
    "accentColor",
)
DEVELOPER_REQUIRED = ("name", "websiteUrl", "privacyUrl", "termsOfUseUrl")
BOT_SCOPES = {"team", "personal", "groupChat", "copilot"}


def package(tmp_path: Path, **environment: str) -> Any:
    settings = {
        "PRIVACYBOT_DATA_DIR": str(tmp_path / "data"),
        "TEAMS_APP_ID": APP_ID,
        "TEAMS_APP_PASSWORD": "secret",
        "TEAMS_TENANT_ID": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "PRIVACYBOT_PUBLIC_URL": "https://privacy.west-borough.example",
    }
    settings.update(environment)
    output = tmp_path / "teams.zip"
    return CliRunner().invoke(app, ["teams", "package", "--output", str(output)], env=settings)


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGBA rows of the PNGs the package writes (8-bit RGBA, no filter)."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    chunks: dict[bytes, bytes] = {}
    at = 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        chunks[kind] = chunks.get(kind, b"") + data[at + 8 : at + 8 + length]
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 6)
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + 4 * width
    rows = [raw[y * stride + 1 : (y + 1) * stride] for y in range(height)]
    return width, height, rows


@pytest.fixture
def unpacked(tmp_path: Path) -> dict[str, bytes]:
    result = package(tmp_path)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "teams.zip") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_zip_holds_the_manifest_and_its_icons_at_the_root(unpacked: dict[str, bytes]) -> None:
    manifest = json.loads(unpacked["manifest.json"])
    assert sorted(unpacked) == sorted(
        ["manifest.json", manifest["icons"]["color"], manifest["icons"]["outline"]]
    )


def test_the_manifest_has_what_the_current_schema_requires(unpacked: dict[str, bytes]) -> None:
    manifest = json.loads(unpacked["manifest.json"])
    assert [key for key in ROOT_REQUIRED if key not in manifest] == []
    assert manifest["manifestVersion"] == SCHEMA_VERSION == "1.30"
    assert f"/v{SCHEMA_VERSION}/MicrosoftTeams.schema.json" in manifest["$schema"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert GUID.match(manifest["id"])
    developer = manifest["developer"]
    assert [key for key in DEVELOPER_REQUIRED if key not in developer] == []
    assert len(developer["name"]) <= 32
    assert all(HTTP_URL.match(developer[key]) for key in DEVELOPER_REQUIRED[1:])
    assert 0 < len(manifest["name"]["short"]) <= 30
    assert len(manifest["name"]["full"]) <= 100
    assert 0 < len(manifest["description"]["short"]) <= 80
    assert 0 < len(manifest["description"]["full"]) <= 4000
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", manifest["accentColor"])
    (bot,) = manifest["bots"]
    assert bot["botId"] == manifest["id"] == APP_ID
    assert set(bot["scopes"]) <= BOT_SCOPES
    assert "personal" in bot["scopes"]
    assert "team" in bot["scopes"]
    assert manifest["validDomains"] == ["privacy.west-borough.example"]


def test_the_icons_are_the_sizes_teams_requires(unpacked: dict[str, bytes]) -> None:
    manifest = json.loads(unpacked["manifest.json"])
    width, height, rows = png_pixels(unpacked[manifest["icons"]["color"]])
    assert (width, height) == (192, 192)
    assert all(row[x + 3] == 255 for row in rows for x in range(0, len(row), 4))  # opaque
    width, height, rows = png_pixels(unpacked[manifest["icons"]["outline"]])
    assert (width, height) == (32, 32)
    pixels = {row[x : x + 4] for row in rows for x in range(0, len(row), 4)}
    # White on transparent, and something actually drawn.
    assert pixels == {b"\xff\xff\xff\xff", b"\x00\x00\x00\x00"}


def test_without_an_app_id_the_command_says_which_setting_is_missing(tmp_path: Path) -> None:
    result = package(tmp_path, TEAMS_APP_ID="", TEAMS_APP_PASSWORD="", TEAMS_TENANT_ID="")
    assert result.exit_code == 2
    assert "TEAMS_APP_ID" in result.output
    assert not (tmp_path / "teams.zip").exists()
