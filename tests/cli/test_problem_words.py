"""`privacybot tickets` and `privacybot deadline` refuse in the school's words: a reworded
refusal in a copy of answers/ shows up on the command line, and a missing one stops the command
with a one-line error naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.test_requests import assert_one_line_error, invoke, log_phone_request
from tests.words_files import copy_answers, reword


@pytest.fixture
def answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped answers, which the commands read (PRIVACYBOT_ANSWERS_DIR)."""
    copy = copy_answers(tmp_path, "school-answers")
    monkeypatch.setenv("PRIVACYBOT_ANSWERS_DIR", str(copy))
    monkeypatch.delenv("PRIVACYBOT_SCHOOL_CALENDAR_FILE", raising=False)
    return copy


def test_a_reworded_refusal_reaches_the_terminal(cli: CliRunner, answers: Path) -> None:
    reword(
        answers / "ticket_problems.yaml",
        'already_extended: "{reference} is already extended"',
        'already_extended: "{reference} has had its extension: there is only one"',
    )
    reference = log_phone_request(cli)
    extended = invoke(cli, "tickets", "extend", reference, "--reason", "complex", "--by", "dana")
    assert extended.exit_code == 0, extended.output
    again = invoke(cli, "tickets", "extend", reference, "--reason", "more", "--by", "dana")
    expected = f"{reference} has had its extension: there is only one"
    assert expected in assert_one_line_error(again, 1)


def test_a_missing_refusal_stops_the_command_naming_file_and_key(
    cli: CliRunner, answers: Path
) -> None:
    reword(answers / "ticket_problems.yaml", "no_actor: who is acting must be recorded\n", "")
    listed = invoke(cli, "tickets", "list")
    error = " ".join(assert_one_line_error(listed, 2).split())
    assert f"{answers / 'ticket_problems.yaml'}: no words for no_actor" in error


def test_deadline_refuses_a_fixed_clock_in_the_schools_words(cli: CliRunner, answers: Path) -> None:
    reword(answers / "ticket_problems.yaml", "this_request: This request", "this_request: It")
    reword(
        answers / "ticket_rules.yaml",
        "{reference} is a complaint about data handling:",
        "{reference} is a complaint, and complaints never wait:",
    )
    refused = invoke(cli, "deadline", "complaint", "2026-07-01", "--extended")
    error = " ".join(assert_one_line_error(refused, 2).split())
    assert "It is a complaint, and complaints never wait: the school must acknowledge it" in error
