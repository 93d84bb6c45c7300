"""Tests for `privacybot tickets list` paging, the streamed export, the clock rules' messages."""

from __future__ import annotations

import csv
import io
import re

from typer.testing import CliRunner

from tests.cli.test_requests import days_ago, invoke, log_phone_request

REFERENCE = re.compile(r"\b[A-Z]+-\d{4}-\d{4}\b")


def references(text: str) -> list[str]:
    return REFERENCE.findall(text)


def test_list_shows_one_page_at_a_time_and_says_how_many_match(cli: CliRunner) -> None:
    logged = [log_phone_request(cli, days_ago(20 - n)) for n in range(5)]
    first = invoke(cli, "tickets", "list", "--limit", "2")
    assert first.exit_code == 0, first.output
    assert references(first.stdout) == logged[:2]
    assert "tickets 1-2 of 5 (--page N for more)" in first.stdout
    last = invoke(cli, "tickets", "list", "--limit", "2", "--page", "3")
    assert references(last.stdout) == logged[4:]
    assert "tickets 5-5 of 5" in last.stdout
    assert "more" not in last.stdout
    everything = invoke(cli, "tickets", "list")
    assert references(everything.stdout) == logged
    assert " of " not in everything.stdout
    past = invoke(cli, "tickets", "list", "--page", "9")
    assert "page 9 is past the end" in past.stdout


def test_export_streams_every_ticket_to_the_screen(cli: CliRunner) -> None:
    logged = [log_phone_request(cli, days_ago(3)) for _ in range(3)]
    result = invoke(cli, "tickets", "export", "--by", "dpo")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["reference"] for row in rows] == logged


def test_a_complaints_clock_cannot_be_extended_and_the_message_says_why(cli: CliRunner) -> None:
    logged = invoke(
        cli,
        "tickets",
        "log",
        "--kind",
        "complaint",
        "--channel",
        "email",
        "--received",
        days_ago(2),
        "--requester",
        "Tom Barker",
        "--contact",
        "tom@example.org",
        "--relationship",
        "parent",
        "--subject",
        "Lily Barker",
        "--child",
        "--details",
        "You sent Lily's report to the wrong parent",
        "--by",
        "office",
    )
    [reference] = references(logged.stdout)
    refused = invoke(cli, "tickets", "extend", reference, "--reason", "complex", "--by", "dana")
    assert refused.exit_code == 1
    assert "DPA 2018 s.164A" in refused.stderr
    assert "cannot be paused, restarted for ID or extended" in " ".join(refused.stderr.split())


def test_id_asked_after_the_due_date_is_recorded_and_the_ticket_stays_late(
    cli: CliRunner,
) -> None:
    reference = log_phone_request(cli, days_ago(45))
    asked = invoke(cli, "tickets", "request-id", reference, "--by", "dana")
    assert asked.exit_code == 0, asked.output
    words = " ".join(asked.stdout.split())
    assert "awaiting_id" in words
    assert "(late)" in words
    assert "cannot make the request on time, so it stays late" in words
    assert reference in invoke(cli, "tickets", "list", "--overdue").stdout
