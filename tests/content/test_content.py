"""The shipped content is complete, and `content check` catches what would hurt a parent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from bot.content.intents import NOTICE_INTENT_IDS, IntentKind, load_intents
from bot.content.normalise import normalise
from bot.conversation.content_check import check_content
from tests.conversation.test_transcripts import transcript_intents
from tests.words_files import drop_lines

MIN_EXAMPLES_PER_NOTICE_INTENT = 20
# Topics parents ask most that the notice is silent on (issue 13): ids fixed for outside tools.
NEW_TOPIC_IDS = (
    "photos_consent",
    "separated_parents",
    "child_own_rights",
    "report_breach",
    "safeguarding_sharing",
    "cctv",
    "biometrics",
    "dpo_contact",
    "parent_own_data",
    "read_notice",
    "chat_privacy",
    "bot_identity",
    "data_security",
    "restrict_processing",
)


@pytest.fixture
def content_copy(tmp_path: Path, settings: Settings) -> tuple[Path, Path]:
    intents = tmp_path / "intents"
    answers = tmp_path / "answers"
    shutil.copytree(settings.intents_dir, intents)
    shutil.copytree(settings.answers_dir, answers)
    return intents, answers


def test_shipped_content_passes_the_check(settings: Settings) -> None:
    assert check_content(settings.intents_dir, settings.answers_dir) == []


def test_every_required_intent_has_enough_varied_examples(settings: Settings) -> None:
    intents = {i.id: i for i in load_intents(settings.intents_dir).intents}
    for intent_id in (*NOTICE_INTENT_IDS, *NEW_TOPIC_IDS):
        examples = {normalise(e) for e in intents[intent_id].examples}
        assert len(examples) >= MIN_EXAMPLES_PER_NOTICE_INTENT, intent_id


def test_every_intent_has_a_transcript(settings: Settings) -> None:
    answerable = {
        i.id
        for i in load_intents(settings.intents_dir).intents
        if i.kind is not IntentKind.OUT_OF_SCOPE
    }
    assert answerable - transcript_intents() == set()


def test_missing_template_is_named(content_copy: tuple[Path, Path]) -> None:
    intents, answers = content_copy
    (answers / "retention.md").unlink()
    problems = check_content(intents, answers)
    assert any("retention.md" in p and "missing" in p for p in problems), problems


def test_unknown_variable_fails_the_check_not_a_parent(content_copy: tuple[Path, Path]) -> None:
    intents, answers = content_copy
    template = answers / "retention.md"
    template.write_text(template.read_text() + "\n{{ facts.retention.no_such_fact }}\n")
    problems = check_content(intents, answers)
    assert any("retention.md" in p and "no_such_fact" in p for p in problems), problems


def test_example_claimed_by_two_intents(content_copy: tuple[Path, Path]) -> None:
    intents, answers = content_copy
    retention = intents / "retention.yaml"
    claimed = "What cookies does the website set?"
    retention.write_text(
        retention.read_text().replace("examples:\n", f"examples:\n  - {claimed}\n", 1)
    )
    cookies = intents / "cookies_used.yaml"
    cookies.write_text(cookies.read_text().replace("examples:\n", f"examples:\n  - {claimed}\n", 1))
    problems = check_content(intents, answers)
    assert any("also claimed by" in p for p in problems), problems


def test_unknown_key_is_named(content_copy: tuple[Path, Path]) -> None:
    intents, answers = content_copy
    path = intents / "retention.yaml"
    path.write_text(path.read_text() + "\nexampels:\n  - typo key\n")
    problems = check_content(intents, answers)
    assert problems == [f"{path}: unknown key(s) exampels"]


def test_template_that_does_not_render(content_copy: tuple[Path, Path]) -> None:
    intents, answers = content_copy
    (answers / "thanks.md").write_text("{% if audience %}never closed\n")
    problems = check_content(intents, answers)
    assert any("thanks.md" in p for p in problems), problems


def test_an_answer_with_no_source_fails_the_check(content_copy: tuple[Path, Path]) -> None:
    intents, answers = content_copy
    (answers / "cctv.md").write_text("Yes, there are cameras by the gate.\n")
    problems = check_content(intents, answers)
    assert any("cctv.md" in p and "cites no source" in p for p in problems), problems


def test_a_legal_rule_with_no_source_fails_the_check(content_copy: tuple[Path, Path]) -> None:
    intents, answers = content_copy
    template = answers / "retention.md"
    text = template.read_text().replace('{{ cite.source("irms_toolkit") }}', "")
    template.write_text(text + "\nYou can ask for a copy, free, within one month.\n")
    problems = check_content(intents, answers)
    assert any("retention.md" in p and "time limit" in p for p in problems), problems
    assert any("retention.md" in p and "fees" in p for p in problems), problems


def test_a_hard_opening_fails_the_readability_rule(content_copy: tuple[Path, Path]) -> None:
    intents, answers = content_copy
    template = answers / "dfe_census.md"
    hard = (
        "Notwithstanding statutory obligations, institutional information-sharing "
        "arrangements necessitate comprehensive departmental notifications."
    )
    lines = template.read_text().splitlines()
    opening = next(i for i, line in enumerate(lines) if line and not line.startswith("{"))
    lines[opening] = hard
    template.write_text("\n".join(lines) + "\n")
    problems = check_content(intents, answers)
    assert any("dfe_census.md" in p and "grade" in p for p in problems), problems


def test_the_check_runs_from_the_command_line_and_names_the_file(
    content_copy: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from bot.cli.main import app

    intents, answers = content_copy
    (answers / "biometrics.md").write_text("It is the law, under Article 9.\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app,
        ["content", "check"],
        env={"PRIVACYBOT_INTENTS_DIR": str(intents), "PRIVACYBOT_ANSWERS_DIR": str(answers)},
    )
    assert result.exit_code == 1
    assert "biometrics.md" in result.stderr
    assert "a named law" in result.stderr


def test_a_console_sentence_left_empty_is_named(content_copy: tuple[Path, Path]) -> None:
    intents, answers = content_copy
    phrases = answers / "console.yaml"
    text = phrases.read_text(encoding="utf-8")
    phrases.write_text(text.replace("  take: You have taken this ticket.", '  take: ""'))
    problems = check_content(intents, answers)
    assert any("console.yaml" in p and "done.take" in p for p in problems), problems


def test_a_reminder_sentence_taken_out_is_named(content_copy: tuple[Path, Path]) -> None:
    intents, answers = content_copy
    reminders = answers / "reminders.yaml"
    drop_lines(reminders, "unassigned:")
    problems = check_content(intents, answers)
    assert any("reminders.yaml" in p and "unassigned" in p for p in problems), problems
