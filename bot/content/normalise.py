"""Turn what people type into comparable text: case, quotes, contractions, text-speak, spelling."""

from __future__ import annotations

import re
import unicodedata

# Curly quotes and dashes arrive from phones and word processors.
_PUNCTUATION_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)

# Order matters: specific forms before the generic "n't" and "'s" rules.
_CONTRACTIONS: tuple[tuple[str, str], ...] = (
    (r"\bcan't\b", "cannot"),
    (r"\bwon't\b", "will not"),
    (r"\bshan't\b", "shall not"),
    (r"\blet's\b", "let us"),
    (r"\b(it|that|what|who|where|when|how|there|here|he|she)'s\b", r"\1 is"),
    (r"n't\b", " not"),
    (r"'re\b", " are"),
    (r"'ll\b", " will"),
    (r"'ve\b", " have"),
    (r"'d\b", " would"),
    (r"'m\b", " am"),
    # What is left is a possessive ("my son's data"): the owner is what matters.
    (r"'s\b", ""),
    (r"s'(?=\s|$)", "s"),
)
_CONTRACTION_PATTERNS = tuple((re.compile(p), r) for p, r in _CONTRACTIONS)

# Text-speak and the abbreviations UK parents use online (DS/DD: "dear son/daughter").
_TEXT_SPEAK = {
    "u": "you",
    "ya": "you",
    "ur": "your",
    "yr": "your",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "plez": "please",
    "wot": "what",
    "wat": "what",
    "wht": "what",
    "whats": "what is",
    "wen": "when",
    "hw": "how",
    "y": "why",
    "thx": "thanks",
    "thnx": "thanks",
    "ty": "thank you",
    "ta": "thanks",
    "cos": "because",
    "coz": "because",
    "bc": "because",
    "b4": "before",
    "abt": "about",
    "info": "information",
    "infos": "information",
    "ppl": "people",
    "msg": "message",
    "sch": "school",
    "skool": "school",
    "ds": "son",
    "dd": "daughter",
    "dc": "children",
    "dont": "do not",
    "cant": "cannot",
    "wont": "will not",
    "doesnt": "does not",
    "didnt": "did not",
    "isnt": "is not",
    "im": "i am",
    "ive": "i have",
    "id": "id",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "have to",
    "dfe": "dfe",
    "la": "local authority",
    "ico": "ico",
    "sar": "subject access request",
    "sars": "subject access requests",
    "dsar": "subject access request",
    "npd": "national pupil database",
    "gdpr": "gdpr",
    "uk": "uk",
}

# US spellings become UK ones, so an example and a question match whichever way each was spelt.
_US_TO_UK = {
    "color": "colour",
    "behavior": "behaviour",
    "behavioral": "behavioural",
    "center": "centre",
    "license": "licence",
    "enrollment": "enrolment",
    "enroll": "enrol",
    "enrolled": "enrolled",
    "program": "programme",
    "catalog": "catalogue",
    "defense": "defence",
    "judgment": "judgement",
    "favorite": "favourite",
    "counselor": "counsellor",
    "canceled": "cancelled",
    "traveled": "travelled",
    "labeled": "labelled",
    "fulfill": "fulfil",
    "gray": "grey",
    "mom": "mum",
    "moms": "mums",
    "analyze": "analyse",
    "analyzed": "analysed",
    "analyzing": "analysing",
}
# -ize / -ization words (authorize, organization, recognize, ...) take the -ise form.
_IZE = re.compile(r"\b(\w{3,})iz(e|es|ed|ing|ation|ations)\b")
_EXCEPTIONS_TO_IZE = {"size", "sizes", "prize", "prizes", "seize", "seized"}

_NON_WORD = re.compile(r"[^\w\s']+")
_SPACES = re.compile(r"\s+")


def _uk_spelling(word: str) -> str:
    if word in _US_TO_UK:
        return _US_TO_UK[word]
    if word in _EXCEPTIONS_TO_IZE or "iz" not in word:
        return word
    return _IZE.sub(r"\1is\2", word)


def strip_control_characters(text: str) -> str:
    """Drop control and format characters (but keep line breaks and tabs as spaces)."""
    # Nearly every message has none: a printable string holds no character of category C.
    if text.isprintable():
        return text
    return "".join(
        " " if ch in "\t\n\r" else ch
        for ch in text
        if ch in "\t\n\r" or unicodedata.category(ch)[0] != "C"
    )


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces, with the variations above folded away."""
    text = unicodedata.normalize("NFKC", text).translate(_PUNCTUATION_MAP)
    text = strip_control_characters(text).casefold()
    if "'" in text:  # every contraction has one; most messages have none
        for pattern, replacement in _CONTRACTION_PATTERNS:
            text = pattern.sub(replacement, text)
    text = _NON_WORD.sub(" ", text).replace("'", " ").replace("_", " ")
    words: list[str] = []
    for word in text.split():
        expanded = _TEXT_SPEAK.get(word, word)
        words.extend(_uk_spelling(part) for part in expanded.split())
    return _SPACES.sub(" ", " ".join(words)).strip()
