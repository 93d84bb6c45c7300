"""`privacybot deadline` on the cases in domain.md and the legal review, through the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app

PRIVACYBOT = Path(sys.executable).parent / "privacybot"

# (command line after `deadline`, what it prints). The shipped school is maintained, with Kent's
# term dates in answers/calendar.yaml.
CASES: list[tuple[str, str]] = [
    # The ICO's month: same date next month, clamped to the month end, then the next working day.
    ("sar 2026-01-29", "2026-03-02"),
    ("sar 2026-01-30", "2026-03-02"),
    ("sar 2026-01-31", "2026-03-02"),
    ("sar 2028-01-29", "2028-02-29"),
    ("sar 2028-01-31", "2028-02-29"),
    ("sar 2027-01-31", "2027-03-01"),
    ("sar 2026-02-28", "2026-03-30"),
    ("sar 2027-02-28", "2027-03-30"),  # Sunday 28 March, then Easter Monday 2027
    ("sar 2026-03-03", "2026-04-07"),  # Good Friday 2026, the weekend, Easter Monday
    ("sar 2026-03-06", "2026-04-07"),
    ("sar 2026-03-07", "2026-04-07"),
    ("sar 2027-02-26", "2027-03-30"),  # Good Friday 2027
    ("sar 2026-04-04", "2026-05-05"),  # early May bank holiday 2026
    ("sar 2026-04-25", "2026-05-26"),  # spring bank holiday 2026
    ("sar 2027-04-03", "2027-05-04"),
    ("sar 2027-04-30", "2027-06-01"),
    ("sar 2026-11-25", "2026-12-29"),  # Christmas and the Boxing Day substitute
    ("sar 2026-11-26", "2026-12-29"),
    ("sar 2027-11-25", "2027-12-29"),  # both substitute days
    ("sar 2026-12-01", "2027-01-04"),
    ("sar 2027-12-01", "2028-01-04"),
    ("sar 2026-12-25", "2027-01-25"),
    ("sar 2026-07-20", "2026-08-20"),  # school holidays never stop the clock
    # The other rights follow the same month.
    ("erasure 2026-11-25", "2026-12-29"),
    ("direct_marketing 2026-01-31", "2026-03-02"),
    ("objection 2026-03-06", "2026-04-07"),
    # Extension: three months from the start.
    ("sar 2026-01-31 --extended", "2026-04-30"),
    ("sar 2026-11-30 --extended", "2027-03-01"),
    ("rectification 2026-01-30 --extended", "2026-04-30"),
    # Clarification: both days included, added to the raw date, then the working-day roll.
    ("sar 2026-12-31 --pause 2027-01-05:2027-01-08", "2027-02-04"),
    ("sar 2026-02-10 --pause 2026-02-12:2026-02-21", "2026-03-20"),
    ("sar 2026-02-10 --pause 2026-02-12:2026-02-22", "2026-03-23"),  # Saturday 21 March rolls
    ("sar 2026-02-10 --pause 2026-02-12:2026-02-12", "2026-03-11"),
    ("sar 2026-02-10 --pause 2026-02-12:2026-02-14 --pause 2026-02-20:2026-02-21", "2026-03-16"),
    # ID or a fee: the month starts again from its arrival; the latest restart wins.
    ("sar 2026-02-20 --restart 2026-03-10", "2026-04-10"),
    ("sar 2026-02-20 --restart 2026-03-02 --restart 2026-03-10", "2026-04-10"),
    ("sar 2026-02-20 --restart 2026-03-10 --extended", "2026-06-10"),
    ("sar 2026-02-20 --restart 2026-03-10 --pause 2026-03-12:2026-03-13", "2026-04-13"),
    # Educational record at a maintained school: 15 school days from Kent's term dates.
    ("educational_record 2026-02-10", "2026-03-10"),  # across February half term
    ("educational_record 2026-03-20", "2026-04-27"),  # across Easter
    ("educational_record 2026-05-20", "2026-06-18"),  # half term and an INSET day
    ("educational_record 2026-07-10", "2026-09-14"),  # across summer and two INSET days
    ("educational_record 2026-10-14", "2026-11-12"),
    ("educational_record 2026-12-10", "2027-01-15"),  # across Christmas
    ("educational_record 2027-03-17", "2027-04-22"),
    ("Educational-Record 2027-05-26", "2027-06-24"),
    # Complaints: acknowledged within 30 days from the day after receipt, next working day.
    ("complaint 2026-06-19", "2026-07-20"),
    ("complaint 2026-06-20", "2026-07-20"),
    ("complaint 2026-11-25", "2026-12-29"),
    ("complaint 2026-11-26", "2026-12-29"),
]

NO_STATUTORY_DEADLINE = ["complaint 2026-01-30", "complaint 2026-06-18"]

# (command line, words the one-line error must contain): exit 2, nothing printed on stdout.
REFUSED: list[tuple[str, str]] = [
    ("complaint 2026-07-01 --extended", "cannot be paused, restarted for ID or extended"),
    ("complaint 2026-07-01 --pause 2026-07-02:2026-07-03", "s.164A"),
    ("complaint 2026-07-01 --restart 2026-07-02", "This request is a complaint"),
    ("educational_record 2026-10-14 --extended", "reg. 5"),
    ("educational_record 2026-10-14 --restart 2026-10-20", "15 school days"),
    ("educational_record 2026-10-14 --pause 2026-10-15:2026-10-16", "no ID restart, pause"),
    ("sar 2026-01-01 --pause 2026-01-05", "FROM:TO"),
    ("sar 2026-01-10 --pause 2026-01-05:2026-01-08", "before the request was received"),
    ("sar 2026-01-10 --pause 2026-01-15:2026-01-12", "ends before it starts"),
    ("sar 2026-01-10 --restart 2026-01-09", "before the request was received"),
    ("sar 30/01/2026", "write it as YYYY-MM-DD"),
    ("subject_access 2026-01-30", "use one of: sar, educational_record"),
    ("educational_record 2029-01-10", "add next year's term dates"),
]


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The shipped school's settings, away from any developer's .env."""
    monkeypatch.chdir(tmp_path)
    for name in ("PRIVACYBOT_ANSWERS_DIR", "PRIVACYBOT_SCHOOL_CALENDAR_FILE"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


@pytest.mark.parametrize(("args", "expected"), CASES, ids=[c[0] for c in CASES])
def test_due_date(runner: CliRunner, args: str, expected: str) -> None:
    result = runner.invoke(app, ["deadline", *args.split()])
    assert (result.exit_code, result.stdout) == (0, f"{expected}\n"), result.stderr


@pytest.mark.parametrize("args", NO_STATUTORY_DEADLINE)
def test_complaints_before_19_june_2026_have_no_statutory_deadline(
    runner: CliRunner, args: str
) -> None:
    result = runner.invoke(app, ["deadline", *args.split()])
    assert result.exit_code == 0
    assert result.stdout.startswith("no statutory deadline")
    assert "2026-06-19" in result.stdout


@pytest.mark.parametrize(("args", "message"), REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_with_a_one_line_reason(runner: CliRunner, args: str, message: str) -> None:
    result = runner.invoke(app, ["deadline", *args.split()])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_an_academy_lets_an_educational_record_pause_like_a_sar(
    runner: CliRunner, tmp_path: Path
) -> None:
    answers = tmp_path / "answers"
    # The school's whole folder, as a school keeps it: the command's words are in it too.
    shutil.copytree(Path(__file__).resolve().parents[2] / "answers", answers)
    facts = (answers / "facts.yaml").read_text(encoding="utf-8")
    (answers / "facts.yaml").write_text(
        facts.replace("school_type: maintained", "school_type: academy"), encoding="utf-8"
    )
    result = runner.invoke(
        app,
        ["deadline", "educational_record", "2026-12-31", "--pause", "2027-01-05:2027-01-08"],
        env={"PRIVACYBOT_ANSWERS_DIR": str(answers)},
    )
    assert (result.exit_code, result.stdout) == (0, "2027-02-04\n"), result.stderr


def test_through_the_installed_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(PRIVACYBOT), "deadline", "sar", "2026-12-31", "--pause", "2027-01-05:2027-01-08"],
        cwd=tmp_path,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "2027-02-04\n"), result.stderr
