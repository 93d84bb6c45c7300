"""A plain `pip install .` (a wheel) carries the intents and answers with it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_the_content_and_finds_it(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("privacybot-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert "bot/_content/intents/retention.yaml" in names
    assert "bot/_content/answers/retention.md" in names
    assert "bot/_content/answers/facts.yaml" in names
    # The embedding table travels inside the package, and stays small (issue 12: at most 16 MB).
    assert "bot/content/data/static-minilm.npz" in names
    assert wheel.stat().st_size <= 16_000_000

    # Run from the unpacked wheel, away from the checkout, with the installed dependencies.
    probe = (
        "from bot.config import load_settings; "
        "from bot.conversation.assembly import build_conversation; "
        "s = load_settings(); print(s.intents_dir); "
        "print(build_conversation(s).answers.render('retention'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    first_line, answer = result.stdout.split("\n", 1)
    assert first_line == str(tmp_path / "site" / "bot" / "_content" / "intents")
    assert "6 years" in answer
