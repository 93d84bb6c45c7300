"""The reply markdown subset becomes safe HTML; anything outside the subset stays text."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.content.markup import to_html

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a"}


class _Audit(HTMLParser):
    """Collects every tag and attribute an HTML fragment would create in a browser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def assert_only_the_subset(html: str) -> None:
    audit = _Audit()
    audit.feed(html)
    for tag, attrs in audit.found:
        assert tag in ALLOWED_TAGS, html
        if tag != "a":
            assert attrs == [], html
            continue
        assert [name for name, _ in attrs] == ["href", "rel", "target"], html
        href = dict(attrs)["href"] or ""
        assert href.startswith(("http://", "https://", "mailto:")), html


def test_the_subset_renders() -> None:
    html = to_html("Hello **there**.\n\n- one\n- two with [a link](https://example.org/notice)")
    assert html == (
        "<p>Hello <strong>there</strong>.</p>\n"
        "<ul>\n<li>one</li>\n"
        '<li>two with <a href="https://example.org/notice" rel="noopener noreferrer"'
        ' target="_blank">a link</a></li>\n</ul>\n'
    )


def test_mail_links_are_links() -> None:
    assert '<a href="mailto:office@school.example"' in to_html(
        "[office@school.example](mailto:office@school.example)"
    )


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD4=)",
        "![image](https://example.org/x.png)",
        '[x](https://example.org" onclick="alert(1))',
        "<a href='https://example.org'>raw</a>",
        "# Title\n\n`code`\n\n> quote",
    ],
)
def test_markup_outside_the_subset_is_never_live(text: str) -> None:
    assert_only_the_subset(to_html(text))


PIECES = [
    "<", ">", "[x]", "(javascript:alert(1))", "(https://a.example)", "(mailto:a@b)", "**",
    "_", "- ", "1. ", "\n", "\n\n", "<script>", "<img src=x onerror=alert(1)>", "onerror=",
    '"', "'", "&", "&amp;", "!", "`", "# ", "> ", "\\", "word", " ",
]  # fmt: skip


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_no_text_at_all_escapes_the_subset(text: str) -> None:
    assert_only_the_subset(to_html(text))


def test_headings_and_code_stay_plain_text() -> None:
    assert to_html("# Title\n\n`code`") == "<p># Title</p>\n<p>`code`</p>\n"
