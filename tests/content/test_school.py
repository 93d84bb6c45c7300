"""The school travels as one object: two schools in one process answer each with their own facts."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.content.errors import ContentError
from bot.content.school import load_school
from bot.conversation.assembly import build_conversation
from bot.conversation.handler import Conversation
from bot.tickets.school import school_from_settings
from bot.types import Audience, Channel, Message


def ask(conversation: Conversation, text: str) -> str:
    message = Message(
        channel=Channel.TERMINAL,
        conversation_id="school-test",
        text=text,
        received_at=datetime.now(UTC),
        audience=Audience.PUBLIC,
    )
    return conversation.handle(message).text


@pytest.fixture
def academy(tmp_path: Path, settings: Settings) -> Settings:
    """A second school: an academy with a named DPO, a retention schedule and no term dates."""
    answers = tmp_path / "academy-answers"
    shutil.copytree(settings.answers_dir, answers)
    (answers / "calendar.yaml").unlink()
    facts = (answers / "facts.yaml").read_text(encoding="utf-8")
    facts = (
        facts.replace("name: West Borough School", "name: Hillside Academy")
        .replace("school_type: maintained", "school_type: academy")
        .replace("  dpo: null", '  dpo: "Sam Patel, dpo@hillside.example"')
        .replace(
            "  retention_schedule_url: null",
            "  retention_schedule_url: https://hillside.example/retention",
        )
    )
    (answers / "facts.yaml").write_text(facts, encoding="utf-8")
    return load_settings(answers_dir=answers, transcript_retention_days=14)


def test_the_shipped_school_is_built_from_the_settings(settings: Settings) -> None:
    school = school_from_settings(settings)
    assert (school.name, school.school_type) == ("West Borough School", "maintained")
    assert school.contacts.email == "office@west-borough.kent.sch.uk"
    assert school.contacts.dpo is None
    assert school.calendar is not None
    assert school.calendar.first_day.year == 2025
    assert school.answers_dir == settings.answers_dir


def test_two_schools_in_one_process_each_answer_with_their_own_facts(
    settings: Settings, academy: Settings
) -> None:
    west = build_conversation(settings, with_database=False)
    hillside = build_conversation(academy, with_database=False)

    assert "Sam Patel" in ask(hillside, "who is your data protection officer")
    assert "doesn't name a DPO" in ask(west, "who is your data protection officer")

    assert "As we are an academy" in ask(hillside, "can i see my sons educational record")
    assert "15 school days" in ask(west, "can i see my sons educational record")

    assert "https://hillside.example/retention" in ask(hillside, "how long do you keep data")
    assert "deleted after 14 days" in ask(hillside, "is this chat saved")
    assert "deleted after 30 days" in ask(west, "is this chat saved")


def test_an_academy_needs_no_term_dates(academy: Settings) -> None:
    school = school_from_settings(academy)
    assert (school.school_type, school.calendar) == ("academy", None)


def test_a_named_calendar_file_must_exist(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(ContentError, match="cannot read the school calendar"):
        load_school(
            settings.intents_dir, settings.answers_dir, calendar_file=tmp_path / "missing.yaml"
        )


def test_a_wrong_school_type_is_named(tmp_path: Path, settings: Settings) -> None:
    answers = tmp_path / "answers"
    shutil.copytree(settings.answers_dir, answers)
    facts = answers / "facts.yaml"
    facts.write_text(facts.read_text().replace("school_type: maintained", "school_type: free"))
    with pytest.raises(ContentError, match=r"school\.school_type must be one of"):
        load_school(settings.intents_dir, answers)
