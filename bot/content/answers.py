"""Render what the bot says: one Jinja template per intent over the school's notice facts."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import yaml

from bot.content.errors import ContentError
from bot.content.yaml_loader import SAFE_LOADER
from bot.types import Audience

if TYPE_CHECKING:
    from bot.content.school import School

FACTS_FILE = "facts.yaml"
BUTTONS_FILE = "buttons.yaml"
TEMPLATE_SUFFIX = ".md"
# How long the bot keeps what people type and the requests it logs, for the answer about the
# chat's own privacy; the school's settings replace these defaults (PRIVACYBOT_*_RETENTION_DAYS).
DEFAULT_BOT_DATA: Mapping[str, int] = {"transcript_days": 30, "closed_ticket_days": 6 * 365}


class Answers:
    """The answers folder, loaded once: facts parsed, templates compiled on first use."""

    def __init__(
        self,
        directory: Path,
        facts: Mapping[str, Any] | None = None,
        *,
        bot_data: Mapping[str, int] = DEFAULT_BOT_DATA,
    ) -> None:
        if not directory.is_dir():
            raise ContentError(f"{directory}: the answers folder does not exist")
        self.directory = directory
        self.facts = facts if facts is not None else load_facts(directory / FACTS_FILE)
        self.buttons = load_facts(directory / BUTTONS_FILE)
        # Replies are markdown, not HTML: each channel escapes for itself when it renders them.
        self._environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(directory),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
        )
        self._environment.filters["with_article"] = with_article
        self._environment.globals["bot_data"] = dict(bot_data)

    @classmethod
    def for_school(cls, school: School) -> Answers:
        """The school's answers folder over the facts already read into the school."""
        return cls(
            school.answers_dir,
            school.facts,
            bot_data={
                "transcript_days": school.transcript_retention_days,
                "closed_ticket_days": school.closed_ticket_retention_days,
            },
        )

    def has(self, name: str) -> bool:
        return (self.directory / f"{name}{TEMPLATE_SUFFIX}").is_file()

    def render(self, name: str, audience: Audience = Audience.PUBLIC, **extra: Any) -> str:
        """The template `name` as tidy markdown; raises ContentError naming the file on failure."""
        filename = f"{name}{TEMPLATE_SUFFIX}"
        try:
            template = self._environment.get_template(filename)
            text = template.render(facts=self.facts, audience=audience.value, **extra)
        except jinja2.TemplateNotFound as error:
            raise ContentError(f"{self.directory / filename}: template is missing") from error
        except jinja2.TemplateError as error:
            raise ContentError(f"{self.directory / filename}: {error}") from error
        return tidy_markdown(text)


def load_facts(path: Path) -> Mapping[str, Any]:
    """A YAML mapping from the answers folder: the notice facts or the button labels."""
    try:
        facts = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ContentError(f"{path}: cannot read it ({error})") from error
    if not isinstance(facts, Mapping):
        raise ContentError(f"{path}: expected keys and values")
    return facts


def with_article(noun_phrase: str) -> str:
    """ "subject access request" -> "a subject access request"; "objection ..." -> "an ..."."""
    article = "an" if noun_phrase[:1].lower() in "aeiou" else "a"
    return f"{article} {noun_phrase}"


def tidy_markdown(text: str) -> str:
    """Strip trailing spaces and collapse runs of blank lines left by template logic."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if not line and tidy and not tidy[-1]:
            continue
        tidy.append(line)
    return "\n".join(tidy)
