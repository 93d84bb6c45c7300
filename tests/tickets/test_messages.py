"""The words the ticket service hands every channel: each kind's name, the triage vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.errors import ContentError
from bot.rules.deadlines import TicketKind
from bot.tickets.messages import TicketMessages, shipped_messages
from tests.words_files import copy_answers, drop_lines


def test_every_kind_has_its_own_name() -> None:
    labels = {kind: shipped_messages().kind_label(kind) for kind in TicketKind}
    assert labels[TicketKind.SAR] == "subject access request"
    assert labels[TicketKind.COMPLAINT] == "complaint about data handling"
    assert len(set(labels.values())) == len(TicketKind)


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    return copy_answers(tmp_path)


def test_a_school_names_its_kinds_and_buttons_in_its_own_words(answers: Path) -> None:
    kinds = answers / "intake" / "kinds.yaml"
    kinds.write_text(
        kinds.read_text(encoding="utf-8").replace(
            "  label: subject access request", "  label: request for a copy of records"
        ),
        encoding="utf-8",
    )
    triage = answers / "triage.yaml"
    triage.write_text(
        triage.read_text(encoding="utf-8").replace("assign: Take it", "assign: I'll do it"),
        encoding="utf-8",
    )
    messages = TicketMessages.load(answers)
    assert messages.kind_label(TicketKind.SAR) == "request for a copy of records"
    assert messages.triage.say("buttons.assign") == "I'll do it"


def test_a_missing_triage_word_is_named(answers: Path) -> None:
    triage = answers / "triage.yaml"
    drop_lines(triage, "  refusal_reason:")
    with pytest.raises(ContentError, match=r"triage\.yaml: no words for problems\.refusal_reason"):
        TicketMessages.load(answers)
