"""The bot's markdown subset as Slack mrkdwn, and Slack's text back into the subset.

Replies are parsed by the same parser as the web's HTML (bot.content.markup.subset) and written
out in Slack's own syntax: `<url|text>` links, `*bold*`, `_italic_`, "• " bullets, and &, < and >
escaped as Slack requires, so nothing a template or a person wrote becomes a mention or a link.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache

from markdown_it.token import Token

from bot.content.markup import subset

_parser = subset()

# Slack's angle-bracket forms: <url|label>, <url>, <@U123>, <#C123|name>, <!here>.
_ANGLE = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_SLACK_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_BULLET = re.compile(r"^[ \t]*[•◦▪]\s+", re.MULTILINE)


def escape(text: str) -> str:
    """Text that Slack shows as written: only &, < and > need escaping (Slack's rule)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link_target(url: str) -> str:
    # "|" would end the URL inside <url|text>; percent-encoding it keeps the same address.
    return escape(url.strip()).replace("|", "%7C")


@lru_cache(maxsize=2048)
def to_mrkdwn(text: str) -> str:
    """Reply markdown as Slack mrkdwn; cached, as replies repeat."""
    blocks: list[str] = []
    lists: list[list[int]] = []  # one counter per open list: 0 for bullets, n for ordered
    for token in _parser.parse(text):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrGet("start")
            lists.append([0] if kind == "bullet_list_open" else [int(start or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                blocks.append("")
        elif kind == "inline":
            line = _inline(token.children or [])
            if lists:
                counter = lists[-1]
                marker = "•" if counter[0] == 0 else f"{counter[0]}."
                if counter[0]:
                    counter[0] += 1
                indent = "    " * (len(lists) - 1)
                line = f"{indent}{marker} " + line.replace("\n", "\n" + indent + "  ")
            blocks.append(line)
        elif kind == "paragraph_close" and not lists:
            blocks.append("")
    return "\n".join(blocks).strip()


def _inline(children: Sequence[Token]) -> str:
    out: list[str] = []
    link: list[str] = []  # the open link's target, while its text is being written
    label: list[str] = []
    for child in children:
        kind = child.type
        target = label if link else out
        if kind == "text":
            target.append(escape(child.content))
        elif kind in ("softbreak", "hardbreak"):
            target.append("\n")
        elif kind in ("strong_open", "strong_close"):
            target.append("*")
        elif kind in ("em_open", "em_close"):
            target.append("_")
        elif kind == "link_open":
            link.append(str(child.attrGet("href") or ""))
            label.clear()
        elif kind == "link_close" and link:
            url = link.pop()
            words = "".join(label).replace("|", "/")
            out.append(f"<{_link_target(url)}|{words}>" if words else f"<{_link_target(url)}>")
    return "".join(out)


def from_mrkdwn(text: str) -> str:
    """What staff typed in Slack as the bot's markdown subset (links, bold and bullets kept)."""

    def angle(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("http://", "https://", "mailto:")):
            words = label or target.removeprefix("mailto:")
            return f"[{_md_escape(words)}]({target})"
        if target.startswith("#") and label:
            return f"#{label}"
        return ""  # user mentions and broadcasts mean nothing outside Slack

    converted = _ANGLE.sub(angle, text)
    converted = _SLACK_BOLD.sub(r"**\1**", converted)
    converted = _BULLET.sub("- ", converted)
    # The web escapes for itself; entities would otherwise show as "&amp;".
    return html.unescape(converted).strip()


def plain_text(text: str) -> str:
    """A Slack message as the words a person typed, for matching: no markup, no mentions."""

    def angle(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "!")):
            return ""
        if target.startswith("#"):
            return label or ""
        return label or target.removeprefix("mailto:")

    return re.sub(r"[ \t]{2,}", " ", html.unescape(_ANGLE.sub(angle, text))).strip()


def _md_escape(words: str) -> str:
    return words.replace("[", "(").replace("]", ")")
