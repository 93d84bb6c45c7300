"""What every answer must show: where it comes from, and an opening a worried parent can read."""

from __future__ import annotations

import re

import textstat

# Readers of the parents' chat include anxious parents on phones and people reading in a second
# language: the first sentence must answer at about the level of a popular newspaper.
MAX_OPENING_GRADE = 8.0
NOTICE_CITATION = "From our privacy notice:"
# Public sources a DPO can check: the regulator, the government and the law itself.
_OFFICIAL_LINK = re.compile(
    r"\]\(https://(?:www\.)?(?:ico\.org\.uk|gov\.uk|legislation\.gov\.uk|irms\.org\.uk)[/)?#]"
)
# Rules the notice itself does not state, so an answer giving one must link to its source.
_LEGAL_RULES = {
    "a time limit": re.compile(
        r"\b(?:one (?:calendar )?month|15 school days|30 days|three months|two more months)\b",
        re.I,
    ),
    "a rule about fees": re.compile(r"\b(?:free|fee|charge)\b(?! school meal)", re.I),
    "a rule about children's age": re.compile(r"\b(?:about|aged?|over|from) 1[0-9]\b", re.I),
    "a court order or parental responsibility": re.compile(
        r"\b(?:court order|parental responsibility)\b", re.I
    ),
    "a named law": re.compile(
        r"\b(?:UK GDPR|Article \d+|s\.\s?\d+|(?:Act|Regulations) (?:19|20)\d\d)\b"
    ),
}
_SHORTEST_GRADED = 4
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_QUOTED = re.compile(r"[\"“][^\"”]*[\"”]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def citation_problems(text: str, *, needs_citation: bool) -> list[str]:
    """Why `text` fails to show its source; empty when it cites what it states."""
    problems = []
    official = bool(_OFFICIAL_LINK.search(text))
    if needs_citation and NOTICE_CITATION not in text and not official:
        problems.append(
            f"cites no source: add '{NOTICE_CITATION} **<section>**' or a source from "
            "facts.guidance"
        )
    if not official:
        for what, pattern in _LEGAL_RULES.items():
            found = pattern.search(text)
            if found:
                problems.append(
                    f"states {what} ({found.group()!r}) without a source: link the law or "
                    "guidance from facts.guidance"
                )
    return problems


def opening_sentence(text: str) -> str:
    """The first sentence of the first paragraph, as a reader sees it (no markup, no quotes)."""
    paragraph = text.strip().split("\n\n", 1)[0]
    plain = _LINK.sub(r"\1", paragraph).replace("**", "")
    plain = _QUOTED.sub("", plain)
    return _SENTENCE_END.split(plain.strip(), maxsplit=1)[0]


def opening_grade(text: str) -> float:
    """The Flesch-Kincaid grade of the opening sentence; a very short one counts as plain."""
    sentence = opening_sentence(text)
    # The formula misreads a greeting of a word or two ("Hello!" scores 8.4), and a sentence that
    # short is plain whatever its words.
    if len(sentence.split()) < _SHORTEST_GRADED:
        return 0.0
    return round(float(textstat.flesch_kincaid_grade(sentence)), 1)
