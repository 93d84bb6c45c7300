"""The dashboard, the request log (CSV and printable) and retention, for the record keepers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from bot.config import Settings
from bot.console import charts
from bot.console.accounts import StaffMember
from bot.console.auth import ConsoleRoute, Gate, require_record_keeper
from bot.console.figures import figures
from bot.console.forms import Form
from bot.console.views import NO_STORE, PREFIX, Pages
from bot.tickets.service import EXPORT_COLUMNS, PurgeReport, RequestService, TicketFilter

_CSV_TYPE = "text/csv; charset=utf-8"


def reports_router(
    gate: Gate,
    pages: Pages,
    requests: RequestService,
    settings: Settings,
    today: Callable[[], date],
) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=ConsoleRoute)

    @router.get("/dashboard", name="console_dashboard")
    def dashboard(request: Request, staff: StaffMember = Depends(gate.staff)) -> HTMLResponse:
        day = today()
        numbers = figures(requests.list_tickets(TicketFilter(include_closed=True)), day)
        return pages.render(
            request,
            "dashboard.html",
            staff=staff,
            section="dashboard",
            figures=numbers,
            today=day,
            per_month=charts.requests_by_month(numbers.months),
            on_time=charts.on_time_by_month(numbers.months),
            overdue=charts.overdue_now(numbers.overdue),
        )

    @router.get("/log", name="console_log")
    def log_page(request: Request, staff: StaffMember = Depends(gate.staff)) -> HTMLResponse:
        require_record_keeper(staff, "see or export the request log")
        rows = requests.export_rows(actor=staff.email)  # audited as an export
        return pages.render(
            request,
            "log.html",
            staff=staff,
            section="log",
            rows=rows,
            columns=EXPORT_COLUMNS,
            today=today(),
        )

    @router.get("/log.csv", name="console_log_csv")
    def log_csv(staff: StaffMember = Depends(gate.staff)) -> Response:
        require_record_keeper(staff, "see or export the request log")
        rows = requests.export_rows(actor=staff.email)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        name = f"request-log-{today().isoformat()}.csv"
        return Response(
            out.getvalue(),
            media_type=_CSV_TYPE,
            headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'},
        )

    def purge(staff: StaffMember, *, dry_run: bool) -> PurgeReport:
        return requests.purge(
            actor=staff.email,
            transcript_days=settings.transcript_retention_days,
            closed_ticket_days=settings.closed_ticket_retention_days,
            dry_run=dry_run,
        )

    @router.get("/purge", name="console_purge")
    def purge_preview(request: Request, staff: StaffMember = Depends(gate.staff)) -> HTMLResponse:
        require_record_keeper(staff, "purge data past its retention period")
        return pages.render(
            request,
            "purge.html",
            staff=staff,
            section="purge",
            report=purge(staff, dry_run=True),
            settings=settings,
        )

    @router.post("/purge", name="console_purge_submit")
    async def purge_now(
        request: Request,
        staff: StaffMember = Depends(gate.staff),
        _form: Form = Depends(gate.form),
    ) -> HTMLResponse:
        require_record_keeper(staff, "purge data past its retention period")
        report = await run_in_threadpool(purge, staff, dry_run=False)
        return pages.render(
            request, "purge.html", staff=staff, section="purge", report=report, settings=settings
        )

    return router
