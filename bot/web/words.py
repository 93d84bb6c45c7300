"""The chat page's and widget's own words, from answers/web_chat.yaml, rendered once at start;
and the chat API's error sentences, from answers/web_errors.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from bot.content.answers import load_facts
from bot.content.errors import ContentError
from bot.content.markup import to_html
from bot.content.wordbook import Wordbook

WORDS_FILE = "web_chat.yaml"
ERRORS_FILE = "web_errors.yaml"
# The chat API's error codes that answer with a school's sentence (each route raises by code).
ERROR_CODES = (
    "rate_limited message_too_long unknown_conversation nul_character internal_error "
    "unavailable no_transcript no_receipt no_email already_sent mail_failed unknown_intent "
    "unknown_feedback empty_comment already_commented"
).split()
# Every key the page, the chat script and the widget look up.
REQUIRED = """
title about start_again close close_hidden input_label send hint footer no_script
looking_up empty unreachable went_wrong not_sent try_again choose_again resumed
near_limit over_limit helpful_question helpful_yes helpful_no helpful_comment_label
helpful_comment_send helpful_comment_too_long helpful_thanks helpful_failed receipt_print
receipt_email receipt_emailed receipt_email_subject receipt_email_failed receipt_page_title
receipt_print_button receipt_missing launcher widget_unavailable
""".split()


@dataclass(frozen=True)
class PageWords:
    """Each entry as plain text and as inline HTML that is safe to insert into a page."""

    text: Mapping[str, str]
    html: Mapping[str, str]

    @classmethod
    def load(
        cls, answers_dir: Path, facts: Mapping[str, Any], *, retention_days: int, limit: int
    ) -> PageWords:
        """Read and render the words file; ContentError names the file and what is wrong."""
        path = answers_dir / WORDS_FILE
        raw = load_facts(path)
        missing = [key for key in REQUIRED if not isinstance(raw.get(key), str)]
        if missing:
            raise ContentError(f"{path}: missing or not text: {', '.join(missing)}")
        environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
        values = {"facts": facts, "retention_days": retention_days, "limit": f"{limit:,}"}
        text: dict[str, str] = {}
        for key in REQUIRED:
            try:
                text[key] = environment.from_string(raw[key]).render(values).strip()
            except jinja2.TemplateError as error:
                raise ContentError(f"{path}: {key}: {error}") from error
        return cls(text=text, html={key: inline_html(value) for key, value in text.items()})


def inline_html(markdown: str) -> Markup:
    """One line of the markdown subset as HTML without its paragraph, to sit inside an element."""
    html = to_html(markdown).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    # Safe: the markdown renderer escapes everything but the subset's own tags.
    return Markup(html)


def error_words(answers_dir: Path) -> Wordbook:
    """The chat API's error sentences by code; start-up fails naming the file and a missing one."""
    return Wordbook.load(answers_dir / ERRORS_FILE, ERROR_CODES)
