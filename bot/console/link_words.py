"""The words of the console's Slack and Teams links page, from answers/staff_links.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.config import ConfigError
from bot.content.answers import load_facts
from bot.content.errors import ContentError
from bot.tickets.staff_links import (
    PLATFORMS,
    AlreadyLinked,
    BadPlatformUser,
    DisabledStaffAccount,
    LinkProblem,
    NoSuchLink,
    UnknownStaffAccount,
)

LINK_WORDS_FILE = "staff_links.yaml"
# Every key the page looks up, so a missing one stops the start rather than a page.
REQUIRED = """
title intro to_the_page back caption_none caption_one caption_many column_platform column_user
column_account column_linked_by column_when column_change account_disabled remove remove_label
add_heading platform_label platform_choose user_label user_hint account_label account_choose add
linked unlinked
""".split()
PROBLEMS = """
choose_platform missing_user bad_slack_user bad_teams_user choose_account unknown_account
disabled_account already_linked no_such_link
""".split()


@dataclass(frozen=True)
class LinkWords:
    """The school's wording for the page; `say` fills in the placeholders."""

    text: Mapping[str, str]
    problems: Mapping[str, str]
    platforms: Mapping[str, str]

    @classmethod
    def load(cls, answers_dir: Path) -> LinkWords:
        """Read the words; ConfigError names the file and every missing key."""
        path = answers_dir / LINK_WORDS_FILE
        try:
            data = load_facts(path)
        except ContentError as error:
            raise ConfigError(str(error)) from error
        problems = data.get("problems")
        platforms = data.get("platforms")
        problems = problems if isinstance(problems, Mapping) else {}
        platforms = platforms if isinstance(platforms, Mapping) else {}
        missing = [key for key in REQUIRED if not _is_text(data.get(key))]
        missing += [f"problems.{key}" for key in PROBLEMS if not _is_text(problems.get(key))]
        missing += [f"platforms.{key}" for key in PLATFORMS if not _is_text(platforms.get(key))]
        if missing:
            raise ConfigError(f"{path}: missing or not text: {', '.join(missing)}")
        return cls(
            text={key: str(data[key]).strip() for key in REQUIRED},
            problems={key: str(problems[key]).strip() for key in PROBLEMS},
            platforms={key: str(platforms[key]).strip() for key in PLATFORMS},
        )

    def say(self, key: str, **values: object) -> str:
        return self.text[key].format(**values)

    def platform(self, platform: str) -> str:
        return self.platforms.get(platform, platform)

    def caption(self, count: int) -> str:
        if count == 0:
            return self.say("caption_none")
        return self.say("caption_one") if count == 1 else self.say("caption_many", count=count)

    def problem(self, key: str, **values: object) -> str:
        return self.problems[key].format(**values)

    def problem_of(self, error: LinkProblem) -> str:
        """What went wrong with a link, in the school's words."""
        if isinstance(error, BadPlatformUser):
            if error.platform not in PLATFORMS:
                return self.problem("choose_platform")
            if not error.user_id.strip():
                return self.problem("missing_user", platform=self.platform(error.platform))
            return self.problem(f"bad_{error.platform}_user", user=error.user_id.strip())
        if isinstance(error, UnknownStaffAccount):
            if not error.email:
                return self.problem("choose_account")
            return self.problem("unknown_account", email=error.email)
        if isinstance(error, DisabledStaffAccount):
            return self.problem("disabled_account", email=error.email)
        if isinstance(error, AlreadyLinked):
            platform = self.platform(error.platform)
            return self.problem(
                "already_linked", platform=platform, user=error.user_id, email=error.email
            )
        if isinstance(error, NoSuchLink):
            platform = self.platform(error.platform)
            return self.problem("no_such_link", platform=platform, user=error.user_id)
        raise error


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())
