"""Matching latency (p50/p99 per question) and `classify` throughput, on the shipped content and
on the content multiplied tenfold. A benchmark, not a test: it prints a table.

    .venv/bin/python tests/benchmarks/matching.py [--rounds N]

Numbers are also given as ratios against a baseline run in the same process: a plain rapidfuzz
`process.extractOne` (WRatio) scan over the same example phrasings, the naive matcher.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.config import load_settings
from bot.content.evaluation import read_labelled
from bot.content.intents import IntentSet, load_intents
from bot.content.matching import Matcher

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = [q.text for q in read_labelled(ROOT / "tests" / "eval" / "questions.jsonl")]


def tenfold(intent_set: IntentSet) -> IntentSet:
    """Ten copies of every intent, each phrasing varied so no two examples are identical."""
    copies = []
    for intent in intent_set.intents:
        for n in range(10):
            copies.append(
                dataclasses.replace(
                    intent,
                    id=f"{intent.id}_{n}",
                    examples=tuple(f"{e} {'please ' * n}".strip() for e in intent.examples),
                )
            )
    return IntentSet(tuple(copies), intent_set.synonyms)


def latencies(call: Callable[[str], object], rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        for question in QUESTIONS:
            start = time.perf_counter()
            call(question)
            timings.append(time.perf_counter() - start)
    return timings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def classify_throughput(repeat: int) -> tuple[float, float]:
    """Questions per second through the real `privacybot classify`, start-up included and not."""
    script = Path(sys.executable).with_name("privacybot")
    empty = subprocess.run([script, "classify"], input=b"", capture_output=True, check=True)
    del empty
    start = time.perf_counter()
    subprocess.run([script, "classify"], input=b"", capture_output=True, check=True)
    startup = time.perf_counter() - start
    payload = ("\n".join(QUESTIONS * repeat) + "\n").encode()
    start = time.perf_counter()
    result = subprocess.run([script, "classify"], input=payload, capture_output=True, check=True)
    elapsed = time.perf_counter() - start
    lines = result.stdout.count(b"\n")
    assert lines == len(QUESTIONS) * repeat, "classify lost lines"
    return lines / elapsed, lines / max(elapsed - startup, 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says

    shipped = load_intents(load_settings().intents_dir)
    rows = []
    for label, content in (("shipped", shipped), ("tenfold", tenfold(shipped))):
        matcher = Matcher(content)
        examples = [e for i in content.intents for e in i.examples]
        naive = latencies(lambda q, ex=examples: process.extractOne(q, ex, scorer=fuzz.WRatio), 1)
        ours = latencies(matcher.decide, args.rounds)
        rows.append((label, len(examples), ours, naive))

    print(f"{len(QUESTIONS)} questions x {args.rounds} rounds, one core\n")
    print(
        f"{'content':<9} {'examples':>8} {'p50 ms':>8} {'p99 ms':>8} {'naive p50':>10} "
        f"{'p50 vs naive':>13}"
    )
    for label, count, ours, naive in rows:
        p50, p99 = percentile(ours, 0.5) * 1e3, percentile(ours, 0.99) * 1e3
        naive_p50 = percentile(naive, 0.5) * 1e3
        print(
            f"{label:<9} {count:>8} {p50:>8.3f} {p99:>8.3f} {naive_p50:>10.3f} "
            f"{p50 / naive_p50:>12.2f}x"
        )
    mean_ms = statistics.fmean(rows[0][2]) * 1e3
    overall, steady = classify_throughput(repeat=10)
    print(
        f"\nclassify: {overall:,.0f} questions/s including start-up, {steady:,.0f}/s after it "
        f"({steady * mean_ms / 1e3:.2f}x the in-process rate)"
    )


if __name__ == "__main__":
    main()
