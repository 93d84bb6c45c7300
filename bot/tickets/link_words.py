"""The words for linking Slack and Teams users to staff accounts (answers/staff_links.yaml): the
console's links page and its problems, which `privacybot staff link` reports in the same words."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.config import ConfigError
from bot.content.errors import ContentError
from bot.content.wordbook import Wordbook
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

    book: Wordbook

    @classmethod
    def load(cls, answers_dir: Path) -> LinkWords:
        """Read the words; ConfigError names the file and every missing key."""
        required = [
            *REQUIRED,
            *(f"problems.{key}" for key in PROBLEMS),
            *(f"platforms.{key}" for key in PLATFORMS),
        ]
        try:
            return cls(Wordbook.load(answers_dir / LINK_WORDS_FILE, required))
        except ContentError as error:
            raise ConfigError(str(error)) from error

    def say(self, key: str, **values: object) -> str:
        return self.book.say(key, **values)

    def platform(self, platform: str) -> str:
        key = f"platforms.{platform}"
        return self.book.say(key) if key in self.book.entries else platform

    def caption(self, count: int) -> str:
        if count == 0:
            return self.say("caption_none")
        return self.say("caption_one") if count == 1 else self.say("caption_many", count=count)

    def problem(self, key: str, **values: object) -> str:
        return self.book.say(f"problems.{key}", **values)

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
