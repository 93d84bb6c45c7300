"""Personal details taken out of a question before it is stored: emails, phone numbers, names.

Questions the bot could not answer are kept for the data protection lead to read, so they must
not keep who asked or whom they asked about. This errs on the side of removing too much: a
capitalised word in the middle of a sentence is treated as a name unless it is a word the
school's questions use anyway (GDPR, ICO, a month, a day).
"""

from __future__ import annotations

import re

EMAIL = "[email]"
PHONE = "[phone]"
NAME = "[name]"
NUMBER = "[number]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# UK numbers in their usual shapes: 07700 900123, +44 7700 900123, (020) 7946 0018, 0121-496-0000.
_PHONE = re.compile(r"(?<!\w)(?:\+\s?\d{1,3}[\s-]?)?(?:\(?\d[\d\s().-]{7,}\d)(?!\w)")
# Other long numbers (a UPN, a date of birth written as digits) identify a child as well.
_LONG_NUMBER = re.compile(r"\b\d{5,}\b")
# Words after which a name follows: "my son Tom", "I'm Sarah", "called Amir", "Mrs Patel".
_NAME_CUES = re.compile(
    r"\b(?P<cue>(?:my|our|her|his|their)\s+(?:son|daughter|child|kid|boy|girl|grandson|"
    r"granddaughter|stepson|stepdaughter|nephew|niece|brother|sister|husband|wife|partner)|"
    r"(?:my\s+name\s+is|i\s+am|i'm|im|called|named|this\s+is|pupil|student)|"
    r"(?:mr|mrs|ms|miss|dr|mx)\.?)\s+(?P<name>[A-Za-z][A-Za-z'-]+(?-i:\s+[A-Z][A-Za-z'-]+)?)",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset(
    """
    i gdpr ico dfe dpo sar dsar uk eu npd ofsted send sen fsm cctv id it
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    english maths science pe re year reception nursery school academy trust
    a an the and or in at on of for to from with about is are was be been not no
    """.split()
)
_CUE_NOT_NAMES = _NOT_NAMES | frozenset(
    """
    going asking trying wondering worried concerned not in at a an the very so just
    writing looking hoping unsure unable still also really here new
    """.split()
)
_CAPITALISED = re.compile(r"(?<=[a-z,;:)]\s)([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)*)")


def _cued_name(match: re.Match[str]) -> str:
    words = match.group("name").split()
    if words[0].lower() in _CUE_NOT_NAMES:
        return match.group(0)
    return f"{match.group('cue')} {NAME}"


def _capitalised_name(match: re.Match[str]) -> str:
    words = match.group(1).split()
    if all(word.lower() in _NOT_NAMES for word in words):
        return match.group(1)
    return NAME


def redact(text: str) -> str:
    """Return the text with emails, phone numbers, long numbers and likely names replaced."""
    cleaned = _EMAIL.sub(EMAIL, text)
    cleaned = _PHONE.sub(
        lambda m: PHONE if sum(c.isdigit() for c in m.group(0)) >= 9 else m.group(0), cleaned
    )
    cleaned = _LONG_NUMBER.sub(NUMBER, cleaned)
    cleaned = _NAME_CUES.sub(_cued_name, cleaned)
    cleaned = _CAPITALISED.sub(_capitalised_name, cleaned)
    return re.sub(rf"{re.escape(NAME)}(?:\s+{re.escape(NAME)})+", NAME, cleaned).strip()


def without_placeholders(text: str) -> str:
    """The redacted question as an example for an intent: the placeholders taken out."""
    plain = text
    for placeholder in (EMAIL, PHONE, NAME, NUMBER):
        plain = plain.replace(placeholder, " ")
    return re.sub(r"\s+", " ", plain).strip(" ,")
