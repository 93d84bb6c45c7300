"""The bot's markdown subset, parsed one way for every channel, and rendered as safe HTML.

Replies use paragraphs, "- " lists, **bold** and [text](url) links, nothing more. `subset()` builds
the one parser; the web renders its tokens as HTML here, and a Slack mrkdwn or Teams renderer can
walk the same tokens (`subset().parse(text)`) beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

LINK_SCHEMES = ("http://", "https://", "mailto:")


class _Subset(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        # Anything else (javascript:, data:, relative paths) stays as plain text.
        return url.strip().lower().startswith(LINK_SCHEMES) and super().validateLink(url)


def subset() -> MarkdownIt:
    """The parser for exactly the subset: raw HTML, images, headings and code are plain text."""
    parser = _Subset("zero", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["paragraph", "list", "emphasis", "link"])
    return parser


def _link_open(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    index: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    # Links leave the chat (and the iframe it may sit in) without handing the page to the target.
    tokens[index].attrSet("rel", "noopener noreferrer")
    tokens[index].attrSet("target", "_blank")
    return renderer.renderToken(tokens, index, options, env)


_html = subset()
_html.add_render_rule("link_open", _link_open)


@lru_cache(maxsize=2048)
def to_html(text: str) -> str:
    """Reply markdown as HTML that is safe to insert into a page; cached, as replies repeat."""
    return str(_html.render(text))
