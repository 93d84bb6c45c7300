"""`ask --json`, `classify` and `eval` show why the bot decided as it did (the real command)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PRIVACYBOT = Path(sys.executable).with_name("privacybot")
REAL_STYLE = Path(__file__).parent.parent / "eval" / "real-style.jsonl"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PRIVACYBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path / "data"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(PRIVACYBOT), *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        env=dict(os.environ),
        check=False,
    )


def test_ask_json_shows_both_opinions_and_the_phrasings_behind_them() -> None:
    result = run("ask", "--json", "how long do you hang on to my son's school file")
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert (reply["intent"], reply["outcome"]) == ("retention", "answer")
    assert 0 < reply["lexical"] <= 100
    assert 0 < reply["semantic"] <= 100
    assert reply["example"]
    assert reply["semantic_example"]
    # The blend lies between its two parts.
    low, high = sorted((reply["lexical"], reply["semantic"]))
    assert low - 0.1 <= reply["score"] <= high + 0.1


def test_a_fallback_still_names_the_best_candidate_but_not_as_the_intent() -> None:
    result = run("classify", stdin=b"when is half term\n")
    row = json.loads(result.stdout)
    assert row["intent"] is None
    assert row["outcome"] == "fallback"
    assert row["candidate"]["intent"]
    assert 0 <= row["candidate"]["score"] <= 100
    assert row["out_of_scope"]["example"]


def test_a_long_message_says_which_sentence_was_matched() -> None:
    message = (
        "My eldest left in 2018 and my youngest is in reception now. I was clearing out a drawer. "
        "How long does the school keep records once a child has left?"
    )
    row = json.loads(run("classify", stdin=message.encode() + b"\n").stdout)
    assert row["intent"] == "retention"
    assert row["sentence"].startswith("How long does the school keep")


def test_eval_reports_top1_shown_top3_refusal_and_a_split() -> None:
    result = run("eval", str(REAL_STYLE), "--split", "test")
    assert result.returncode == 0, result.stderr
    output = result.stdout.decode()
    for line in ("top-1", "shown (answer or choices)", "top-3 ranked", "out-of-scope refused"):
        assert line in output


def test_eval_counts_labels_this_content_lacks_apart(tmp_path: Path) -> None:
    labelled = tmp_path / "set.jsonl"
    labelled.write_text(
        '{"text": "how long do you keep pupil data", "intents": ["retention"]}\n'
        '{"text": "can the canteen use a palm scanner", "intents": ["no_such_topic_yet"]}\n'
    )
    output = run("eval", str(labelled)).stdout.decode()
    assert "top-1 (acted on first)     100.0%  (1/1)" in output
    assert "labels not in this content      1" in output


def test_eval_of_an_empty_split_says_so(tmp_path: Path) -> None:
    labelled = tmp_path / "set.jsonl"
    labelled.write_text('{"text": "when is half term", "intents": [], "split": "tune"}\n')
    result = run("eval", str(labelled), "--split", "test")
    assert result.returncode == 2
    assert b"no questions" in result.stderr
