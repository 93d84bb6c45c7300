"""Text fields of the chat API: no NUL characters, which no person types and no database stores.

PostgreSQL cannot store U+0000 in a text column at all, so one arriving in a message would
otherwise fail deep in a transaction; it is refused here on every database, with a clear 422 in
the school's words (answers/web_errors.yaml).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

# The error's type: the API's error handler answers it with the school's sentence of that key.
NUL_ERROR = "nul_character"


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise PydanticCustomError(NUL_ERROR, "contains U+0000")
    return text


# The schema says so too, so clients (and schema-driven tests) know before they send one.
PlainText = Annotated[
    str, AfterValidator(_no_nul), Field(json_schema_extra={"pattern": "^[^\\u0000]*$"})
]
