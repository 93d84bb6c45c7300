"""The role rules, checked in the request service whichever channel the change comes from."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select

from bot.console.accounts import Role, StaffAccounts
from bot.rules.lifecycle import Outcome, Status
from bot.storage.engine import session_factory
from bot.storage.tables import AuditEvent
from bot.tickets.permissions import NotPermitted
from bot.tickets.service import NewRequest, RequestService
from bot.tickets.staff_links import StaffLinks
from tests.console.conftest import FAST_HASHER, PASSWORD

SLACK_OFFICE = "slack:U0OFFICE (Sam Office)"
SLACK_DPO = "slack:U0DPO (Dee Lead)"
TEAMS_DPO = "teams:5b1c2a3e-0000-4000-8000-00000000a1e5 (Alex Teacher)"
SLACK_STRANGER = "slack:U0STRANGER (Pat Visitor)"


@pytest.fixture
def accounts(engine: Engine) -> StaffAccounts:
    accounts = StaffAccounts(session_factory(engine), hasher=FAST_HASHER)
    links = StaffLinks(accounts.sessions)
    accounts.add("office@school.example", PASSWORD, Role.OFFICE, actor="head")
    accounts.add("dpo@school.example", PASSWORD, Role.DPO, actor="head")
    links.link("office@school.example", "slack", "U0OFFICE", actor="head")
    links.link("dpo@school.example", "slack", "U0DPO", actor="head")
    links.link("dpo@school.example", "teams", TEAMS_DPO.split()[0][6:], actor="head")
    return accounts


def events(engine: Engine, action: str) -> int:
    with engine.connect() as connection:
        count = connection.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )
    return int(count or 0)


@pytest.mark.usefixtures("accounts")
def test_an_unlinked_platform_user_can_log_a_request_but_not_work_it(
    service: RequestService, new_request: Callable[..., NewRequest], engine: Engine
) -> None:
    ticket = service.log(new_request(), actor=SLACK_STRANGER)
    with pytest.raises(NotPermitted, match="link your Slack account"):
        service.assign(ticket.reference, "Pat", actor=SLACK_STRANGER)
    with pytest.raises(NotPermitted):
        service.add_note(ticket.reference, "hello", actor="teams:00000000-dead (Someone)")
    (after,) = service.list_tickets()
    assert (after.status, after.assignee) == (Status.OPEN, None)
    assert events(engine, "assigned") == 0


@pytest.mark.usefixtures("accounts")
def test_refusal_is_for_the_dpo_or_an_admin_in_every_channel(
    service: RequestService, new_request: Callable[..., NewRequest]
) -> None:
    reason = "Manifestly excessive: the fifth identical request this month"
    first = service.log(new_request(), actor="office@school.example")
    for office in (SLACK_OFFICE, "office@school.example"):
        with pytest.raises(NotPermitted, match="data protection lead"):
            service.close(first.reference, Outcome.REFUSED, actor=office, reason=reason)
    # Office staff still work the ticket, and close it in other ways.
    service.assign(first.reference, "Sam", actor=SLACK_OFFICE)
    assert service.close(first.reference, Outcome.COMPLIED, actor=SLACK_OFFICE).closed
    for keeper in (SLACK_DPO, TEAMS_DPO, "dpo@school.example"):
        ticket = service.log(new_request(), actor=keeper)
        refused = service.close(ticket.reference, Outcome.REFUSED, actor=keeper, reason=reason)
        assert refused.outcome is Outcome.REFUSED
    # The operator at the server's command line (no console account) holds the database anyway.
    ticket = service.log(new_request(), actor="root")
    service.close(ticket.reference, Outcome.REFUSED, actor="root", reason=reason)


def test_a_disabled_account_takes_its_links_role_with_it(
    accounts: StaffAccounts, service: RequestService, new_request: Callable[..., NewRequest]
) -> None:
    ticket = service.log(new_request(), actor=SLACK_DPO)
    accounts.set_disabled("dpo@school.example", True, actor="head")
    with pytest.raises(NotPermitted):
        service.assign(ticket.reference, "Dee", actor=SLACK_DPO)


@pytest.mark.usefixtures("accounts")
def test_only_record_keepers_export_from_any_channel(service: RequestService) -> None:
    with pytest.raises(NotPermitted):
        service.export_rows(actor=SLACK_OFFICE)
    assert service.export_rows(actor=SLACK_DPO) == []
