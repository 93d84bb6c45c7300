"""Logging in and out: the session cookie, failures and their throttle, the audit, CSRF tokens."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.app import create_app
from bot.config import Settings
from bot.console import login
from bot.console.accounts import NOT_AN_ADDRESS, Role, StaffAccounts
from bot.console.throttle import FAILURE_TIERS, LoginBudgets
from bot.content.console_phrases import console_phrases
from bot.content.location import packaged_content_dir
from bot.storage.tables import AuditEvent
from bot.tickets.service import RequestService, TicketView
from tests.console.conftest import PASSWORD, csrf_of, sign_in

PROBLEM = re.compile(r'<p class="message message--problem"[^>]*>(.*?)</p>', re.S)


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


@pytest.fixture
def quick_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Failed logins answered after 50 ms rather than the real floor, for tests of many."""
    monkeypatch.setattr(login, "FAILURE_SECONDS", 0.05)


def problem_of(response: object) -> tuple[int, str]:
    found = PROBLEM.search(response.text)  # type: ignore[attr-defined]
    assert found, response.text  # type: ignore[attr-defined]
    return response.status_code, found.group(1)  # type: ignore[attr-defined]


def test_every_login_failure_gets_the_same_answer_after_the_same_time(
    app_client: TestClient, staff: dict[Role, str]
) -> None:
    # Unknown address, wrong password, and an attempt refused unchecked because of earlier
    # failures: an outsider must not be able to tell them apart, by the answer or the time.
    email = staff[Role.OFFICE]
    answers, times = [], []
    attempts = [("nobody@school.example", PASSWORD)] + [(email, "guess guess guess")] * (
        FAILURE_TIERS[0][0] + 1
    )
    for address, password in attempts:
        token = csrf_of(app_client.get("/console/login").text)
        form = {"csrf_token": token, "email": address, "password": password}
        started = time.monotonic()
        answers.append(problem_of(app_client.post("/console/login", data=form)))
        times.append(time.monotonic() - started)
    failed = console_phrases(packaged_content_dir("answers")).say("login.failed")
    assert set(answers) == {(401, failed)}
    # The unknown address (a decoy hash), a wrong password (a real hash) and the refused one
    # (no hash at all) all wait out the same floor, which is longer than any of them takes; the
    # margin above it is only for a machine busy with other work.
    assert min(times) >= login.FAILURE_SECONDS
    assert max(times) < login.FAILURE_SECONDS + 1.0
    assert times[-1] >= login.FAILURE_SECONDS  # the refused attempt is not the quick one
    assert app_client.get("/console/tickets").status_code == 303


@pytest.mark.usefixtures("quick_failures")
def test_failures_slow_down_that_account_from_that_address_but_never_lock_it(
    console_settings: Settings, staff: dict[Role, str]
) -> None:
    email = staff[Role.DPO]
    app = create_app(console_settings)
    with TestClient(app, follow_redirects=False, client=("203.0.113.9", 40000)) as outsider:
        for _ in range(FAILURE_TIERS[0][0]):
            assert sign_in(outsider, email, "guess guess guess").status_code == 401
        # From the outsider's address even the right password is not checked for a while...
        assert sign_in(outsider, email, PASSWORD).status_code == 401
    # ...but the DPO, at the school, signs in as usual: no lockout to abuse.
    with TestClient(app, follow_redirects=False, client=("192.0.2.20", 40000)) as school:
        assert sign_in(school, email, PASSWORD).status_code == 303
        assert school.get("/console/tickets").status_code == 200


@pytest.mark.usefixtures("quick_failures")
def test_a_login_flood_from_one_address_is_refused_before_any_password_is_hashed(
    app_client: TestClient, staff: dict[Role, str], requests_service: RequestService
) -> None:
    budget = LoginBudgets().per_address
    for number in range(budget + 5):
        assert sign_in(app_client, f"guess{number}@school.example", "p" * 12).status_code == 401
    # Over the address's budget, even a real account's right password waits its turn.
    assert sign_in(app_client, staff[Role.OFFICE], PASSWORD).status_code == 401
    with requests_service.sessions.begin() as session:
        checked = session.scalar(select(func.count()).where(AuditEvent.action == "login_failed"))
    assert checked == budget


@pytest.mark.usefixtures("quick_failures")
def test_logins_go_into_the_audit_trail_without_passwords(
    app_client: TestClient, staff: dict[Role, str], requests_service: RequestService
) -> None:
    email = staff[Role.OFFICE]
    for _ in range(FAILURE_TIERS[0][0]):
        sign_in(app_client, email, "guess guess guess")
    sign_in(app_client, "nobody@school.example", PASSWORD)
    sign_in(app_client, PASSWORD, PASSWORD)  # a password typed into the email box
    sign_in(app_client, staff[Role.DPO])
    with requests_service.sessions.begin() as session:
        events = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.new_value)
            .where(AuditEvent.action.like("login%"))
            .order_by(AuditEvent.id)
        ).all()
        everything = " ".join(
            str(value)
            for row in session.execute(select(AuditEvent.__table__)).all()
            for value in row
        )
    where = "from testclient"
    assert [tuple(e) for e in events] == [
        *[(email, "login_failed", where)] * FAILURE_TIERS[0][0],
        (email, "login_delayed", where),
        ("nobody@school.example", "login_failed", where),
        (NOT_AN_ADDRESS, "login_failed", where),
        (staff[Role.DPO], "login_succeeded", where),
    ]
    assert PASSWORD not in everything
    assert "guess guess guess" not in everything


def test_a_copied_cookie_stops_working_at_logout(
    app_client: TestClient, staff: dict[Role, str], console_settings: Settings
) -> None:
    sign_in(app_client, staff[Role.OFFICE])
    page = app_client.get("/console/tickets")
    copied = app_client.cookies.get("privacybot_console")
    assert copied
    app_client.post("/console/logout", data={"csrf_token": csrf_of(page.text)})
    with TestClient(create_app(console_settings), follow_redirects=False) as elsewhere:
        elsewhere.cookies.set("privacybot_console", copied, path="/console")
        assert elsewhere.get("/console/tickets").status_code == 303


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


def test_a_forged_login_with_a_real_anonymous_session_but_a_wrong_token_is_refused(
    app_client: TestClient, staff: dict[Role, str]
) -> None:
    # Login CSRF: another site posts its own credentials into this browser, which does hold a
    # valid anonymous session (it once opened the login page), but not that session's token.
    real_token = csrf_of(app_client.get("/console/login").text)
    forged = app_client.post(
        "/console/login",
        data={"csrf_token": real_token[::-1], "email": staff[Role.OFFICE], "password": PASSWORD},
    )
    assert forged.status_code == 403
    assert "The login form had expired" in forged.text
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
