"""The command's sentences are the school's: reworded in its answers/cli.yaml, printed so."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from tests.cli.test_requests import assert_one_line_error, days_ago, run
from tests.words_files import copy_answers, drop_lines, reword

# fmt: off
PHONE_REQUEST = [
    "tickets", "log", "--kind", "sar", "--channel", "phone", "--requester", "Tom Barker",
    "--contact", "07700 900123", "--relationship", "parent", "--subject", "Lily Barker",
    "--child", "--details", "A copy of Lily's file", "--by", "office",
]
# fmt: on


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    """A school's own copy of the answers folder."""
    return copy_answers(tmp_path)


def reword_cli(answers: Path, old: str, new: str) -> None:
    reword(answers / "cli.yaml", old, new)


def test_a_reworded_result_is_what_the_installed_command_prints(
    answers: Path, database_url: str, tmp_path: Path
) -> None:
    reword_cli(
        answers,
        'logged: "logged {reference}: {label}, due {due}"',
        'logged: "Thank you: {reference} ({label}) is due on {due}."',
    )
    reword_cli(answers, "  clock: clock\n", "  clock: Time left\n")
    env = {"DATABASE_URL": database_url, "PRIVACYBOT_ANSWERS_DIR": str(answers)}
    received = ["--received", days_ago(2)]
    logged = run([*PHONE_REQUEST, *received], tmp_path, **env)
    assert logged.returncode == 0, logged.stderr
    assert "Thank you: SAR-" in logged.stdout
    assert "(subject access request) is due on" in logged.stdout
    listed = run(["tickets", "list"], tmp_path, **env)
    assert "Time left" in listed.stdout


def test_a_reworded_refusal_is_the_one_line_error(
    answers: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    reword_cli(
        answers,
        'status: "{value} is not a status; use one of: {accepted}"',
        'status: "We have no status called {value}. Try one of these: {accepted}"',
    )
    monkeypatch.setenv("PRIVACYBOT_ANSWERS_DIR", str(answers))
    result = cli.invoke(app, ["tickets", "list", "--status", "sleeping"])
    error = assert_one_line_error(result, 2)
    assert "We have no status called 'sleeping'. Try one of these: open," in error


def test_a_missing_sentence_stops_the_command_naming_the_file_and_key(
    answers: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = answers / "cli.yaml"
    drop_lines(words, "  past_end:")
    monkeypatch.setenv("PRIVACYBOT_ANSWERS_DIR", str(answers))
    result = cli.invoke(app, ["tickets", "list"])
    error = assert_one_line_error(result, 2)
    assert f"{words}: no words for list.past_end" in error
    checked = cli.invoke(app, ["content", "check"])
    assert checked.exit_code == 1
    assert "cli.yaml: no words for list.past_end" in checked.stderr
