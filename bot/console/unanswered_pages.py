"""/console/unanswered: the data protection lead goes through what the bot could not answer."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.console.accounts import StaffMember
from bot.console.auth import ConsoleRoute, Gate, require_record_keeper
from bot.console.forms import Form, FormProblem
from bot.console.intent_examples import (
    OUT_OF_SCOPE_INTENT,
    ExampleProblem,
    ReloadingMatcher,
    add_example,
    intent_choices,
)
from bot.console.redaction import without_placeholders
from bot.console.unanswered import ADDED, OUT_OF_SCOPE, NotWaiting, UnansweredStore
from bot.console.views import NO_STORE, PREFIX, Pages

# The decisions this page reports afterwards, by the `done` in the address bar.
_DECIDED = ("added", "out_of_scope")


class UnansweredDesk:
    """Resolving one question: write the example, mark it, make the matcher see it now."""

    def __init__(
        self, store: UnansweredStore, folder: Path, matcher: ReloadingMatcher | None
    ) -> None:
        self.store, self.folder, self.matcher = store, folder, matcher

    def resolve(self, question_id: int, how: str, form: Form, staff: StaffMember) -> None:
        self.store.get(question_id)  # still waiting?
        example = form.text("example", "form.example")
        if how == ADDED:
            intent = form.text("intent", "form.topic")
            if intent not in {choice for choice, _ in intent_choices(self.folder)}:
                raise ExampleProblem("form.topic_unknown")
        else:
            intent = OUT_OF_SCOPE_INTENT
        if (self.folder / f"{intent}.yaml").is_file():
            add_example(self.folder, intent, example)
        self.store.resolve(question_id, how, intent, actor=staff.email)
        if self.matcher is not None:
            self.matcher.refresh(now=True)


def unanswered_router(gate: Gate, pages: Pages, desk: UnansweredDesk) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=ConsoleRoute)

    def render(
        request: Request, staff: StaffMember, page: int = 1, **extra: object
    ) -> HTMLResponse:
        questions, shown, last = desk.store.waiting(page)
        return pages.render(
            request,
            "unanswered.html",
            staff=staff,
            status=400 if extra.get("problem") else 200,
            section="unanswered",
            questions=questions,
            page=shown,
            pages=last,
            topics=intent_choices(desk.folder),
            example_of=without_placeholders,
            done=extra.get("done"),
            problem=extra.get("problem"),
        )

    @router.get("/unanswered", name="console_unanswered")
    def listing(
        request: Request,
        staff: StaffMember = Depends(gate.staff),
        page: int = 1,
        done: str | None = None,
    ) -> HTMLResponse:
        require_record_keeper(staff, "unanswered")
        return render(
            request,
            staff,
            page,
            done=pages.phrases.say(f"done.{done}") if done in _DECIDED else None,
        )

    @router.post("/unanswered/{question_id}/{how}", name="console_unanswered_resolve")
    async def resolve(
        request: Request,
        question_id: int,
        how: str,
        staff: StaffMember = Depends(gate.staff),
        form: Form = Depends(gate.form),
    ) -> Response:
        require_record_keeper(staff, "unanswered")
        if how not in (ADDED, OUT_OF_SCOPE):
            return render(request, staff, problem=pages.phrases.say("problems.no_such_decision"))
        try:
            await run_in_threadpool(desk.resolve, question_id, how, form, staff)
        except (ExampleProblem, FormProblem, NotWaiting) as error:
            return render(request, staff, problem=pages.problem(error))
        return RedirectResponse(
            f"{PREFIX}/unanswered?done={how}", status_code=303, headers=NO_STORE
        )

    return router
