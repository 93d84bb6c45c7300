"""Every letter in answers/letters renders for every kind of request, and a broken one is named."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.content.answers import Answers
from bot.content.location import packaged_content_dir
from bot.tickets.letters import check_letters

ANSWERS = packaged_content_dir("answers")


def test_the_shipped_letters_all_render() -> None:
    assert check_letters(ANSWERS, Answers(ANSWERS).facts) == []


def test_a_letter_using_a_missing_fact_is_named(tmp_path: Path) -> None:
    answers = tmp_path / "answers"
    shutil.copytree(ANSWERS, answers)
    (answers / "letters" / "broken.txt").write_text("Subject: x\n\n{{ facts.no_such_fact }}\n")
    problems = check_letters(answers, Answers(answers).facts)
    assert len(problems) == 1
    assert "broken.txt" in problems[0]
