"""The bot's markdown subset, rendered as Microsoft Teams message markdown.

Teams reads nearly the same markdown, so this walks the one parser's tokens
(bot.content.markup.subset) and writes them back out, escaping the text in between: words a
person typed (a requester's name in an intake summary) must stay words, never become a link, a
heading or Teams' own <at> markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from markdown_it.token import Token

from bot.content.markup import subset

_parser = subset()
# Markdown syntax characters, and the angle brackets Teams would read as its HTML subset.
_SPECIAL = re.compile(r"([\\`*_\[\]#~|])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _escape(text: str) -> str:
    escaped = _SPECIAL.sub(r"\\\1", text)
    return "".join(_ENTITIES.get(ch, ch) for ch in escaped)


def _link_target(url: str) -> str:
    # A space or bracket would end the target early and spill the rest into the message.
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _inline(children: Sequence[Token]) -> str:
    out: list[str] = []
    targets: list[str] = []
    for token in children:
        kind = token.type
        if kind == "text":
            out.append(_escape(token.content))
        elif kind in ("strong_open", "strong_close"):
            out.append("**")
        elif kind in ("em_open", "em_close"):
            out.append("_")
        elif kind == "link_open":
            targets.append(str(token.attrGet("href") or ""))
            out.append("[")
        elif kind == "link_close":
            out.append(f"]({_link_target(targets.pop())})")
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        else:
            out.append(_escape(token.content))
    return "".join(out)


@lru_cache(maxsize=2048)
def to_teams(text: str) -> str:
    """Reply markdown as Teams markdown: paragraphs apart, one list item a line."""
    blocks: list[str] = []
    lines: list[str] = []
    # One entry per open list: the next number for an ordered list, None for bullets.
    lists: list[int | None] = []
    prefix = ""
    for token in _parser.parse(text):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            if not lists and lines:
                blocks.append("\n".join(lines))
                lines = []
            start = token.attrGet("start")
            lists.append(None if kind == "bullet_list_open" else int(start or 1))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                blocks.append("\n".join(lines))
                lines = []
        elif kind == "list_item_open":
            number = lists[-1]
            prefix = "  " * (len(lists) - 1) + ("- " if number is None else f"{number}. ")
            if number is not None:
                lists[-1] = number + 1
        elif kind == "inline":
            content = _inline(token.children or [])
            if lists:
                lines.append(prefix + content.replace("\n", " "))
                prefix = "  " * len(lists)
            else:
                blocks.append(content)
    return "\n\n".join(block for block in blocks if block)
