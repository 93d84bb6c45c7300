"""Text fields of the chat API: no NUL characters, which no person types and no database stores.

PostgreSQL cannot store U+0000 in a text column at all, so one arriving in a message would
otherwise fail deep in a transaction; it is refused here, with a clear 422, on every database.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

NUL_REFUSED = "contains a NUL character (U+0000); remove it and send the message again"


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError(NUL_REFUSED)
    return text


# The schema says so too, so clients (and schema-driven tests) know before they send one.
PlainText = Annotated[
    str, AfterValidator(_no_nul), Field(json_schema_extra={"pattern": "^[^\\u0000]*$"})
]
