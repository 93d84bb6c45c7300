"""The `privacybot` command through its real entry point, as a person or a script runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PRIVACYBOT = Path(sys.executable).with_name("privacybot")
PACKAGED_ANSWERS = Path(__file__).resolve().parents[2] / "answers"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's database in its own folder, never the checkout's."""
    monkeypatch.setenv("PRIVACYBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path / "data"


def run(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(PRIVACYBOT), *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_ask_prints_the_answer() -> None:
    result = run("ask", "how long do you keep my son's data?")
    assert result.returncode == 0, result.stderr
    assert b"6 years" in result.stdout


def test_ask_json_explains_the_match() -> None:
    result = run("ask", "--json", "what cookies does the school website use")
    reply = json.loads(result.stdout)
    assert reply["intent"] == "cookies_used"
    assert reply["outcome"] == "answer"
    assert 0 < reply["score"] <= 100
    assert reply["example"]
    assert "ASPSESSID" in reply["answer"]


def test_ask_as_staff_gets_the_staff_wording() -> None:
    result = run("ask", "--audience", "staff", "a dad wants a copy of all the data on his son")
    assert b"Log it" in result.stdout


def test_classify_reads_many_questions_in_one_process() -> None:
    questions = "how long do you keep data\nwhen is half term\n\nwhat are cookies\n"
    result = run("classify", stdin=questions.encode())
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [row["intent"] for row in rows] == ["retention", None, None, "cookies_what"]
    assert all(0 <= row["score"] <= 100 for row in rows)
    assert rows[2]["outcome"] == "bad_input"


def test_chat_works_with_piped_input_and_numbered_choices() -> None:
    script = "hello\nwho gets to see my childs information\n2\n"
    result = run("chat", stdin=script.encode())
    assert result.returncode == 0, result.stderr
    output = result.stdout.decode()
    assert "1. " in output
    assert "consent" in output


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        (b"\xff\xfe how long \x80 do you keep\n", "couldn't read"),
        (b"   \t \n", "didn't get a message"),
        (b"\x00\x01\x02\x1b\x07\n", "didn't get a message"),
        (("x" * 2500 + "\n").encode(), "too long"),
    ],
)
def test_bad_input_gets_a_clear_message_not_a_traceback(stdin: bytes, expected: str) -> None:
    result = run("chat", stdin=stdin)
    assert result.returncode == 0
    assert expected in result.stdout.decode()
    assert b"Traceback" not in result.stderr


def test_content_check_names_the_broken_file(tmp_path: Path) -> None:
    assert run("content", "check").returncode == 0
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "facts.yaml").write_text("school: {name: Test}\n")
    (answers / "buttons.yaml").write_text("cancel: Cancel\n")
    result = run("content", "check", env={"PRIVACYBOT_ANSWERS_DIR": str(answers)})
    assert result.returncode == 1
    assert f"{answers}/retention.md: template is missing".encode() in result.stderr


def test_missing_content_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = run("ask", "hello", env={"PRIVACYBOT_INTENTS_DIR": str(tmp_path / "nowhere")})
    assert result.returncode == 2
    assert b"the intents folder does not exist" in result.stderr
    assert b"Traceback" not in result.stderr


def test_a_school_type_the_law_does_not_know_is_a_clear_error(tmp_path: Path) -> None:
    answers = tmp_path / "answers"
    shutil.copytree(PACKAGED_ANSWERS, answers)
    facts = answers / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("school_type: maintained", "school_type: grammar"))
    result = run("ask", "hello", env={"PRIVACYBOT_ANSWERS_DIR": str(answers)})
    assert result.returncode == 2
    assert b"school.school_type must be one of" in result.stderr
    assert b"Traceback" not in result.stderr


def test_eval_prints_accuracy_rejection_and_confusions(tmp_path: Path) -> None:
    labelled = tmp_path / "set.jsonl"
    labelled.write_text(
        '{"text": "how long do you keep pupil data", "intent": "retention"}\n'
        '{"text": "when is half term", "intent": null}\n'
        '{"text": "how long do you keep pupil data for", "intent": "cookies_block"}\n'
    )
    result = run("eval", str(labelled))
    output = result.stdout.decode()
    assert "top-1 (acted on first)      50.0%  (1/2)" in output
    assert "out-of-scope refused       100.0%  (1/1)" in output
    assert "cookies_block" in output


def test_chat_takes_a_request_and_keeps_it_in_the_data_directory(data_dir: Path) -> None:
    script = (
        "I want a copy of everything you hold on my son\nPriya Shah\nparent\nArjun Shah\n"
        "priya@example.org\nintake:details:keep\nyes\n"
    )
    result = run("chat", stdin=script.encode())
    assert result.returncode == 0, result.stderr
    assert "is logged as **SAR-" in result.stdout.decode()
    assert (data_dir / "privacybot.sqlite3").is_file()


# What the ticket, console and server commands import; answering a question needs none of it.
HEAVY_PACKAGES = {"fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "slack_bolt"}
MODULES_PROBE = """
import json, sys
from bot.cli.main import main
sys.argv = ["privacybot", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def packages_loaded(*args: str, stdin: bytes = b"") -> tuple[bytes, set[str]]:
    """Run the command as the entry point does; its output and every top package it imported."""
    result = subprocess.run(
        [sys.executable, "-c", MODULES_PROBE, *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        env=dict(os.environ),
        check=True,
    )
    modules = json.loads(result.stderr.decode().splitlines()[-1])
    return result.stdout, {module.split(".")[0] for module in modules}


def test_classify_and_ask_do_not_load_the_database_the_server_or_a_chat_sdk() -> None:
    # Start-up is what a script piping questions to `classify` waits for (issue 12).
    out, packages = packages_loaded("classify", stdin=b"how long do you keep my sons data\n")
    assert json.loads(out)["intent"] == "retention"
    assert packages & HEAVY_PACKAGES == set()
    out, packages = packages_loaded("ask", "what are cookies")
    assert b"cookie" in out.lower()
    assert packages & HEAVY_PACKAGES == set()


def test_help_still_lists_every_command() -> None:
    out, packages = packages_loaded("--help")
    listed = {line.split()[1] for line in out.decode().splitlines() if line.startswith("│ ")}
    expected = {"serve", "slack-socket", "deadline", "purge", "reminders", "ask", "classify"}
    expected |= {"chat", "eval", "content", "tickets", "db", "teams", "staff", "letters", "triage"}
    assert expected <= listed
    # Listing them loads them, so the probe above would have seen these packages.
    assert {"fastapi", "sqlalchemy"} <= packages
