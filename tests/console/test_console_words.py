"""The console's sentences come from the school's answers folder: console.yaml for what it says,
console_labels.yaml for the words beside its records; a missing one stops the start."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.config import ConfigError
from bot.console import mount_console
from bot.console.accounts import Role
from bot.content.console_phrases import LABELS_REQUIRED, REQUIRED
from bot.tickets.school import school_from_settings
from bot.tickets.service import RequestService, TicketView
from bot.web.ratelimit import MemoryLimiter
from tests.console.conftest import csrf_of, sign_in
from tests.web.conftest import web_settings
from tests.words_files import copy_answers, reword


def test_the_console_speaks_the_schools_words(
    tmp_path: Path,
    database_url: str,
    staff: dict[Role, str],
    log_ticket: Callable[..., TicketView],
) -> None:
    answers = copy_answers(tmp_path)
    said, labels = answers / "console.yaml", answers / "console_labels.yaml"
    reword(
        said,
        "extend_reason: The reason for the extension is missing",
        "extend_reason: Say why the request needs longer",
    )
    reword(said, "request_log: see or export the request log", "request_log: open the register")
    reword(labels, 'left: "{days} days left"', 'left: "{days} days to go"')
    reword(labels, "  logged: Logged", "  logged: Written in the log")
    ticket = log_ticket(days_ago=2)
    url = f"/console/tickets/{ticket.reference}"
    settings = web_settings(tmp_path / "data", database_url=database_url, answers_dir=answers)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        sign_in(client, staff[Role.OFFICE])
        page = client.get(url).text
        assert "days to go" in page  # the due badge
        assert "days left" not in page
        assert "<strong>Written in the log</strong>" in page  # the timeline
        form = {"csrf_token": csrf_of(page), "reason": " "}
        missing = client.post(f"{url}/extend", data=form)
        assert missing.status_code == 400
        assert "Say why the request needs longer" in missing.text
        refused = client.get("/console/log")
        assert refused.status_code == 403
        assert "or an admin can open the register. You are signed in as" in refused.text


@pytest.mark.parametrize(
    ("file", "line", "key"),
    [
        (
            "console.yaml",
            "  pause_reason: The reason for the pause is missing",
            "form.pause_reason",
        ),
        ("console_labels.yaml", "  due_today: due today", "badge.due_today"),
    ],
)
def test_a_missing_console_sentence_stops_the_start_naming_it(
    tmp_path: Path, database_url: str, file: str, line: str, key: str
) -> None:
    answers = copy_answers(tmp_path)
    reword(answers / file, f"{line}\n", "")
    settings = web_settings(tmp_path / "data", database_url=database_url, answers_dir=answers)
    # The console's own start-up on a service this test closes (an app that failed part-way
    # would leave its database connections open).
    requests = RequestService.from_settings(settings)
    try:
        with pytest.raises(ConfigError, match=rf"{file}: no words for .*{key}"):
            mount_console(
                FastAPI(), settings, school_from_settings(settings), requests, MemoryLimiter()
            )
    finally:
        requests.dispose()


def _literal_keys() -> set[str]:
    """Every key the console's code names outright: a dotted string literal, a record keeper's
    task (`refused.to.<task>`) and a front-desk field's problem (`intake.<key>`)."""
    keys: set[str] = set()
    for source in (Path(__file__).parents[2] / "bot" / "console").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                # Not a template's name, nor the start of an f-string's key.
                if KEY.fullmatch(node.value) and not node.value.endswith(".html"):
                    keys.add(node.value)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                words = [a.value for a in node.args if isinstance(a, ast.Constant)]
                if node.func.id == "require_record_keeper" and words:
                    keys.add(f"refused.to.{words[-1]}")
                if node.func.id == "IntakeProblem" and len(words) == 2:
                    keys.add(f"intake.{words[1]}")
    return keys


KEY = re.compile(
    r"(?:done|login|problems|form|intake|refused|not_found|staff_done|accounts|examples|badge|"
    r"timeline|charts|log|due_filter|when)\.[a-z_.-]*[a-z]"
)


def test_every_key_the_console_names_is_required_at_start_up() -> None:
    keys = _literal_keys()
    assert "form.pause_reason" in keys
    assert "refused.to.purge" in keys
    assert keys <= {*REQUIRED, *LABELS_REQUIRED}, keys - {*REQUIRED, *LABELS_REQUIRED}
