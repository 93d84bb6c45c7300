"""Why a change was refused comes from the school's answers/ticket_problems.yaml, in the real
service, and a school's copy missing a refusal stops the start, naming the file and the key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from bot.content.errors import ContentError
from bot.rules.lifecycle import ActionNotAllowed, Outcome
from bot.teams.triage_actions import UnknownAction, apply
from bot.teams.triage_card import REFERENCE_KEY
from bot.tickets.messages import TicketMessages
from bot.tickets.reopening import Reopening
from bot.tickets.service import InvalidChange, NewRequest, RequestService, TicketNotFound
from tests.conftest import Clock
from tests.words_files import copy_answers, reword


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    return copy_answers(tmp_path)


def reword_problem(answers: Path, old: str, new: str) -> None:
    reword(answers / "ticket_problems.yaml", old, new)


def settings_for(answers: Path, tmp_path: Path, database_url: str | None) -> Settings:
    return Settings(answers_dir=answers, data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
def school_service(
    answers: Path, tmp_path: Path, database_url: str, clock: Clock
) -> Iterator[RequestService]:
    """The real service, built as the apps build it, from the school's (edited) answers."""
    reword_problem(
        answers,
        "not_allowed_closed: \"{reference} is closed, so '{action}' is not possible; "
        'reopen it first (with the reason), or add a note"',
        'not_allowed_closed: "{reference} is closed: {action} cannot be done now. Reopen it."',
    )
    reword_problem(answers, "  note: the note\n", "  note: the words of the note\n")
    reword_problem(
        answers, 'no_ticket: "no ticket {reference}"', 'no_ticket: "We hold no {reference}"'
    )
    reword_problem(answers, "is not something this card can do", "is not a button this bot knows")
    service = RequestService.from_settings(settings_for(answers, tmp_path, database_url), now=clock)
    yield service
    service.dispose()


def test_the_service_refuses_in_the_schools_words(
    school_service: RequestService, new_request: Callable[..., NewRequest]
) -> None:
    reference = school_service.log(new_request(), actor="office").reference
    school_service.close(reference, Outcome.WITHDRAWN, actor="dana")

    with pytest.raises(ActionNotAllowed) as refused:
        school_service.assign(reference, "Dana", actor="dana")
    refusal = f"{reference} is closed: assign cannot be done now. Reopen it."
    assert str(refused.value) == refusal

    # A phrase handed in as a value is the school's too.
    with pytest.raises(InvalidChange, match=r"^the words of the note is missing$"):
        school_service.add_note(reference, "  ", actor="dana")

    # Steps built beside the service take its words.
    reopening = Reopening(school_service.sessions, messages=school_service.messages)
    with pytest.raises(TicketNotFound, match=r"^We hold no SAR-1999-0001$"):
        reopening.reopen("sar-1999-0001", "sent to the wrong parent", actor="dana")

    # A Teams card's button the bot does not offer.
    with pytest.raises(UnknownAction, match=r"^'snooze' is not a button this bot knows$"):
        apply(school_service, "snooze", {REFERENCE_KEY: reference}, actor="dana", name="Dana")


def test_a_missing_refusal_stops_the_start_naming_file_and_key(
    answers: Path, tmp_path: Path
) -> None:
    reword_problem(answers, "  told_on: the day the requester was told\n", "")
    reword_problem(
        answers, 'not_closed: "{reference} is not closed, so there is nothing to reopen"\n', ""
    )
    with pytest.raises(ContentError) as missing:
        TicketMessages.load(answers)
    assert str(missing.value) == (
        f"{answers / 'ticket_problems.yaml'}: no words for not_closed, what.told_on"
    )
    # The service refuses to start on it, before opening any database.
    with pytest.raises(ConfigError, match=r"ticket_problems\.yaml: no words for not_closed"):
        RequestService.from_settings(settings_for(answers, tmp_path, None))


def test_the_notes_the_service_writes_are_in_the_schools_words(
    answers: Path,
    tmp_path: Path,
    database_url: str,
    clock: Clock,
    new_request: Callable[..., NewRequest],
) -> None:
    rules = answers / "ticket_rules.yaml"
    reword(
        rules,
        'hold: "Internal hold, the statutory clock keeps running: {reason}"',
        'hold: "On hold in school, the clock runs on: {reason}"',
    )
    reword(rules, 'reopened: "Reopened: {reason}"', 'reopened: "Opened again because: {reason}"')
    service = RequestService.from_settings(settings_for(answers, tmp_path, database_url), now=clock)
    try:
        reference = service.log(new_request(), actor="office").reference
        service.record_hold(reference, "waiting for legal advice", actor="dana")
        service.close(reference, Outcome.WITHDRAWN, actor="dana")
        Reopening(service.sessions, messages=service.messages).reopen(
            reference, "not withdrawn after all", actor="dana"
        )
        notes = [note.text for note in service.get(reference, actor="dana").notes]
    finally:
        service.dispose()
    assert notes == [
        "On hold in school, the clock runs on: waiting for legal advice",
        "Opened again because: not withdrawn after all",
    ]
