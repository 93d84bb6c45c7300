"""Every error the web app returns is JSON with a code and a sentence a person can act on.

The sentences a parent can meet are the school's (answers/web_errors.yaml). The ones about a
malformed body stay here: the chat page always sends a well-formed JSON object, so only a
hand-written client, and its programmer, ever reads them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from bot.content.wordbook import Wordbook
from bot.web.plain_text import NUL_ERROR

TOO_LARGE = "too_large"
# Codes that do not follow from the status phrase, which also varies between Python versions.
_CODES = {413: TOO_LARGE}


class ApiError(BaseModel):
    """The body of every 4xx and 5xx response."""

    error: str = Field(description="A stable code, e.g. message_too_long or rate_limited.")
    detail: str = Field(description="What went wrong, in plain words.")


class ApiProblem(Exception):
    """Raised by a route to answer with an ApiError."""

    def __init__(
        self, status: int, error: str, detail: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.headers = dict(headers or {})


def error_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI entries saying these statuses answer with an ApiError."""
    return {
        status: {"model": ApiError, "description": HTTPStatus(status).phrase} for status in statuses
    }


def _json(
    status: int, error: str, detail: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        ApiError(error=error, detail=detail).model_dump(), status_code=status, headers=headers
    )


async def _problem(request: Request, problem: Exception) -> JSONResponse:
    assert isinstance(problem, ApiProblem)
    return _json(problem.status, problem.error, problem.detail, problem.headers)


def _invalid(words: Wordbook) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def invalid(request: Request, invalid: Exception) -> JSONResponse:
        assert isinstance(invalid, RequestValidationError)
        errors = list(invalid.errors())
        if any(error.get("type") == NUL_ERROR for error in errors):
            # The one a person can cause, by pasting: said in the school's words.
            return _json(422, "invalid_request", words.say(NUL_ERROR))
        if any(error.get("type") == "json_invalid" for error in errors):
            return _json(400, "invalid_json", "The request body is not valid JSON.")
        return _json(422, "invalid_request", "; ".join(map(_problem_in, errors)) + ".")

    return invalid


def _problem_in(error: Mapping[str, object]) -> str:
    location = error.get("loc", ())
    parts = location if isinstance(location, tuple | list) else ()
    where = ".".join(str(part) for part in parts if part != "body")
    if not where and error.get("type") == "missing":
        return "The request needs a JSON object as its body"
    # A validator's own sentence, without pydantic's "Value error, " in front of it.
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return f"{where or 'request body'}: {message}"


async def _http(request: Request, problem: Exception) -> JSONResponse:
    assert isinstance(problem, HTTPException)
    status = HTTPStatus(problem.status_code)
    code = _CODES.get(status.value, status.phrase.lower().replace(" ", "_"))
    detail = problem.detail if problem.detail != status.phrase else f"{status.phrase}."
    return _json(problem.status_code, code, str(detail), problem.headers)


def _crash(words: Wordbook) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def crash(request: Request, error: Exception) -> JSONResponse:
        # Starlette re-raises after this answer, so the server logs the traceback for the operator.
        return _json(500, "internal_error", words.say("internal_error"))

    return crash


def install_error_handlers(app: FastAPI, words: Wordbook) -> None:
    """JSON errors everywhere; `words` are the school's error sentences, by code."""
    app.add_exception_handler(ApiProblem, _problem)
    app.add_exception_handler(RequestValidationError, _invalid(words))
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _crash(words))
