"""The console's HTML forms, read from their URL-encoded bodies.

The console's forms are small and never upload files, so the standard library's parser does
the job (Starlette's own form parser would need the python-multipart package).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from urllib.parse import parse_qsl

from fastapi import Request

from bot.console.worded import Worded

_URLENCODED = "application/x-www-form-urlencoded"


class FormProblem(Worded):
    """A field is missing or malformed; its words (console.yaml) name it for whoever filled it."""


class Form:
    """The submitted fields, first value of each."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self._fields = dict(fields)

    @classmethod
    async def read(cls, request: Request) -> Form:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != _URLENCODED:
            return cls({})
        body = (await request.body()).decode("utf-8", errors="replace")
        fields: dict[str, str] = {}
        for name, value in parse_qsl(body, keep_blank_values=True):
            fields.setdefault(name, value)
        return cls(fields)

    def get(self, name: str) -> str | None:
        return self._fields.get(name)

    def text(self, name: str, missing: str) -> str:
        """Return a required text field, stripped; `missing` is the problem's key if it is empty."""
        value = (self._fields.get(name) or "").strip()
        if not value:
            raise FormProblem(missing)
        return value

    def optional_text(self, name: str) -> str | None:
        value = (self._fields.get(name) or "").strip()
        return value or None

    def optional_date(self, name: str, malformed: str) -> date | None:
        """Return a YYYY-MM-DD field (what a date input sends), or None when left empty;
        `malformed` is the problem's key if it is not a date."""
        value = (self._fields.get(name) or "").strip()
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise FormProblem(malformed) from None
