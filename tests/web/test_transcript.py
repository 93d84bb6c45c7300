"""The conversation so far, for a reloaded page; and the privacy line on the page and in the
first message."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from bot.app import create_app
from bot.config import Settings
from tests.web.conftest import start, web_settings

SHIPPED_ANSWERS = Settings(_env_file=None).answers_dir  # type: ignore[call-arg]

NOTICE = "https://www.west-borough.kent.sch.uk/privacy-notice"


def say(client: TestClient, signed: str, text: str, message_id: str) -> dict[str, object]:
    response = client.post(
        "/api/chat/messages",
        json={"conversation_id": signed, "text": text, "message_id": message_id},
    )
    assert response.status_code == 200, response.text
    reply: dict[str, object] = response.json()["reply"]
    return reply


def test_the_transcript_comes_back_with_chosen_buttons_as_their_labels(
    tmp_path: Path, database_url: str
) -> None:
    settings = web_settings(tmp_path / "data", database_url=database_url)
    with TestClient(create_app(settings)) as client:
        signed, greeting = start(client)
        say(client, signed, "How long do you keep my child's information?", "m1")
        choices: list[dict[str, str]] = []
        for n, question in enumerate(["sharing", "rights", "data", "keep"]):
            reply = say(client, signed, question, f"q{n}")
            choices = reply["choices"]  # type: ignore[assignment]
            if choices:
                break
        assert choices, "no question gave a 'did you mean' reply"
        say(client, signed, choices[0]["value"], "m3")
        response = client.post("/api/conversations/transcript", json={"conversation_id": signed})
        assert response.status_code == 200, response.text
        body = response.json()
    assert body["greeting"]["text"] == greeting["text"]
    turns = body["turns"]
    assert turns[0] == {
        "role": "person",
        "text": "How long do you keep my child's information?",
        "reply": None,
    }
    assert "6 years" in turns[1]["reply"]["text"]
    assert turns[1]["reply"]["match"]["intent"] == "retention"
    offered = turns[-3]["reply"]["choices"]
    assert offered == choices
    # The button's label, as the person saw it, not the value it sent.
    assert turns[-2] == {"role": "person", "text": choices[0]["label"], "reply": None}
    assert turns[-1]["role"] == "bot"


def test_no_transcript_for_a_forged_id_or_a_conversation_never_saved(tmp_path: Path) -> None:
    with TestClient(create_app(web_settings(tmp_path / "data"))) as client:
        signed, _ = start(client)
        empty = client.post("/api/conversations/transcript", json={"conversation_id": signed})
        assert empty.status_code == 404
        forged = client.post(
            "/api/conversations/transcript", json={"conversation_id": signed + "0"}
        )
        assert forged.status_code == 403


def test_the_page_and_the_first_message_say_a_machine_answers_and_what_is_kept(
    tmp_path: Path,
) -> None:
    # A school that has published its notice: both lines link to it.
    answers = tmp_path / "answers"
    shutil.copytree(SHIPPED_ANSWERS, answers)
    facts = answers / "facts.yaml"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace("notice_url: null", f"notice_url: {NOTICE}"),
        encoding="utf-8",
    )
    settings = web_settings(tmp_path / "data", transcript_retention_days=14, answers_dir=answers)
    with TestClient(create_app(settings)) as client:
        page = client.get("/chat").text
        _, greeting = start(client)
    assert "An automated helper, not a person" in page
    assert "kept for 14 days, then deleted" in page
    assert f'href="{NOTICE}"' in page
    text = str(greeting["text"])
    assert "automated helper, not a person" in text
    assert "here is kept for 14 days" in text
    assert f"]({NOTICE})" in text


def test_without_a_published_notice_both_lines_point_to_the_office(tmp_path: Path) -> None:
    with TestClient(create_app(web_settings(tmp_path / "data"))) as client:
        page = client.get("/chat").text
        _, greeting = start(client)
    assert "kept for 30 days, then deleted" in page
    assert "For our privacy notice, email" in page
    assert "(mailto:office@west-borough.kent.sch.uk) can send it to you" in str(greeting["text"])
