"""Letters to requesters, written from templates in answers/letters/ over the school's facts.

A template is plain text: its first line is `Subject: ...`, then a blank line, then the body.
What each kind of request means for the requester (its name, the date, what may happen next)
lives in answers/letters/kinds.yaml, so the data protection lead can change it without Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jinja2
import yaml

from bot.rules.deadlines import TicketKind
from bot.tickets.service import TicketView


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str


class LetterProblem(Exception):
    """A letter template or the kinds file is missing or malformed; the text names the file."""


def long_date(day: date) -> str:
    """29 November 2026: unambiguous for a parent anywhere, unlike 29/11/2026."""
    return f"{day.day} {day:%B %Y}"


class Letters:
    def __init__(self, answers_dir: Path, facts: Mapping[str, Any]) -> None:
        self._folder = answers_dir / "letters"
        self._facts = facts
        self._environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self._folder),
            # Plain-text email: nothing to escape, and every missing fact must fail loudly.
            autoescape=False,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        self._environment.filters["long_date"] = long_date
        self._kinds = self._load_kinds()

    def _load_kinds(self) -> dict[str, dict[str, Any]]:
        path = self._folder / "kinds.yaml"
        try:
            kinds = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise LetterProblem(f"{path}: {error}") from error
        missing = [kind.value for kind in TicketKind if kind.value not in (kinds or {})]
        if missing:
            raise LetterProblem(f"{path}: no entry for {', '.join(missing)}")
        return dict(kinds)

    def write(self, name: str, ticket: TicketView, **extra: Any) -> Letter:
        """The letter `name` (answers/letters/NAME.txt) for `ticket`."""
        try:
            template = self._environment.get_template(f"{name}.txt")
            text = template.render(
                facts=self._facts,
                ticket=ticket,
                kind=self._kinds[ticket.kind.value],
                received=ticket.received_on,
                **extra,
            )
        except jinja2.TemplateError as error:
            raise LetterProblem(f"{self._folder / name}.txt: {error}") from error
        first, _, body = text.partition("\n")
        if not first.startswith("Subject:"):
            raise LetterProblem(f"{self._folder / name}.txt: the first line must be 'Subject: ...'")
        return Letter(subject=first.removeprefix("Subject:").strip(), body=body.strip() + "\n")


def check_letters(answers_dir: Path, facts: Mapping[str, Any]) -> list[str]:
    """Every letter rendered for every kind of request: the problems, each naming its file."""
    sample = _sample_ticket()
    try:
        letters = Letters(answers_dir, facts)
    except LetterProblem as error:
        return [str(error)]
    problems: list[str] = []
    for template in sorted((answers_dir / "letters").glob("*.txt")):
        for kind in TicketKind:
            ticket = replace(sample, kind=kind)
            try:
                letters.write(
                    template.stem,
                    ticket,
                    message="-",
                    new_due=ticket.due_date,
                    code="000000",
                    status_url=None,
                )
            except LetterProblem as error:
                problems.append(str(error))
                break
    return problems


def _sample_ticket() -> TicketView:
    # Every field a letter could use, filled, so a template's mistake shows up in the check.
    when = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    values: dict[str, Any] = {field.name: None for field in fields(TicketView)}
    values.update(
        reference="SAR-2026-0001",
        kind=TicketKind.SAR,
        received_at=when,
        logged_at=when,
        requester_name="A Parent",
        requester_contact="parent@example.org",
        subject_name="A Pupil",
        subject_is_child=True,
        request_text="Everything you hold",
        due_date=date(2026, 4, 7),
        extended=False,
    )
    return TicketView(**values)
