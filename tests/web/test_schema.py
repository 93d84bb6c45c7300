"""schemathesis against the app's own OpenAPI schema: no 5xx, every response as documented."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import settings

from bot.app import create_app
from tests.web.conftest import web_settings

# Built at collection, because schemathesis parametrizes from a loaded schema. (Its lazy,
# fixture-based loader does not work with this pytest: it writes pytest's private _nodeid.)
_DATA = Path(tempfile.mkdtemp(prefix="privacybot-schema-"))
# High limits: a 429 would be right, but would hide the responses this test is after.
_APP = create_app(
    web_settings(_DATA, rate_limit_per_client=1_000_000, rate_limit_per_conversation=1_000_000)
)
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@pytest.fixture(scope="module", autouse=True)
def _remove_data() -> Iterator[None]:
    yield
    shutil.rmtree(_DATA, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=40, deadline=None)
def test_the_api_keeps_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate()


def test_the_schema_knows_the_message_limit() -> None:
    document = _APP.openapi()
    text = document["components"]["schemas"]["MessageIn"]["properties"]["text"]
    assert text["maxLength"] == 2000
