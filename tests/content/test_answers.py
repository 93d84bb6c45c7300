"""Every answer, rendered for parents and for staff, says the facts a DPO would check it for."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.content.answers import Answers
from bot.content.citations import MAX_OPENING_GRADE, opening_grade, opening_sentence
from bot.content.intents import IntentKind, load_intents
from bot.types import Audience

PUBLIC, STAFF = Audience.PUBLIC, Audience.STAFF
OFFICE = "office@west-borough.kent.sch.uk"

# intent: (what parents must read, what staff must read). Case-insensitive.
KEY_FACTS: dict[str, tuple[list[str], list[str]]] = {
    "subject_access_request": (
        ["free", "one month", "two more months", "only if we are not sure", "about **12**", OFFICE],
        ["free", "one calendar month", "starts again", "record why", "two more months", "12"],
    ),
    "educational_record": (
        ["15 school days", "in writing", "cost of supplying"],
        ["15 school days", "subject access request", "do **not** apply", "cost of supplying"],
    ),
    "right_to_object": (
        ["damage or distress", "UK GDPR", "census", "right-to-object"],
        ["1998 Act", "Article 21", "census", "one calendar month"],
    ),
    "automated_decisions": (
        ["automated means", "challenge", "doesn't say whether"],
        ["Articles 22A to 22D", "one calendar month"],
    ),
    "rectification_erasure": (
        ["If something is wrong", "If you want something deleted", "must keep", "one month"],
        ["Correcting", "Deleting", "cannot be deleted", "erasure", "rectification"],
    ),
    "restrict_processing": (
        ["stop using", "blocked", "one month", "right-to-restrict-processing"],
        ["restrict", "one calendar month", "legal claim"],
    ),
    "direct_marketing": (["stop at once", "no exceptions"], ["absolute", "at once"]),
    "compensation": (
        ["court", "can't award compensation", "straight away"],
        ["courts", "cannot award compensation", "72 hours"],
    ),
    "complain_to_ico": (
        ["ico.org.uk/concerns", "0303 123 1113", "within 30 days"],
        ["acknowledge", "30 days", "19 June 2026", "s.164A"],
    ),
    "report_breach": (["straight away", "72 hours", OFFICE], ["straight away", "72 hours"]),
    "contact_school": ([OFFICE, "doesn't name a data protection officer"], [OFFICE]),
    "dpo_contact": (["doesn't name a DPO", OFFICE], ["Articles 37 and 13", OFFICE]),
    "retention": (
        ["6 years", "retention schedule", "child protection files", "Toolkit for Schools"],
        ["6 years", "retention schedule"],
    ),
    "cookies_what": (["strictly necessary", "need no permission", "a simple way to say no"], []),
    "cookies_used": (["ASPSESSID", "strictly necessary", "YouTube"], []),
    "cookies_block": (["support.google.com/chrome", "support.mozilla.org/en-US"], []),
    "dfe_census": (["can't opt out", "school census"], ["school census"]),
    "why_collect": (["Education Act 1996", "UK GDPR and the Data Protection Act 2018"], []),
    "data_categories": (
        ["Special educational needs", "as a parent", "Data collection And Censuses For Schools"],
        ["Data collection And Censuses For Schools"],
    ),
    "parent_own_data": (["covers pupils", "free", "one month"], ["subject access request"]),
    "photos_consent": (["doesn't cover photos", "withdraw"], ["consent record"]),
    "separated_parents": (["parental responsibility", "court order"], ["court order"]),
    "child_own_rights": (["about 12", "belongs to the child"], ["about **12**"]),
    "safeguarding_sharing": (["keep a child safe", "serious harm"], ["safeguarding lead"]),
    "cctv": (["doesn't cover CCTV", "subject access request", "blurred"], ["Blur"]),
    "biometrics": (["written consent", "refuses at any age", "card or a PIN"], ["any** parent"]),
    "read_notice": (["whole notice", OFFICE], ["privacy notice"]),
    "chat_privacy": (["30 days", "AI service"], ["30 days", "2190 days", "audit trail"]),
    "bot_identity": (["automated helper", "not a person"], ["automated assistant"]),
    "data_security": (["only staff who need it", "doesn't describe"], ["only staff who need it"]),
}
# What no answer may say any more: wrong law or a promise the school cannot keep.
NEVER: dict[str, list[str]] = {
    "subject_access_request": ["Parents can usually make the request on their child's behalf"],
    "cookies_what": ["with your permission"],
    "cookies_block": ["Internet Explorer", "Blackberry", "en\u2013US"],
    "compensation": ["raise a concern with the Information Commissioner"],
}


@pytest.fixture(scope="module")
def answers(settings: Settings) -> Answers:
    return Answers(settings.answers_dir)


@pytest.mark.parametrize("intent_id", sorted(KEY_FACTS))
@pytest.mark.parametrize("audience", [PUBLIC, STAFF])
def test_answer_says_its_key_facts(answers: Answers, intent_id: str, audience: Audience) -> None:
    text = answers.render(intent_id, audience).lower()
    needles = KEY_FACTS[intent_id][0 if audience is PUBLIC else 1]
    missing = [n for n in needles if n.lower() not in text]
    assert missing == [], text
    for wrong in NEVER.get(intent_id, []):
        assert wrong.lower() not in text


def test_every_notice_answer_cites_its_source(answers: Answers, settings: Settings) -> None:
    for intent in load_intents(settings.intents_dir).intents:
        if intent.kind is not IntentKind.NOTICE:
            continue
        for audience in Audience:
            text = answers.render(intent.id, audience)
            assert "From our privacy notice:" in text or "Source" in text, (intent.id, audience)


def test_every_parent_answer_opens_plainly(answers: Answers, settings: Settings) -> None:
    for intent in load_intents(settings.intents_dir).intents:
        if intent.kind is IntentKind.OUT_OF_SCOPE:
            continue
        text = answers.render(intent.id, PUBLIC)
        assert opening_grade(text) <= MAX_OPENING_GRADE, (intent.id, opening_sentence(text))


def test_the_sar_answer_opens_with_the_answer(answers: Answers) -> None:
    opening = opening_sentence(answers.render("subject_access_request", PUBLIC))
    assert "free" in opening
    assert opening.endswith(".")
