"""Every letter in answers/letters renders for every kind of request, and a broken one is named."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date
from pathlib import Path

from bot.content.answers import Answers
from bot.content.location import packaged_content_dir
from bot.rules.deadlines import TicketKind
from bot.tickets.letters import check_letters
from bot.tickets.service import TicketView
from tests.conftest import Clock

ANSWERS = packaged_content_dir("answers")


def sample() -> TicketView:
    values: dict[str, object] = {field.name: None for field in dataclasses.fields(TicketView)}
    values.update(
        reference="SAR-2026-0001",
        kind=TicketKind.SAR,
        received_at=Clock().now,
        requester_name="Priya Shah",
        requester_contact="priya@example.org",
        subject_name="Arjun Shah",
        request_text="Everything",
        due_date=date(2026, 4, 7),
    )
    return TicketView(**values)  # type: ignore[arg-type]


def test_the_shipped_letters_all_render() -> None:
    assert check_letters(ANSWERS, Answers(ANSWERS).facts, sample()) == []


def test_a_letter_using_a_missing_fact_is_named(tmp_path: Path) -> None:
    answers = tmp_path / "answers"
    shutil.copytree(ANSWERS, answers)
    (answers / "letters" / "broken.txt").write_text("Subject: x\n\n{{ facts.no_such_fact }}\n")
    problems = check_letters(answers, Answers(answers).facts, sample())
    assert len(problems) == 1
    assert "broken.txt" in problems[0]
