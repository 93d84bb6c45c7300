"""The dashboard, the request log (page and CSV) and retention, for the record keepers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, StreamingResponse

from bot.config import Settings
from bot.console import charts
from bot.console.accounts import StaffMember
from bot.console.auth import ConsoleRoute, Gate, require_record_keeper
from bot.console.feedback_figures import feedback_figures
from bot.console.figures import figures_from_tallies, month_starts
from bot.console.forms import Form
from bot.console.request_log import csv_lines, headings, log_words, readable_row
from bot.console.unanswered import UnansweredStore
from bot.console.views import NO_STORE, PREFIX, Pages
from bot.tickets.record import RequestRecord
from bot.tickets.service import PurgeReport, RequestService
from bot.tickets.tallies import DashboardTallies

_CSV_TYPE = "text/csv; charset=utf-8"
LOG_PAGE_SIZE = 100


def reports_router(
    gate: Gate,
    pages: Pages,
    requests: RequestService,
    settings: Settings,
    today: Callable[[], date],
) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=ConsoleRoute)
    _dashboard(router, gate, pages, requests, today)
    _request_log(router, gate, pages, requests, today)
    _retention(router, gate, pages, requests, settings, UnansweredStore(requests.sessions))
    return router


def _dashboard(
    router: APIRouter,
    gate: Gate,
    pages: Pages,
    requests: RequestService,
    today: Callable[[], date],
) -> None:
    tallies = DashboardTallies(requests.sessions)

    @router.get("/dashboard", name="console_dashboard")
    def dashboard(request: Request, staff: StaffMember = Depends(gate.staff)) -> HTMLResponse:
        day = today()
        starts = month_starts(day)
        numbers = figures_from_tallies(tallies.tally(starts, day), starts, day)
        return pages.render(
            request,
            "dashboard.html",
            staff=staff,
            section="dashboard",
            figures=numbers,
            feedback=feedback_figures(requests.sessions),
            today=day,
            per_month=charts.requests_by_month(numbers.months, pages.kind_label, pages.labels),
            on_time=charts.on_time_by_month(numbers.months, pages.labels),
            overdue=charts.overdue_now(numbers.overdue, pages.labels),
        )


def _request_log(
    router: APIRouter,
    gate: Gate,
    pages: Pages,
    requests: RequestService,
    today: Callable[[], date],
) -> None:
    record = RequestRecord(requests.sessions, messages=requests.messages)

    @router.get("/log", name="console_log")
    def log_page(
        request: Request, staff: StaffMember = Depends(gate.staff), page: int = 1
    ) -> HTMLResponse:
        require_record_keeper(staff, "request_log")
        total = record.count()
        last = max(1, -(-total // LOG_PAGE_SIZE))
        page = min(max(page, 1), last)
        rows = record.page(page, LOG_PAGE_SIZE, actor=staff.email)  # audited
        words = log_words(pages.kind_label, pages.labels)
        return pages.render(
            request,
            "log.html",
            staff=staff,
            section="log",
            rows=[readable_row(row, words) for row in rows],
            headings=headings(pages.labels),
            total=total,
            page=page,
            pages=last,
            today=today(),
        )

    @router.get("/log.csv", name="console_log_csv")
    def log_csv(staff: StaffMember = Depends(gate.staff)) -> StreamingResponse:
        require_record_keeper(staff, "request_log")
        name = f"request-log-{today().isoformat()}.csv"
        return StreamingResponse(
            # Audited as an export.
            csv_lines(
                lambda: requests.iter_export_rows(actor=staff.email),
                log_words(pages.kind_label, pages.labels),
            ),
            media_type=_CSV_TYPE,
            headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'},
        )


def _retention(
    router: APIRouter,
    gate: Gate,
    pages: Pages,
    requests: RequestService,
    settings: Settings,
    unanswered: UnansweredStore,
) -> None:
    def purge(staff: StaffMember, *, dry_run: bool) -> tuple[PurgeReport, int]:
        report = requests.purge(
            actor=staff.email,
            transcript_days=settings.transcript_retention_days,
            closed_ticket_days=settings.closed_ticket_retention_days,
            dry_run=dry_run,
        )
        # Unanswered questions are kept as long as the transcripts they came from.
        return report, unanswered.purge(settings.transcript_retention_days, dry_run=dry_run)

    def render(
        request: Request, staff: StaffMember, purged: tuple[PurgeReport, int]
    ) -> HTMLResponse:
        report, questions = purged
        due = bool(
            report.tickets
            or report.conversations
            or report.turns
            or report.processed_messages
            or questions
        )
        return pages.render(
            request,
            "purge.html",
            staff=staff,
            section="purge",
            report=report,
            questions=questions,
            anything_due=due,
            settings=settings,
        )

    @router.get("/purge", name="console_purge")
    def purge_preview(request: Request, staff: StaffMember = Depends(gate.staff)) -> HTMLResponse:
        require_record_keeper(staff, "purge")
        return render(request, staff, purge(staff, dry_run=True))

    @router.post("/purge", name="console_purge_submit")
    async def purge_now(
        request: Request,
        staff: StaffMember = Depends(gate.staff),
        _form: Form = Depends(gate.form),
    ) -> HTMLResponse:
        require_record_keeper(staff, "purge")
        report = await run_in_threadpool(purge, staff, dry_run=False)
        return render(request, staff, report)
