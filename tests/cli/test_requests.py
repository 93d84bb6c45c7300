"""Tests for `privacybot db`, `tickets` and `purge`, through the real entry points."""

from __future__ import annotations

import csv
import getpass
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli.main import app
from bot.rules.clock import london_now
from bot.rules.deadlines import TicketKind, due_date
from bot.storage.engine import head_revision
from bot.tickets.service import EXPORT_COLUMNS

PRIVACYBOT = Path(sys.executable).parent / "privacybot"
REFERENCE = re.compile(r"\b[A-Z]+-\d{4}-\d{4}\b")


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `privacybot` command, as staff would."""
    return subprocess.run(
        [str(PRIVACYBOT), *args],
        cwd=cwd,
        env={**os.environ, "COLUMNS": "160", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def days_ago(days: int) -> str:
    return (london_now().date() - timedelta(days=days)).isoformat()


def invoke(cli: CliRunner, *args: str) -> Result:
    return cli.invoke(app, list(args))


def log_phone_request(cli: CliRunner, received: str | None = None) -> str:
    result = invoke(
        cli,
        "tickets",
        "log",
        "--kind",
        "sar",
        "--channel",
        "phone",
        "--received",
        received or days_ago(3),
        "--requester",
        "Tom Barker",
        "--contact",
        "07700 900123",
        "--relationship",
        "parent",
        "--subject",
        "Lily Barker",
        "--child",
        "--details",
        "Rang asking for a copy of Lily's file",
        "--by",
        "office",
    )
    assert result.exit_code == 0, result.output
    match = REFERENCE.search(result.stdout)
    assert match is not None, result.stdout
    return match.group()


def assert_one_line_error(result: Result | subprocess.CompletedProcess[str], code: int) -> str:
    exit_code = result.exit_code if isinstance(result, Result) else result.returncode
    assert exit_code == code, result.stdout
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


# -- a whole ticket, through the installed command ------------------------------------------


def test_staff_log_and_work_a_phone_request_from_the_terminal(
    database_url: str, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": database_url}
    received = days_ago(2)
    logged = run(
        [
            "tickets", "log", "--kind", "sar", "--channel", "phone", "--received", received,
            "--requester", "Tom Barker", "--contact", "07700 900123", "--relationship", "parent",
            "--subject", "Lily Barker", "--child", "--details", "A copy of Lily's file",
            "--by", "office",
        ],
        tmp_path,
        **env,
    )  # fmt: skip
    assert logged.returncode == 0, logged.stderr
    reference = REFERENCE.search(logged.stdout)
    assert reference is not None
    ref = reference.group()
    assert ref.startswith(f"SAR-{received[:4]}-")

    listed = run(["tickets", "list"], tmp_path, **env)
    assert ref in listed.stdout
    assert "Tom Barker" not in listed.stdout
    closed = run(["tickets", "close", ref, "complied", "--by", "dana"], tmp_path, **env)
    assert closed.returncode == 0
    assert "on time" in closed.stdout

    shown = run(["tickets", "show", ref, "--by", "auditor"], tmp_path, **env)
    assert shown.returncode == 0
    for expected in ("Tom Barker", "Lily Barker (child)", "complied", "closed", "viewed"):
        assert expected in shown.stdout


# -- every tickets command, in process --------------------------------------------------------


def test_db_upgrade_migrates_once(cli: CliRunner) -> None:
    first = invoke(cli, "db", "upgrade")
    assert first.exit_code == 0
    assert f"upgraded from empty to {head_revision()}" in first.stdout
    again = invoke(cli, "db", "upgrade")
    assert again.exit_code == 0
    assert f"up to date (revision {head_revision()})" in again.stdout


def test_the_clock_commands_move_the_due_date(cli: CliRunner) -> None:
    reference = log_phone_request(cli, days_ago(6))
    asked = invoke(cli, "tickets", "request-id", reference, "--on", days_ago(5), "--by", "dana")
    assert "awaiting_id" in asked.stdout
    assert "clock paused" in asked.stdout
    arrived = invoke(cli, "tickets", "id-received", reference, "--on", days_ago(4), "--by", "dana")
    # The month runs from the day the ID arrived.
    expected = due_date(TicketKind.SAR, date.fromisoformat(days_ago(4)))
    assert f"in_progress; due {expected}" in arrived.stdout

    paused = invoke(cli, "tickets", "pause", reference, "clarification", "--by", "dana")
    assert "awaiting_clarification" in paused.stdout
    assert "in_progress" in invoke(cli, "tickets", "resume", reference, "--by", "dana").stdout
    extended = invoke(cli, "tickets", "extend", reference, "--reason", "complex", "--by", "dana")
    assert extended.exit_code == 0, extended.stderr
    shown = invoke(cli, "tickets", "show", reference, "--by", "dana").stdout
    assert "extended" in shown
    assert "yes: complex" in shown


def test_an_internal_hold_is_not_a_pause(cli: CliRunner) -> None:
    reference = log_phone_request(cli)
    refused = invoke(cli, "tickets", "pause", reference, "legal-advice", "--by", "dana")
    assert "tickets hold" in assert_one_line_error(refused, 2)
    held = invoke(cli, "tickets", "hold", reference, "waiting for legal advice", "--by", "dana")
    assert held.exit_code == 0
    assert "clock keeps running" in held.stdout


def test_notes_id_decisions_and_refusals(cli: CliRunner) -> None:
    reference = log_phone_request(cli)
    note = invoke(
        cli, "tickets", "note", reference, "[b]Sent[/b] acknowledgement", "--to-requester"
    )
    assert note.exit_code == 0
    assert "to_requester note added" in note.stdout
    reason = "known to the office"
    assert invoke(cli, "tickets", "id-not-needed", reference, "--reason", reason).exit_code == 0
    refusal = invoke(cli, "tickets", "close", reference, "refused")
    assert "refusal needs its reason" in assert_one_line_error(refusal, 1)
    closed = invoke(cli, "tickets", "close", reference, "refused", "--reason", "repeat request")
    assert closed.exit_code == 0
    assert "ICO" in closed.stdout
    shown = invoke(cli, "tickets", "show", reference).stdout
    # Staff text is shown as typed, never interpreted as terminal markup.
    assert "[b]Sent[/b] acknowledgement" in shown
    assert reason in shown
    assert getpass.getuser() in shown  # the default actor is the login name


def test_list_filters_and_marks_paused_and_overdue(cli: CliRunner) -> None:
    overdue = log_phone_request(cli, days_ago(45))
    paused = log_phone_request(cli, days_ago(2))
    invoke(cli, "tickets", "request-id", paused, "--by", "dana")
    assigned = invoke(cli, "tickets", "assign", overdue, "Dana Price", "--by", "head")
    assert "in_progress" in assigned.stdout
    assert "assigned to Dana Price" in assigned.stdout
    listed = invoke(cli, "tickets", "list")
    rows = {
        match.group(): line
        for line in listed.stdout.splitlines()
        if (match := REFERENCE.search(line))
    }
    assert "overdue" in rows[overdue]
    assert "paused" in rows[paused]
    only_overdue = invoke(cli, "tickets", "list", "--overdue").stdout
    assert overdue in only_overdue
    assert paused not in only_overdue
    danas = invoke(cli, "tickets", "list", "--assignee", "dana price").stdout
    assert overdue in danas
    assert paused not in danas
    bad = invoke(cli, "tickets", "list", "--status", "stuck")
    assert "use one of: open, in_progress" in assert_one_line_error(bad, 2)


def test_errors_name_the_problem_in_one_line(cli: CliRunner) -> None:
    reference = log_phone_request(cli)
    invoke(cli, "tickets", "close", reference, "withdrawn")
    not_allowed = invoke(cli, "tickets", "assign", reference, "Dana")
    assert "is closed, so 'assign' is not possible; reopen it first" in assert_one_line_error(
        not_allowed, 1
    )
    reopened = invoke(cli, "tickets", "reopen", reference, "Mum rang back: not withdrawn")
    assert reopened.exit_code == 0, reopened.output
    assert f"{reference}: in_progress" in reopened.stdout
    assert "reopened, the reason is noted" in reopened.stdout
    assert invoke(cli, "tickets", "assign", reference, "Dana").exit_code == 0
    again = invoke(cli, "tickets", "reopen", reference, "twice")
    assert "is not closed, so there is nothing to reopen" in assert_one_line_error(again, 1)
    invoke(cli, "tickets", "close", reference, "withdrawn")
    missing = invoke(cli, "tickets", "show", "SAR-2000-0001")
    assert "no ticket SAR-2000-0001" in assert_one_line_error(missing, 1)
    bad_outcome = invoke(cli, "tickets", "close", reference, "done")
    assert "'done' is not an outcome; use one of: complied" in assert_one_line_error(bad_outcome, 2)


def test_export_writes_the_request_log(cli: CliRunner, tmp_path: Path) -> None:
    reference = log_phone_request(cli)
    out = tmp_path / "log.csv"
    result = invoke(cli, "tickets", "export", "--csv", str(out), "--by", "auditor")
    assert result.exit_code == 0
    assert "1 tickets written" in result.stdout
    with out.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert (rows[0]["reference"], rows[0]["channel"]) == (reference, "phone")
    to_screen = invoke(cli, "tickets", "export", "--csv")
    assert to_screen.stdout.startswith("reference,kind,channel,received")


def test_purge_dry_run_reports_and_keeps(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = log_phone_request(cli)
    invoke(cli, "tickets", "close", reference, "complied")
    dry = invoke(cli, "purge", "--dry-run", "--by", "dpl")
    assert dry.exit_code == 0
    assert "would delete 0 closed tickets" in dry.stdout
    monkeypatch.setenv("PRIVACYBOT_CLOSED_TICKET_RETENTION_DAYS", "1")
    # Closed today is not older than a day: retention counts from closing, not receipt.
    kept = invoke(cli, "purge", "--by", "dpl")
    assert "deleted 0 closed tickets" in kept.stdout
    assert invoke(cli, "tickets", "show", reference).exit_code == 0


def test_an_unreachable_database_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none?connect_timeout=2")
    result = CliRunner().invoke(app, ["tickets", "list"])
    assert "ticket database" in assert_one_line_error(result, 1)
    assert "unavailable" in result.stderr


def test_received_dates_accept_a_time_in_london(cli: CliRunner) -> None:
    when = f"{days_ago(1)}T16:45"
    reference = log_phone_request(cli, when)
    shown = invoke(cli, "tickets", "show", reference).stdout
    assert f"{days_ago(1)}T16:45" in shown
