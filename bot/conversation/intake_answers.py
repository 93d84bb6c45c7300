"""Reading one answer to an intake question: a name, a relationship, a way to reach someone."""

from __future__ import annotations

import re
from datetime import date, datetime

import phonenumbers
from dateutil import parser as date_parser
from email_validator import EmailNotValidError, validate_email

from bot.content.normalise import normalise
from bot.conversation.intake_words import IntakeWords
from bot.rules.lifecycle import Relationship, RequestChannel

MAX_NAME = 120
MAX_NAME_WORDS = 6
MAX_DETAILS = 2000
# Letters (any alphabet), with the hyphens, apostrophes and full stops names carry.
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:[-'\u2019.][^\W\d_]*)*\.?$")
_EMAIL_LIKE = re.compile(r"\S+@\S+")
# A UK postcode anywhere in the text ("TN24 8AB"), the surest sign of a postal address.
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")


class InvalidAnswer(Exception):
    """The answer does not fit the question; `problem` names why, for the template."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def read_name(value: str, words: IntakeWords) -> str:
    """A person's name as typed, without "my name is"; refuses addresses and sentences."""
    cleaned = " ".join(value.split()).strip(" .,!")
    if _EMAIL_LIKE.search(cleaned):
        raise InvalidAnswer("name_email")
    if _DIGIT.search(cleaned):
        raise InvalidAnswer("name_digits")
    parts = cleaned.split()
    # The longest lead-in first, counted in the words as typed ("Im" is one word, "i am" two).
    for count in range(min(4, len(parts) - 1), 0, -1):
        if normalise(" ".join(parts[:count])) in words.lists["name_lead_ins"]:
            parts = parts[count:]
            break
    cleaned = " ".join(parts)
    if not parts or len(cleaned) > MAX_NAME:
        raise InvalidAnswer("name")
    if words.is_question(value) or len(parts) > MAX_NAME_WORDS:
        raise InvalidAnswer("name_sentence")
    # Word by word as typed: text-speak expansion would read the initials "DD" as "daughter".
    if any(part.casefold() in words.lists["not_name_words"] for part in parts):
        raise InvalidAnswer("name_sentence")
    if not all(_NAME_WORD.match(part) for part in parts):
        raise InvalidAnswer("name")
    return cleaned


def read_relationship(value: str, words: IntakeWords) -> Relationship:
    try:
        return Relationship(value)
    except ValueError:
        pass
    tidy = normalise(value)
    for phrase, relationship in words.relationship.items():
        if re.search(rf"\b{re.escape(phrase)}\b", tidy):
            return relationship
    raise InvalidAnswer("relationship")


def read_yes_no(value: str, words: IntakeWords) -> bool:
    if value in {"yes", "no"}:
        return value == "yes"
    if words.said("yes", value):
        return True
    if words.said("no", value):
        return False
    raise InvalidAnswer("yes_no")


def read_contact(value: str) -> str:
    """An email address, a phone number from any country, or else a postal address."""
    text = " ".join(value.split())
    if "@" in text and " " not in text.strip():
        try:
            return validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise InvalidAnswer("contact") from error
    phone = _phone(text)
    if phone is not None:
        return phone
    if _looks_like_address(value):
        return ", ".join(part.strip() for part in re.split(r"[,\n]+", value) if part.strip())
    raise InvalidAnswer("contact")


def _phone(text: str) -> str | None:
    if not re.fullmatch(r"[\d\s()+\-.]{6,}", text):
        return None
    try:
        # "GB" reads 07911 123456 as a UK number; +33 or 0033 numbers keep their own country.
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException as error:
        raise InvalidAnswer("phone") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidAnswer("phone")
    if number.country_code == 44:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _looks_like_address(value: str) -> bool:
    """A house number or postcode, and at least two lines or comma-separated parts."""
    parts = [part for part in re.split(r"[,\n]+", value) if part.strip()]
    has_letters = re.search(r"[^\W\d_]", value) is not None
    return has_letters and (
        _POSTCODE.search(value) is not None
        or (len(parts) >= 2 and _DIGIT.search(value) is not None)
    )


def read_channel(value: str, words: IntakeWords) -> RequestChannel:
    try:
        return RequestChannel(value)
    except ValueError:
        pass
    for word in normalise(value).split():
        if word in words.channel:
            return words.channel[word]
    raise InvalidAnswer("channel")


def read_received(value: str, today: date, words: IntakeWords) -> date:
    if value == "today" or words.said("today", value):
        return today
    if words.said("yesterday", value):
        return date.fromordinal(today.toordinal() - 1)
    try:
        received = date_parser.parse(
            value, dayfirst=True, default=datetime(today.year, 1, 1)
        ).date()
    except (ValueError, OverflowError) as error:
        raise InvalidAnswer("date") from error
    if received > today:
        raise InvalidAnswer("future_date")
    return received


def read_details(value: str) -> str:
    if not value.strip():
        raise InvalidAnswer("empty")
    return value.strip()[:MAX_DETAILS]
