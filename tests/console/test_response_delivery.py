"""The response end to end: ID uploaded by the requester, redaction checks, a link, revoked."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.config import Settings
from bot.console.accounts import Role
from bot.rules.lifecycle import Status
from bot.storage.engine import make_engine, session_factory
from bot.storage.tables import AuditEvent
from bot.tickets.service import RequestService, TicketView
from tests.console.conftest import csrf_of, sign_in
from tests.smtp import Inbox
from tests.web.conftest import web_settings

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def console_settings(tmp_path: Path, database_url: str, smtp: tuple[Inbox, int]) -> Settings:
    return web_settings(
        tmp_path / "data",
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp[1],
        smtp_security="none",
        letters_interval_seconds=3600,
        public_url="https://privacy.school.example",
    )


def wait_for_code(inbox: Inbox, already: int) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        codes = [
            m.group(1)
            for msg in inbox.messages
            if (m := re.search(r"Your code to see request .*: (\d{6})$", msg["Subject"]))
        ]
        if len(codes) > already:
            return codes[-1]
        time.sleep(0.05)
    raise AssertionError("no code arrived")


def letters_form(client: TestClient, reference: str) -> str:
    page = client.get(f"/console/tickets/{reference}/letters")
    assert page.status_code == 200, page.text
    return page.text


def post_letter_step(client: TestClient, reference: str, step: str, **data: str) -> Any:
    token = csrf_of(letters_form(client, reference))
    return client.post(
        f"/console/tickets/{reference}/letters/{step}", data={"csrf_token": token, **data}
    )


def code_count(inbox: Inbox) -> int:
    return sum("Your code" in str(m["Subject"]) for m in inbox.messages)


def test_id_uploaded_on_the_status_page_restarts_the_month(
    app_client: TestClient,
    staff: dict[Role, str],
    log_ticket: Callable[..., TicketView],
    requests_service: RequestService,
    smtp: tuple[Inbox, int],
) -> None:
    inbox, _ = smtp
    ticket = log_ticket(days_ago=10)
    sign_in(app_client, staff[Role.OFFICE])
    shown = app_client.post(
        f"/console/tickets/{ticket.reference}/letters/id_request/preview",
        data={"csrf_token": csrf_of(letters_form(app_client, ticket.reference)), "message": "ID"},
    )
    app_client.post(
        f"/console/tickets/{ticket.reference}/letters/id_request/send",
        data={"csrf_token": csrf_of(shown.text), "message": "A passport photo"},
    )
    app_client.cookies.clear()

    # The requester, on the status page.
    app_client.post(
        "/requests/status", data={"reference": ticket.reference, "email": "priya.shah@example.org"}
    )
    code = wait_for_code(inbox, 0)
    opened = app_client.post(
        "/requests/status/code",
        data={"reference": ticket.reference, "code": code},
        follow_redirects=True,
    )
    assert "Send your proof of identity" in opened.text
    refused = app_client.post(
        "/requests/status/id", files={"document": ("id.exe", b"MZ\x90\x00", "image/jpeg")}
    )
    assert refused.status_code == 400
    assert "only PDF, PNG, JPEG" in refused.text
    sent = app_client.post(
        "/requests/status/id",
        files={"document": ("passport.jpg", JPEG, "image/jpeg")},
        follow_redirects=True,
    )
    assert "starts again today" in sent.text, re.findall(r"role=\"alert\">([^<]*)", sent.text)

    detail = requests_service.get(ticket.reference, actor="dpo@school.example")
    assert detail.ticket.status in (Status.OPEN, Status.IN_PROGRESS)
    assert detail.ticket.id_received_on is not None
    # One month from the day the ID arrived.
    assert detail.ticket.due_date > ticket.due_date


def test_the_dpo_checks_attaches_and_sends_and_the_requester_downloads_until_revoked(
    app_client: TestClient,
    staff: dict[Role, str],
    log_ticket: Callable[..., TicketView],
    console_settings: Settings,
    smtp: tuple[Inbox, int],
) -> None:
    inbox, _ = smtp
    ticket = log_ticket(days_ago=5)
    reference = ticket.reference
    sign_in(app_client, staff[Role.OFFICE])
    # The office cannot send before the checks, nor confirm them.
    early = post_letter_step(app_client, reference, "link", message="Your records")
    assert early.status_code == 400
    assert "redaction checks" in early.text
    office_checks = post_letter_step(app_client, reference, "checks")
    assert office_checks.status_code == 403

    sign_in(app_client, staff[Role.DPO])
    token = csrf_of(letters_form(app_client, reference))
    added = app_client.post(
        f"/console/tickets/{reference}/letters/files",
        data={"csrf_token": token},
        files={"document": ("Arjun records.pdf", PDF, "application/pdf")},
    )
    assert added.status_code == 303, added.text
    # Encrypted on disk: the PDF's bytes appear nowhere under the data directory.
    stored = list((console_settings.data_dir / "files").glob("*.bin"))
    assert len(stored) == 1
    assert b"%PDF" not in stored[0].read_bytes()
    partial = post_letter_step(app_client, reference, "checks", **{"check-third_parties": "yes"})
    assert partial.status_code == 400
    checklist = ["third_parties", "other_pupils", "safeguarding", "exemptions", "right_person"]
    checks = post_letter_step(
        app_client, reference, "checks", **{f"check-{item}": "yes" for item in checklist}
    )
    assert checks.status_code == 303
    sent = post_letter_step(app_client, reference, "link", message="Your son's records")
    assert sent.status_code == 303, sent.text

    cover = next(m for m in inbox.messages if "Our response" in str(m["Subject"]))
    body = str(cover.get_payload(decode=True), "utf-8")
    assert "%PDF" not in body  # no attachment, a link
    link = re.search(r"https://privacy\.school\.example(/requests/download/\S+)", body)
    assert link is not None
    path = link.group(1)

    app_client.cookies.clear()
    assert app_client.get(f"{path}/files").status_code == 303  # nothing without the code
    app_client.post(f"{path}/code-request")
    code = wait_for_code(inbox, code_count(inbox) - 1 if code_count(inbox) else 0)
    opened = app_client.post(f"{path}/open", data={"code": code}, follow_redirects=True)
    assert "Arjun records.pdf" in opened.text
    file_link = re.search(rf'href="({re.escape(path)}/files/\d+)"', opened.text)
    assert file_link is not None
    downloaded = app_client.get(file_link.group(1))
    assert downloaded.status_code == 200
    assert downloaded.content == PDF

    sign_in(app_client, staff[Role.OFFICE])
    page = letters_form(app_client, reference)
    link_id = re.search(r"/letters/links/(\d+)/revoke", page)
    assert link_id is not None
    revoked = post_letter_step(app_client, reference, f"links/{link_id.group(1)}/revoke")
    assert revoked.status_code == 303
    app_client.cookies.clear()
    after = app_client.get(file_link.group(1))
    assert after.status_code == 404
    assert after.content != PDF

    engine = make_engine(console_settings.resolved_database_url())
    try:
        with session_factory(engine).begin() as session:
            actions = session.scalars(
                select(AuditEvent.action).where(AuditEvent.ticket_reference == reference)
            ).all()
    finally:
        engine.dispose()
    assert actions.count("response_downloaded") == 1
    assert "response_link_revoked" in actions
    assert "redaction_checked" in actions
