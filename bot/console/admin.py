"""The admin pages: the audit viewer (who viewed or changed what) and staff administration."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from bot.console import staff_admin
from bot.console.accounts import AccountError, Role, StaffMember
from bot.console.audit_query import AUDIT_CSV_COLUMNS, AuditFilter, AuditQuery
from bot.console.auth import ConsoleRoute, Gate, NotAllowed, require_record_keeper
from bot.console.forms import Form, FormProblem
from bot.console.views import NO_STORE, PREFIX, Pages, capitalised
from bot.tickets.service import RequestService

_CSV_TYPE = "text/csv; charset=utf-8"


def require_admin(staff: StaffMember) -> None:
    if staff.role is not Role.ADMIN:
        raise NotAllowed("refused.admin_only", email=staff.email, role=staff.role.value)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def audit_filter(request: Request) -> tuple[AuditFilter, dict[str, str]]:
    """The viewer's filters from the query string; a malformed date is ignored."""
    chosen = {
        name: (request.query_params.get(name) or "").strip()
        for name in ("actor", "action", "reference", "since", "until")
    }
    wanted = AuditFilter(
        actor=chosen["actor"] or None,
        action=chosen["action"] or None,
        reference=chosen["reference"] or None,
        since=_day(chosen["since"]),
        until=_day(chosen["until"]),
    )
    return wanted, chosen


def admin_router(gate: Gate, pages: Pages, requests: RequestService) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=ConsoleRoute)
    audit = AuditQuery(requests.sessions)
    _audit_pages(router, gate, pages, audit)
    _staff_pages(router, gate, pages, requests)
    return router


def _audit_pages(router: APIRouter, gate: Gate, pages: Pages, audit: AuditQuery) -> None:
    @router.get("/audit", name="console_audit")
    def viewer(
        request: Request, staff: StaffMember = Depends(gate.staff), page: int = 1
    ) -> HTMLResponse:
        require_record_keeper(staff, "see_audit")
        wanted, chosen = audit_filter(request)
        rows, shown, last = audit.page(wanted, page)
        actors, actions = audit.choices()
        kept = {name: value for name, value in chosen.items() if value}
        return pages.render(
            request,
            "audit.html",
            staff=staff,
            section="audit",
            rows=rows,
            page=shown,
            pages=last,
            chosen=chosen,
            actors=actors,
            actions=actions,
            query=urlencode(kept),
            filtered=bool(kept),
        )

    @router.get("/audit.csv", name="console_audit_csv")
    def export(request: Request, staff: StaffMember = Depends(gate.staff)) -> StreamingResponse:
        require_record_keeper(staff, "export_audit")
        wanted, _ = audit_filter(request)

        def lines() -> Iterator[str]:
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(AUDIT_CSV_COLUMNS)
            moment = pages.wording.long_moment
            for row in audit.stream(wanted):
                writer.writerow(
                    (
                        row.at.isoformat(timespec="seconds"),
                        moment(row.at),
                        row.actor,
                        row.action,
                        row.reference or "",
                        row.field or "",
                        _cell(row.old_value),
                        _cell(row.new_value),
                    )
                )
                if out.tell() > 64_000:
                    yield out.getvalue()
                    out.seek(0)
                    out.truncate()
            yield out.getvalue()

        return StreamingResponse(
            lines(),
            media_type=_CSV_TYPE,
            headers={**NO_STORE, "Content-Disposition": 'attachment; filename="audit-trail.csv"'},
        )


def _cell(text: str | None) -> str:
    # A spreadsheet runs a cell starting with = + - or @ as a formula.
    value = text or ""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def _staff_pages(router: APIRouter, gate: Gate, pages: Pages, requests: RequestService) -> None:
    def page(
        request: Request, staff: StaffMember, *, done: str | None = None, problem: str | None = None
    ) -> HTMLResponse:
        return pages.render(
            request,
            "staff.html",
            staff=staff,
            status=400 if problem else 200,
            section="staff",
            accounts=gate.accounts.accounts(),
            roles=list(Role),
            done=done,
            problem=problem,
        )

    @router.get("/staff", name="console_staff")
    def listing(
        request: Request,
        staff: StaffMember = Depends(gate.staff),
        done: str | None = None,
        who: str | None = None,
    ) -> HTMLResponse:
        require_admin(staff)
        known = done in staff_admin.CHANGES and who
        message = pages.phrases.say(f"staff_done.{done}", email=who) if known else None
        return page(request, staff, done=message)

    @router.post("/staff/{what}", name="console_staff_action")
    async def change(
        request: Request,
        what: str,
        staff: StaffMember = Depends(gate.staff),
        form: Form = Depends(gate.form),
    ) -> Response:
        require_admin(staff)
        if what not in staff_admin.CHANGES:
            return page(
                request, staff, problem=pages.phrases.say("problems.no_such_account_change")
            )
        try:
            email = await run_in_threadpool(
                staff_admin.run, gate.accounts, requests.sessions, what, form, actor=staff.email
            )
        except (AccountError, FormProblem) as error:
            return page(request, staff, problem=capitalised(pages.problem(error)))
        if what in staff_admin.CLEARS_FAILED_SIGN_INS:
            await gate.throttle.forgive(email)
        where = f"{PREFIX}/staff?{urlencode({'done': what, 'who': email})}"
        return RedirectResponse(where, status_code=303, headers=NO_STORE)
