"""The README keeps up with the code: every command and every setting is documented."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.cli.main import app
from bot.config import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def command_paths(typer_app: typer.Typer, prefix: str = "privacybot") -> list[str]:
    paths = []
    for command in typer_app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        paths.append(f"{prefix} {name.replace('_', '-')}")
    for group in typer_app.registered_groups:
        assert group.typer_instance is not None
        paths += command_paths(group.typer_instance, f"{prefix} {group.name}")
    return paths


def setting_names() -> list[str]:
    prefix = Settings.model_config.get("env_prefix", "")
    names = []
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names.append(alias if isinstance(alias, str) else f"{prefix}{name}".upper())
    return names


def test_every_command_is_in_the_readme() -> None:
    missing = [path for path in command_paths(app) if path not in README]
    assert missing == []


def test_every_setting_is_in_the_readme() -> None:
    missing = [name for name in setting_names() if f"`{name}`" not in README]
    assert missing == []
