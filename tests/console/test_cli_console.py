"""`privacybot staff` through the real entry point: accounts an admin makes from a terminal."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from bot.cli.main import app
from bot.cli.staff import parse_duration
from bot.console.accounts import LoginFailed, Role, StaffAccounts
from bot.storage.engine import session_factory
from bot.storage.tables import AuditEvent, StaffUser
from tests.cli.test_requests import PRIVACYBOT

PASSWORD = "a long enough passphrase"


def privacybot(
    args: list[str], cwd: Path, env: dict[str, str], stdin: str
) -> subprocess.CompletedProcess[str]:
    """Run the installed `privacybot` command, as an admin would."""
    return subprocess.run(
        [str(PRIVACYBOT), *args],
        cwd=cwd,
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def cli_env(database_url: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url}


def test_an_admin_is_created_from_a_script_and_can_log_in(
    cli_env: dict[str, str], tmp_path: Path, engine: Engine
) -> None:
    add = ["staff", "add", "--password-stdin", "--by", "it"]
    added = privacybot(
        [*add, "Head@School.example", "--role", "admin"], tmp_path, cli_env, PASSWORD
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "added head@school.example (admin)"
    accounts = StaffAccounts(session_factory(engine))
    assert accounts.authenticate("head@school.example", PASSWORD).role is Role.ADMIN

    again = privacybot([*add, "head@school.example", "--role", "dpo"], tmp_path, cli_env, PASSWORD)
    assert again.returncode == 1
    assert "head@school.example already has an account" in again.stderr
    assert "Traceback" not in again.stderr


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    return CliRunner()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "janitor"], f"{PASSWORD}\n", "'janitor' is not a role"),
        (["--role", "office"], "short\n", "at least 12 characters"),
        (["--role", "office"], "\n", "no password on standard input"),
    ],
)
def test_bad_input_gets_a_one_line_error(
    cli: CliRunner, args: list[str], stdin: str, message: str
) -> None:
    result = cli.invoke(
        app, ["staff", "add", "office@school.example", *args, "--password-stdin"], input=stdin
    )
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_password_is_asked_for_twice(cli: CliRunner, engine: Engine) -> None:
    mismatch = cli.invoke(
        app,
        ["staff", "add", "dpo@school.example", "--role", "dpo", "--by", "it"],
        input=f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert mismatch.exit_code == 0, mismatch.output
    assert "do not match" in mismatch.output
    assert PASSWORD not in mismatch.output
    accounts = StaffAccounts(session_factory(engine))
    assert accounts.authenticate("dpo@school.example", PASSWORD).role is Role.DPO


def test_disable_enable_reset_and_list(cli: CliRunner, engine: Engine) -> None:
    def invoke(*args: str, stdin: str | None = None) -> str:
        result = cli.invoke(app, ["staff", *args], input=stdin)
        assert result.exit_code == 0, result.output
        return result.output

    invoke("add", "office@school.example", "--role", "office", "--password-stdin", stdin=PASSWORD)
    accounts = StaffAccounts(session_factory(engine))
    invoke("disable", "office@school.example", "--by", "head")
    assert invoke("list").split() == [
        "office@school.example",
        "office",
        "disabled",
        "last",
        "login",
        "never",
    ]
    with pytest.raises(LoginFailed):
        accounts.authenticate("office@school.example", PASSWORD)
    invoke("enable", "office@school.example", "--by", "head")
    invoke("reset", "office@school.example", "--password-stdin", stdin="the new passphrase\n")
    assert accounts.authenticate("office@school.example", "the new passphrase")
    assert invoke("list").split()[:3] == ["office@school.example", "office", "active"]
    with session_factory(engine).begin() as session:
        actors = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.action == "staff_disabled")
        ).all()
        assert actors == ["head"]
        assert session.scalar(select(StaffUser.disabled)) is False

    unknown = cli.invoke(app, ["staff", "disable", "ghost@school.example"])
    assert unknown.exit_code == 1
    assert "no account for ghost@school.example" in unknown.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [("90s", timedelta(seconds=90)), ("30m", timedelta(minutes=30)), ("1h", timedelta(hours=1))],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["0h", "hourly", "1w", "-1h"])
def test_a_bad_duration_is_refused(text: str) -> None:
    assert parse_duration(text) is None


def test_reminders_without_a_target_say_what_to_configure(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "SLACK_BOT_TOKEN",
        "PRIVACYBOT_SMTP_HOST",
        "PRIVACYBOT_TEAMS_REMINDER_WEBHOOK_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    result = cli.invoke(app, ["reminders"])
    assert result.exit_code == 2
    assert "no reminder target is configured" in result.output
    assert cli.invoke(app, ["reminders", "--dry-run"]).exit_code == 0
