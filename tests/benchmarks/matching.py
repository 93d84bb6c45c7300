"""Matching latency (p50/p99 per question), start-up and memory, on the shipped content and on
the content multiplied tenfold. A benchmark, not a test: it prints a table.

    .venv/bin/python tests/benchmarks/matching.py [--rounds N]

Every figure is also given as a ratio against today's lexical-only matcher (the same Matcher with
no meaning score and no sentence splitting) measured in the same run, and the p50 against a plain
rapidfuzz `process.extractOne` (WRatio) scan, the naive matcher. The questions are both
evaluation sets: the short ones of questions.jsonl and the long messages of real-style.jsonl.
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
from bot.content.matching import Matcher, Tuning

ROOT = Path(__file__).resolve().parents[2]
Clock = Callable[[], float]
QUESTIONS = [
    q.text
    for name in ("questions.jsonl", "real-style.jsonl")
    for q in read_labelled(ROOT / "tests" / "eval" / name)
]
LEXICAL_ONLY = Tuning(semantic_weight=0.0, sentence_weight=0.0)
# Resident memory of a process that imports the bot and builds one matcher, in kB.
MEMORY_PROBE = """
import gc, sys
from bot.config import load_settings
from bot.content.intents import load_intents
from bot.content.matching import Matcher, Tuning
def rss():
    return int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1])
content = load_intents(load_settings().intents_dir)
before = rss()
matcher = Matcher(content, Tuning() if sys.argv[1] == 'hybrid' else Tuning(semantic_weight=0.0))
gc.collect()
print(rss() - before)
"""


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


def latencies(
    call: Callable[[str], object], rounds: int, clock: Clock = time.perf_counter
) -> list[float]:
    timings = []
    for _ in range(rounds):
        for question in QUESTIONS:
            start = clock()
            call(question)
            timings.append(clock() - start)
    return timings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def classify_throughput(repeat: int) -> tuple[float, float, float]:
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
    return startup, lines / elapsed, lines / max(elapsed - startup, 1e-9)


def build_seconds(content: IntentSet, tuning: Tuning) -> float:
    start = time.perf_counter()
    Matcher(content, tuning)
    return time.perf_counter() - start


def memory_delta_kb(kind: str) -> int:
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, kind], capture_output=True, check=True, text=True
    )
    return int(result.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says

    shipped = load_intents(load_settings().intents_dir)
    rows = []
    for label, content in (("shipped", shipped), ("tenfold", tenfold(shipped))):
        hybrid, lexical = Matcher(content), Matcher(content, LEXICAL_ONLY)
        examples = [e for i in content.intents for e in i.examples]
        naive = latencies(lambda q, ex=examples: process.extractOne(q, ex, scorer=fuzz.WRatio), 1)
        ours = latencies(hybrid.decide, args.rounds)
        baseline = latencies(lexical.decide, args.rounds)
        # CPU time per question as well: on a shared machine, wall time also counts waiting.
        ours_cpu = latencies(hybrid.decide, args.rounds, time.process_time)
        baseline_cpu = latencies(lexical.decide, args.rounds, time.process_time)
        rows.append((label, len(examples), ours, baseline, naive, ours_cpu, baseline_cpu))

    print(f"{len(QUESTIONS)} questions x {args.rounds} rounds, one core\n")
    print(
        f"{'content':<9} {'examples':>8} {'p50 ms':>8} {'p99 ms':>8} {'lexical p99':>12} "
        f"{'p99 vs lexical':>15} {'p50 vs naive':>13} {'CPU p99':>8} {'lexical CPU p99':>16}"
    )
    for label, count, ours, baseline, naive, ours_cpu, baseline_cpu in rows:
        p50, p99 = percentile(ours, 0.5) * 1e3, percentile(ours, 0.99) * 1e3
        lexical_p99 = percentile(baseline, 0.99) * 1e3
        naive_p50 = percentile(naive, 0.5) * 1e3
        cpu_p99 = percentile(ours_cpu, 0.99) * 1e3
        lexical_cpu_p99 = percentile(baseline_cpu, 0.99) * 1e3
        print(
            f"{label:<9} {count:>8} {p50:>8.3f} {p99:>8.3f} {lexical_p99:>12.3f} "
            f"{p99 / lexical_p99:>14.2f}x {p50 / naive_p50:>12.2f}x {cpu_p99:>8.3f} "
            f"{lexical_cpu_p99:>9.3f} ({cpu_p99 / lexical_cpu_p99:.2f}x)"
        )

    hybrid_build = min(build_seconds(shipped, Tuning()) for _ in range(3))
    lexical_build = min(build_seconds(shipped, LEXICAL_ONLY) for _ in range(3))
    print(
        f"\nmatcher build: {hybrid_build * 1e3:.0f} ms (lexical only {lexical_build * 1e3:.0f} ms, "
        f"{hybrid_build / lexical_build:.2f}x), table already read"
    )
    hybrid_kb, lexical_kb = memory_delta_kb("hybrid"), memory_delta_kb("lexical")
    print(
        f"memory of one matcher: +{hybrid_kb / 1024:.1f} MB (lexical only +{lexical_kb / 1024:.1f}"
        f" MB; +{(hybrid_kb - lexical_kb) / 1024:.1f} MB for meaning)"
    )
    startup, overall, steady = classify_throughput(repeat=3)
    mean_ms = statistics.fmean(rows[0][2]) * 1e3
    print(
        f"classify: start-up {startup:.2f} s; {overall:,.0f} questions/s including start-up, "
        f"{steady:,.0f}/s after it ({steady * mean_ms / 1e3:.2f}x the in-process rate)"
    )


if __name__ == "__main__":
    main()
