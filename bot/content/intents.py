"""Read the intents folder: what the bot understands, as the data protection lead wrote it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from bot.content.errors import ContentError
from bot.content.yaml_loader import SAFE_LOADER
from bot.rules.deadlines import TicketKind

# Outside tools rely on these ids, so the content check insists that every one exists.
NOTICE_INTENT_IDS: tuple[str, ...] = (
    "why_collect",
    "data_categories",
    "mandatory_or_optional",
    "retention",
    "who_we_share_with",
    "why_we_share",
    "dfe_census",
    "national_pupil_database",
    "npd_third_parties",
    "subject_access_request",
    "educational_record",
    "right_to_object",
    "direct_marketing",
    "automated_decisions",
    "rectification_erasure",
    "compensation",
    "complain_to_ico",
    "contact_school",
    "cookies_what",
    "cookies_used",
    "cookies_third_party",
    "cookies_block",
)
OUT_OF_SCOPE_FILE = "_out_of_scope.yaml"
SYNONYMS_FILE = "_synonyms.yaml"

_INTENT_KEYS = {"title", "kind", "keywords", "examples", "request", "threshold"}
_REQUEST_KEYS = {"kind", "examples"}


class IntentKind(StrEnum):
    NOTICE = "notice"
    CONVERSATION = "conversation"
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Intent:
    id: str
    title: str
    kind: IntentKind
    examples: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    # Set for the rights a person can exercise: phrasings that make the request rather than ask
    # about it, and the ticket kind the intake proposes.
    request_kind: TicketKind | None = None
    request_examples: tuple[str, ...] = ()
    threshold: float | None = None


@dataclass(frozen=True)
class IntentSet:
    intents: tuple[Intent, ...]
    # Each group's words are read as its first word ("son", "daughter" -> "child").
    synonyms: tuple[tuple[str, ...], ...]

    def get(self, intent_id: str) -> Intent:
        for intent in self.intents:
            if intent.id == intent_id:
                return intent
        raise KeyError(intent_id)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ContentError(f"{path}: cannot read it as YAML ({error})") from error


def _strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ContentError(f"{path}: '{key}' must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _parse_request(path: Path, value: Any) -> tuple[TicketKind | None, tuple[str, ...]]:
    if value is None:
        return None, ()
    if not isinstance(value, Mapping):
        raise ContentError(f"{path}: 'request' must have 'kind' and 'examples'")
    unknown = set(value) - _REQUEST_KEYS
    if unknown:
        raise ContentError(f"{path}: unknown key(s) under 'request': {', '.join(sorted(unknown))}")
    try:
        kind = TicketKind(str(value.get("kind")))
    except ValueError as error:
        allowed = ", ".join(k.value for k in TicketKind)
        raise ContentError(f"{path}: request kind must be one of {allowed}") from error
    return kind, _strings(path, "request.examples", value.get("examples"))


def parse_intent(path: Path) -> Intent:
    """One intent file, checked key by key."""
    data = _read_yaml(path)
    if not isinstance(data, Mapping):
        raise ContentError(f"{path}: expected keys such as 'title' and 'examples'")
    unknown = set(data) - _INTENT_KEYS
    if unknown:
        raise ContentError(f"{path}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    examples = _strings(path, "examples", data.get("examples"))
    if not examples:
        raise ContentError(f"{path}: 'examples' must list at least one phrasing")
    try:
        kind = IntentKind(data.get("kind", IntentKind.NOTICE.value))
    except ValueError as error:
        raise ContentError(
            f"{path}: 'kind' must be notice, conversation or out_of_scope"
        ) from error
    threshold = data.get("threshold")
    if threshold is not None and (
        not isinstance(threshold, int | float) or not 0 <= threshold <= 100
    ):
        raise ContentError(f"{path}: 'threshold' must be a number from 0 to 100")
    request_kind, request_examples = _parse_request(path, data.get("request"))
    intent_id = path.stem
    return Intent(
        id=intent_id,
        title=str(data.get("title") or intent_id.replace("_", " ").capitalize()),
        kind=kind,
        examples=examples,
        keywords=_strings(path, "keywords", data.get("keywords")),
        request_kind=request_kind,
        request_examples=request_examples,
        threshold=float(threshold) if threshold is not None else None,
    )


def _parse_synonyms(path: Path) -> tuple[tuple[str, ...], ...]:
    if not path.exists():
        return ()
    data = _read_yaml(path)
    groups = data.get("groups") if isinstance(data, Mapping) else None
    if not isinstance(groups, list) or not all(
        isinstance(g, list) and len(g) >= 2 and all(isinstance(w, str) for w in g) for g in groups
    ):
        raise ContentError(f"{path}: expected 'groups:', a list of lists of two or more words")
    return tuple(tuple(w.strip().lower() for w in g) for g in groups)


def load_intents(directory: Path) -> IntentSet:
    """Every `*.yaml` in the folder; files starting with '_' other than the two known are errors."""
    if not directory.is_dir():
        raise ContentError(f"{directory}: the intents folder does not exist")
    intents = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == SYNONYMS_FILE:
            continue
        if path.name.startswith("_") and path.name != OUT_OF_SCOPE_FILE:
            raise ContentError(f"{path}: unknown special file (expected {OUT_OF_SCOPE_FILE})")
        intent = parse_intent(path)
        if path.name == OUT_OF_SCOPE_FILE:
            intent = Intent(
                id=intent.id,
                title=intent.title,
                kind=IntentKind.OUT_OF_SCOPE,
                examples=intent.examples,
            )
        intents.append(intent)
    if not intents:
        raise ContentError(f"{directory}: no intent files (*.yaml) found")
    return IntentSet(tuple(intents), _parse_synonyms(directory / SYNONYMS_FILE))
