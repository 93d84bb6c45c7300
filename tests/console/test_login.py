"""Logging in and out: the session cookie, wrong passwords, the lockout and CSRF tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from bot.console.accounts import FREE_ATTEMPTS, Role, StaffAccounts
from bot.storage.tables import AuditEvent, StaffUser
from bot.tickets.service import RequestService, TicketView
from tests.console.conftest import PASSWORD, csrf_of, sign_in


def cookie_header(response: object) -> str:
    header = response.headers.get("set-cookie", "")  # type: ignore[attr-defined]
    assert header.startswith("privacybot_console="), header
    return str(header).lower()


def test_a_member_of_staff_logs_in_and_out(app_client: TestClient, staff: dict[Role, str]) -> None:
    response = sign_in(app_client, staff[Role.OFFICE])
    assert response.status_code == 303
    assert response.headers["location"] == "/console/tickets"
    page = app_client.get("/console/tickets")
    assert page.status_code == 200
    assert "office@school.example" in page.text
    assert page.headers["cache-control"] == "no-store"

    out = app_client.post("/console/logout", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303
    assert out.headers["location"] == "/console/login?out=1"
    assert 'privacybot_console=""' in out.headers["set-cookie"]
    assert "max-age=0" in cookie_header(out)
    assert app_client.get("/console/tickets").status_code == 303
    assert "You have logged out." in app_client.get("/console/login?out=1").text


def test_the_session_cookie_is_httponly_samesite_and_expires(
    app_client: TestClient, staff: dict[Role, str]
) -> None:
    flags = cookie_header(sign_in(app_client, staff[Role.OFFICE]))
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "path=/console" in flags
    assert f"max-age={8 * 3600}" in flags
    # Served over plain HTTP (a developer's machine), a Secure cookie would never come back.
    assert "secure" not in flags


def test_over_https_the_session_cookie_is_secure(
    app_client: TestClient, staff: dict[Role, str]
) -> None:
    app_client.base_url = app_client.base_url.copy_with(scheme="https")
    flags = cookie_header(sign_in(app_client, staff[Role.OFFICE]))
    assert "secure" in flags
    assert app_client.get("/console/tickets").status_code == 200


def test_a_wrong_password_or_unknown_email_gets_the_same_answer(
    app_client: TestClient, staff: dict[Role, str]
) -> None:
    wrong = sign_in(app_client, staff[Role.OFFICE], "not the password at all")
    unknown = sign_in(app_client, "nobody@school.example", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "The email address or the password is wrong." in response.text
    assert app_client.get("/console/tickets").status_code == 303


def test_repeated_failures_lock_the_account_even_against_the_right_password(
    app_client: TestClient, staff: dict[Role, str], requests_service: RequestService
) -> None:
    email = staff[Role.OFFICE]
    for _ in range(FREE_ATTEMPTS - 1):
        assert sign_in(app_client, email, "guess guess guess").status_code == 401
    locked = sign_in(app_client, email, "guess guess guess")
    assert locked.status_code == 429
    assert "locked until" in locked.text
    assert sign_in(app_client, email, PASSWORD).status_code == 429

    # Once the lock has run out, the right password works and the count starts again.
    with requests_service.sessions.begin() as session:
        session.execute(
            update(StaffUser)
            .where(StaffUser.email == email)
            .values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert sign_in(app_client, email, PASSWORD).status_code == 303
    with requests_service.sessions.begin() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.email == email))
        assert user is not None
        assert (user.failed_logins, user.locked_until) == (0, None)
        assert user.last_login_at is not None


def test_a_disabled_account_cannot_log_in(
    app_client: TestClient, staff: dict[Role, str], accounts: StaffAccounts
) -> None:
    accounts.set_disabled(staff[Role.DPO], True, actor="admin@school.example")
    response = sign_in(app_client, staff[Role.DPO])
    assert response.status_code == 403
    assert "disabled" in response.text


def test_a_login_without_the_forms_token_is_refused(
    app_client: TestClient, staff: dict[Role, str]
) -> None:
    response = app_client.post(
        "/console/login", data={"email": staff[Role.OFFICE], "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "The login form had expired" in response.text
    assert app_client.get("/console/tickets").status_code == 303


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_a_post_without_the_sessions_csrf_token_changes_nothing(
    app_client: TestClient,
    staff: dict[Role, str],
    log_ticket: Callable[..., TicketView],
    requests_service: RequestService,
    token: str | None,
) -> None:
    ticket = log_ticket()
    sign_in(app_client, staff[Role.OFFICE])
    form = {"csrf_token": token} if token is not None else {}
    response = app_client.post(f"/console/tickets/{ticket.reference}/take", data=form)
    assert response.status_code == 403
    assert "This form has expired" in response.text
    with requests_service.sessions.begin() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.ticket_reference == ticket.reference)
        ).all()
    assert "assigned" not in actions
    # Logging out needs the token too: a link on another site cannot sign staff out.
    assert app_client.post("/console/logout", data=form).status_code == 403


def test_a_token_from_another_session_does_not_work(
    app_client: TestClient, staff: dict[Role, str], log_ticket: Callable[..., TicketView]
) -> None:
    ticket = log_ticket()
    sign_in(app_client, staff[Role.DPO])
    old_token = csrf_of(app_client.get("/console/tickets").text)
    sign_in(app_client, staff[Role.OFFICE])
    response = app_client.post(
        f"/console/tickets/{ticket.reference}/take", data={"csrf_token": old_token}
    )
    assert response.status_code == 403
