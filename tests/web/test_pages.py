"""The chat page, the widget loader and the security headers on everything the app serves."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from tests.web.conftest import web_settings

PATHS = ["/chat", "/chat?embed=1", "/widget.js", "/static/chat.js", "/healthz", "/nowhere"]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "'unsafe-inline'" not in policy
    assert "default-src 'none'" in policy


def test_api_posts_carry_the_security_headers_too(client: TestClient) -> None:
    response = client.post("/api/conversations")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_only_the_chat_page_may_be_framed_and_only_by_configured_sites(tmp_path: Path) -> None:
    settings = web_settings(
        tmp_path, embed_origins=["https://www.west-borough.example", "http://localhost:8001"]
    )
    with TestClient(create_app(settings)) as client:
        chat = client.get("/chat?embed=1").headers["Content-Security-Policy"]
        assert chat.endswith(
            "frame-ancestors 'self' https://www.west-borough.example http://localhost:8001"
        )
        api = client.get("/healthz").headers["Content-Security-Policy"]
        assert api.endswith("frame-ancestors 'none'")


def test_the_chat_page_names_the_school_and_its_contact(client: TestClient) -> None:
    page = client.get("/chat")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "West Borough School" in page.text
    assert 'href="mailto:office@west-borough.kent.sch.uk"' in page.text


def test_the_chat_page_has_a_log_a_labelled_input_and_no_inline_code(client: TestClient) -> None:
    found = tags(client.get("/chat").text)
    log = [attrs for tag, attrs in found if attrs.get("role") == "log"]
    assert len(log) == 1
    assert log[0]["aria-live"] == "polite"
    assert log[0]["aria-label"] == "Conversation"
    labels = [attrs.get("for") for tag, attrs in found if tag == "label"]
    assert "question" in labels
    assert ("textarea", "question") in [(tag, attrs.get("id")) for tag, attrs in found]
    for tag, attrs in found:
        assert "style" not in attrs, tag
        assert not [name for name in attrs if name.startswith("on")], tag
        if tag == "script":
            # The page's words travel as a JSON data block, which a browser never runs.
            assert attrs.get("src") or attrs.get("type") == "application/json", "inline script"
    assert "<style" not in client.get("/chat").text


def test_the_embedded_page_has_a_close_button_and_the_plain_one_does_not(
    client: TestClient,
) -> None:
    assert 'id="close-chat"' in client.get("/chat?embed=1").text
    assert 'id="close-chat"' not in client.get("/chat").text


def test_the_message_limit_reaches_the_page_but_never_cuts_a_paste(tmp_path: Path) -> None:
    with TestClient(create_app(web_settings(tmp_path, max_message_chars=300))) as client:
        page = client.get("/chat").text
    assert 'data-max-chars="300"' in page
    # A maxlength would silently cut a longer paste; the page shows the limit instead.
    assert "maxlength" not in page


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/widget.js", "text/javascript"),
        ("/static/chat.js", "text/javascript"),
        ("/static/chat.css", "text/css"),
        ("/static/favicon.svg", "image/svg+xml"),
    ],
)
def test_assets_are_served_by_the_app_with_their_types(
    client: TestClient, path: str, kind: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(kind)


def test_nothing_is_loaded_from_another_site(client: TestClient) -> None:
    for tag, attrs in tags(client.get("/chat").text):
        if tag == "a":
            continue  # a link to the school's own privacy notice is not something loaded
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not value.startswith(("http:", "https:", "//")), (tag, value)


def test_head_works_for_uptime_checks(client: TestClient) -> None:
    assert client.head("/chat").status_code == 200
    assert client.head("/widget.js").status_code == 200
