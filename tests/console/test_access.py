"""Every route needs a login; the role decides who may refuse, export and purge."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import fastapi.routing
import pytest
from fastapi.testclient import TestClient
from starlette.routing import Mount

from bot.console.accounts import Role, StaffAccounts
from bot.console.staff_sessions import StaffSessions
from bot.storage.engine import StorageUnavailable
from bot.tickets.service import EXPORT_COLUMNS, RequestService, TicketView
from tests.console.conftest import PASSWORD, csrf_of, sign_in

# What the public, parents and the platforms reach without a console login; they have their
# own protection (signed conversation ids, Slack's and Teams' request signatures, the
# requester's emailed one-time codes on their status page and download links).
PUBLIC = re.compile(
    r"^(/chat(/receipts/[^/]+)?|/widget\.js|/api/(conversations|chat|messages)(/.*)?|/healthz"
    r"|/readyz|/openapi\.json|/slack/events|/console/login|/requests/(status|download)(/.*)?)$"
)
PUBLIC_MOUNTS = ("/static", "/console/static")
SAMPLE = {"reference": "SAR-2026-0001", "action": "take"}


def fill(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLE.get(m.group(1), "x"), path)


def all_routes(app: Any) -> list[Any]:
    """Every route, including those inside included routers (FastAPI may keep them nested)."""
    walk = getattr(fastapi.routing, "iter_route_contexts", None)
    return list(walk(app.routes)) if walk else list(app.routes)


def protected_routes(app: Any) -> list[tuple[str, str]]:
    found = []
    for route in all_routes(app):
        path = getattr(route, "path", "") or ""
        if isinstance(getattr(route, "original_route", route), Mount):
            assert path in PUBLIC_MOUNTS, f"unexpected mount {path}: add it to the walk"
            continue
        if PUBLIC.match(path):
            continue
        methods = sorted(getattr(route, "methods", None) or {"GET"})
        found += [(method, fill(path)) for method in methods]
    return found


def test_every_route_without_a_session_goes_to_the_login_or_is_refused(
    app_client: TestClient,
) -> None:
    routes = protected_routes(app_client.app)
    # The walk must cover the console itself, or it proves nothing.
    assert ("GET", "/console/tickets") in routes
    assert ("POST", "/console/tickets/SAR-2026-0001/take") in routes
    assert ("GET", "/console/log.csv") in routes
    for method, path in routes:
        response = app_client.request(method, path)
        assert response.status_code in (303, 307, 401), (method, path, response.status_code)
        if response.status_code != 401:
            assert response.headers["location"].startswith("/console/login"), (method, path)


def test_console_routes_are_not_in_the_public_api_schema(app_client: TestClient) -> None:
    paths = app_client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith("/console")]


def test_the_login_page_sends_you_back_where_you_were_going(
    app_client: TestClient, staff: dict[Role, str]
) -> None:
    first = app_client.get("/console/dashboard")
    assert first.headers["location"] == "/console/login?next=/console/dashboard"
    page = app_client.get(first.headers["location"])
    assert 'name="next" value="/console/dashboard"' in page.text
    response = app_client.post(
        "/console/login",
        data={
            "csrf_token": csrf_of(page.text),
            "email": staff[Role.OFFICE],
            "password": PASSWORD,
            "next": "/console/dashboard",
        },
    )
    assert response.headers["location"] == "/console/dashboard"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/chat"])
def test_the_login_never_sends_anyone_off_the_console(
    app_client: TestClient, staff: dict[Role, str], target: str
) -> None:
    page = app_client.get("/console/login")
    response = app_client.post(
        "/console/login",
        data={
            "csrf_token": csrf_of(page.text),
            "email": staff[Role.OFFICE],
            "password": PASSWORD,
            "next": target,
        },
    )
    assert response.headers["location"] == "/console/tickets"


def test_office_cannot_export_the_request_log_but_the_dpo_can(
    app_client: TestClient, staff: dict[Role, str], log_ticket: Callable[..., TicketView]
) -> None:
    ticket = log_ticket()
    sign_in(app_client, staff[Role.OFFICE])
    for path in ("/console/log.csv", "/console/log", "/console/purge"):
        refused = app_client.get(path)
        assert refused.status_code == 403, path
        assert "Only the data protection lead" in refused.text
        assert "office role" in refused.text
    assert 'href="/console/log"' not in app_client.get("/console/tickets").text

    sign_in(app_client, staff[Role.DPO])
    response = app_client.get("/console/log.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    # The machine columns first; the console adds the coded ones again in words after them.
    assert tuple(rows[0])[: len(EXPORT_COLUMNS)] == EXPORT_COLUMNS
    assert [row["reference"] for row in rows] == [ticket.reference]
    # The log is what the DfE expects; the requester's name and contact stay out of it.
    assert "Priya" not in response.text
    printable = app_client.get("/console/log")
    assert printable.status_code == 200
    assert ticket.reference in printable.text


def test_only_the_dpo_or_an_admin_can_close_a_request_as_refused(
    app_client: TestClient,
    staff: dict[Role, str],
    log_ticket: Callable[..., TicketView],
    requests_service: RequestService,
) -> None:
    ticket = log_ticket()
    url = f"/console/tickets/{ticket.reference}"
    sign_in(app_client, staff[Role.OFFICE])
    page = app_client.get(url)
    assert 'value="refused"' not in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "outcome": "refused",
        "reason": "Manifestly excessive",
    }
    refused = app_client.post(f"{url}/close", data=form)
    assert refused.status_code == 403
    assert "close a request as refused" in refused.text
    assert not requests_service.get(ticket.reference, actor="test").ticket.closed

    sign_in(app_client, staff[Role.ADMIN])
    page = app_client.get(url)
    form["csrf_token"] = csrf_of(page.text)
    done = app_client.post(f"{url}/close", data={**form, "confirmed": "yes"})
    assert done.status_code == 303
    assert "Refused: Manifestly excessive" in app_client.get(done.headers["location"]).text


def test_a_dpo_can_purge_from_the_console(app_client: TestClient, staff: dict[Role, str]) -> None:
    sign_in(app_client, staff[Role.DPO])
    preview = app_client.get("/console/purge")
    assert preview.status_code == 200
    # Nothing has passed its retention period yet, so there is no button to press.
    assert "Nothing is due for deletion" in preview.text
    assert "Delete them now" not in preview.text
    done = app_client.post("/console/purge", data={"csrf_token": csrf_of(preview.text)})
    assert done.status_code == 200
    assert "Deleted." in done.text
    assert app_client.post("/console/purge", data={}).status_code == 403


def test_a_disabled_account_is_signed_out_at_its_next_request(
    app_client: TestClient, staff: dict[Role, str], accounts: StaffAccounts
) -> None:
    sign_in(app_client, staff[Role.OFFICE])
    assert app_client.get("/console/tickets").status_code == 200
    accounts.set_disabled(staff[Role.OFFICE], True, actor="admin@school.example")
    assert app_client.get("/console/tickets").status_code == 303


def test_enabling_an_account_again_does_not_revive_its_old_sessions(
    app_client: TestClient, staff: dict[Role, str], accounts: StaffAccounts
) -> None:
    sign_in(app_client, staff[Role.OFFICE])
    cookie = app_client.cookies.get("privacybot_console")
    accounts.set_disabled(staff[Role.OFFICE], True, actor="admin@school.example")
    accounts.set_disabled(staff[Role.OFFICE], False, actor="admin@school.example")
    app_client.cookies.set("privacybot_console", str(cookie), path="/console")
    assert app_client.get("/console/tickets").status_code == 303


def test_a_role_change_ends_the_accounts_sessions(
    app_client: TestClient, staff: dict[Role, str], accounts: StaffAccounts
) -> None:
    sign_in(app_client, staff[Role.DPO])
    assert app_client.get("/console/tickets").status_code == 200
    accounts.set_role(staff[Role.DPO], Role.OFFICE, actor="admin@school.example")
    assert app_client.get("/console/tickets").status_code == 303
    # Signed in again, the new role applies: no refusing any more.
    sign_in(app_client, staff[Role.DPO])
    assert "office role" in app_client.get("/console/log.csv").text


def test_a_password_reset_ends_the_sessions_that_used_the_old_one(
    app_client: TestClient, staff: dict[Role, str], accounts: StaffAccounts
) -> None:
    sign_in(app_client, staff[Role.OFFICE])
    assert app_client.get("/console/tickets").status_code == 200
    accounts.reset(staff[Role.OFFICE], "a brand new passphrase", actor="admin@school.example")
    assert app_client.get("/console/tickets").status_code == 303


def test_a_database_outage_gets_the_consoles_own_page(
    app_client: TestClient, staff: dict[Role, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(app_client, staff[Role.OFFICE])

    def down(*_args: object) -> None:
        raise StorageUnavailable("the ticket database at sqlite:///x is unavailable")

    monkeypatch.setattr(StaffSessions, "member", down)
    response = app_client.get("/console/tickets")
    assert response.status_code == 503
    assert "The ticket database cannot be reached" in response.text
    assert "sqlite" not in response.text
