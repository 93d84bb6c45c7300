"""The README's command examples print what the README says they print.

Every `console` block in the README is a sequence of `$ command` lines, each followed by its
output. Each command runs through bash with the installed `privacybot` first on the PATH, in an
empty folder with its own data directory, so the README cannot drift from the program. In the
expected output a line that is just `...` stands for any number of lines, and `...` inside a line
for any text. Examples that need a person at a prompt or an outside service are listed below, and
a test keeps that list honest.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BIN = Path(sys.executable).parent

# Shown for illustration only: they wait for a typed password or post to a configured Slack.
NOT_RUN = {
    "privacybot staff add head@school.example --role admin",
    "privacybot reminders",
}


@dataclass(frozen=True)
class Example:
    command: str
    expected: list[str]
    block: int


def readme_examples() -> list[Example]:
    examples: list[Example] = []
    blocks = re.findall(r"```console\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    for number, block in enumerate(blocks):
        command: list[str] | None = None
        expected: list[str] = []
        lines = block.splitlines()
        index = 0
        while index < len(lines):
            line = lines[index]
            if line.startswith("$ "):
                if command is not None:
                    examples.append(Example(" ".join(command), _trimmed(expected), number))
                command, expected = [line[2:].rstrip("\\").strip()], []
                # A trailing backslash continues the command on the next line, as in a shell.
                while line.endswith("\\") and index + 1 < len(lines):
                    index += 1
                    line = lines[index]
                    command.append(line.rstrip("\\").strip())
            elif command is not None:
                expected.append(line)
            index += 1
        if command is not None:
            examples.append(Example(" ".join(command), _trimmed(expected), number))
    return examples


def _trimmed(lines: list[str]) -> list[str]:
    # A blank line before the next command only separates the examples.
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether `actual` fits `expected`, where `...` stands for lines or text left out."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() == "...":
        return any(matches(rest, actual[skip:]) for skip in range(len(actual) + 1))
    if not actual:
        return False
    pattern = ".*".join(re.escape(part) for part in head.split("..."))
    return re.fullmatch(pattern, actual[0]) is not None and matches(rest, actual[1:])


def run(command: str, folder: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PRIVACYBOT_", "SLACK_", "TEAMS_"))
        and key not in ("DATABASE_URL", "REDIS_URL")
    }
    environment["PATH"] = f"{BIN}{os.pathsep}{environment.get('PATH', '')}"
    environment["PRIVACYBOT_DATA_DIR"] = str(folder / "data")
    # Rich would wrap long lines at the terminal's width; the README shows them whole.
    environment["COLUMNS"] = "500"
    return subprocess.run(
        ["bash", "-c", command],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


EXAMPLES = readme_examples()
RUNNABLE = [example for example in EXAMPLES if example.command not in NOT_RUN]


def test_the_readme_has_examples_to_check() -> None:
    commands = {example.command for example in EXAMPLES}
    assert len(RUNNABLE) >= 6
    # An example listed as not run but gone from the README would hide a new one.
    assert commands >= NOT_RUN


@pytest.mark.parametrize("block", sorted({example.block for example in RUNNABLE}))
def test_each_readme_example_prints_what_the_readme_shows(block: int, tmp_path: Path) -> None:
    # One folder per block: later commands in a block see what earlier ones did.
    for example in (example for example in RUNNABLE if example.block == block):
        result = run(example.command, tmp_path)
        actual = result.stdout.rstrip("\n").splitlines()
        assert result.returncode == 0, (example.command, result.stderr)
        assert matches(example.expected, actual), (
            f"$ {example.command}\nREADME shows:\n"
            + "\n".join(example.expected)
            + "\nthe program printed:\n"
            + "\n".join(actual)
        )


def test_the_matcher_of_expected_output_is_strict() -> None:
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(['{"x": "...", "y": 1}'], ['{"x": "long text", "y": 1}'])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert not matches(['{"y": 1}'], ['{"y": 2}'])
    assert not matches(["a"], [])
