"""Linking Slack and Teams users to staff accounts in the console: admins only, audited, and
the user's rights in the channel follow the link at once."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.app import create_app
from bot.config import ConfigError
from bot.console.accounts import Role, StaffAccounts
from bot.content.location import packaged_content_dir
from bot.storage.tables import AuditEvent, StaffLink
from bot.tickets.link_words import LinkWords
from bot.tickets.permissions import NotPermitted
from bot.tickets.service import RequestService, TicketView
from bot.tickets.staff_links import StaffLinks
from tests.console.conftest import csrf_of, sign_in
from tests.web.conftest import web_settings

SLACK_USER = "U04ABCDE12"
TEAMS_USER = "5b1c2a3e-0000-4000-8000-00000000a1e5"
PAGE = "/console/staff/links"


def add_link(client: TestClient, **fields: str) -> Any:
    token = csrf_of(client.get(PAGE).text)
    return client.post(f"{PAGE}/add", data={"csrf_token": token, **fields})


def remove_link(client: TestClient, platform: str, user_id: str) -> Any:
    token = csrf_of(client.get(PAGE).text)
    return client.post(
        f"{PAGE}/remove", data={"csrf_token": token, "platform": platform, "user_id": user_id}
    )


def links_in(requests_service: RequestService) -> list[tuple[str, str, str]]:
    return [
        (link.platform, link.user_id, link.email)
        for link in StaffLinks(requests_service.sessions).links()
    ]


def test_an_admin_links_a_slack_user_who_can_then_work_tickets_until_the_link_is_removed(
    app_client: TestClient,
    staff: dict[Role, str],
    requests_service: RequestService,
    log_ticket: Any,
) -> None:
    ticket: TicketView = log_ticket()
    actor = f"slack:{SLACK_USER} (Sam Office)"
    with pytest.raises(NotPermitted):
        requests_service.assign(ticket.reference, "Sam", actor=actor)
    sign_in(app_client, staff[Role.ADMIN])
    added = add_link(
        app_client, platform="slack", user_id=f" {SLACK_USER.lower()} ", email=staff[Role.OFFICE]
    )
    assert added.status_code == 303
    page = app_client.get(added.headers["location"])
    assert f"Slack user {SLACK_USER} is linked to office@school.example" in page.text
    assert links_in(requests_service) == [("slack", SLACK_USER, staff[Role.OFFICE])]

    # The link counts from the next click: the Slack user works the ticket with the office role.
    worked = requests_service.assign(ticket.reference, "Sam", actor=actor)
    assert worked.assignee == "Sam"

    removed = remove_link(app_client, "slack", SLACK_USER)
    assert removed.status_code == 303
    page = app_client.get(removed.headers["location"])
    assert "no longer linked to office@school.example" in page.text
    assert links_in(requests_service) == []
    with pytest.raises(NotPermitted, match="link your Slack account"):
        requests_service.add_note(ticket.reference, "still here?", actor=actor)

    with requests_service.sessions() as session:
        trail = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.old_value, AuditEvent.new_value)
            .where(AuditEvent.action.in_(["staff_linked", "staff_unlinked"]))
            .order_by(AuditEvent.id)
        ).all()
    pair = f"slack:{SLACK_USER} -> office@school.example"
    assert [tuple(row) for row in trail] == [
        ("admin@school.example", "staff_linked", None, pair),
        ("admin@school.example", "staff_unlinked", pair, None),
    ]


def test_the_list_shows_each_link_with_who_made_it_and_when(
    app_client: TestClient, staff: dict[Role, str], requests_service: RequestService
) -> None:
    StaffLinks(requests_service.sessions).link(
        staff[Role.DPO], "teams", TEAMS_USER.upper(), actor="head@school.example"
    )
    sign_in(app_client, staff[Role.ADMIN])
    page = app_client.get(PAGE)
    assert page.status_code == 200
    assert "1 linked user" in page.text
    row = page.text.split(f"<code>{TEAMS_USER}</code>", 1)[1].split("</tr>", 1)[0]
    assert "Microsoft Teams" in row
    assert "dpo@school.example (dpo)" in row
    assert "head@school.example" in row
    assert f"Remove the link for Microsoft Teams user {TEAMS_USER}" in row


@pytest.mark.parametrize(
    ("fields", "says", "field"),
    [
        ({"platform": "", "user_id": SLACK_USER}, "Choose Slack or Teams.", "platform"),
        ({"platform": "slack", "user_id": "  "}, "Give the Slack user", "user_id"),
        ({"platform": "slack", "user_id": "@sam.office"}, "is not a Slack member ID", "user_id"),
        ({"platform": "teams", "user_id": "sam@school"}, "is not a Teams user", "user_id"),
        ({"platform": "slack", "user_id": SLACK_USER, "email": ""}, "Choose the staff", "email"),
        (
            {"platform": "slack", "user_id": SLACK_USER, "email": "ghost@school.example"},
            "There is no staff account for ghost@school.example",
            "email",
        ),
    ],
)
def test_bad_input_says_what_is_wrong_and_keeps_what_was_typed(
    app_client: TestClient,
    staff: dict[Role, str],
    requests_service: RequestService,
    fields: dict[str, str],
    says: str,
    field: str,
) -> None:
    sign_in(app_client, staff[Role.ADMIN])
    form = {"email": staff[Role.OFFICE], **fields}
    answer = add_link(app_client, **form)
    assert answer.status_code == 400
    assert says in answer.text
    assert f'id="link-{field}"' in answer.text
    assert f'aria-describedby="link-{field}-error' in answer.text
    if form["user_id"].strip():
        assert f'value="{form["user_id"].strip()}"' in answer.text
    if form["email"]:
        assert f'value="{form["email"]}" selected' in answer.text
    assert links_in(requests_service) == []


def test_a_disabled_account_and_a_user_linked_to_someone_else_are_refused(
    app_client: TestClient,
    staff: dict[Role, str],
    accounts: StaffAccounts,
    requests_service: RequestService,
) -> None:
    sign_in(app_client, staff[Role.ADMIN])
    accounts.set_disabled(staff[Role.OFFICE], True, actor="head")
    disabled = add_link(app_client, platform="teams", user_id=TEAMS_USER, email=staff[Role.OFFICE])
    assert disabled.status_code == 400
    assert "The account office@school.example is disabled" in disabled.text
    assert f'value="{TEAMS_USER}"' in disabled.text
    assert 'value="office@school.example" selected' in disabled.text

    linked = add_link(app_client, platform="teams", user_id=TEAMS_USER, email=staff[Role.DPO])
    assert linked.status_code == 303
    taken = add_link(app_client, platform="teams", user_id=TEAMS_USER, email=staff[Role.ADMIN])
    assert taken.status_code == 400
    assert (
        f"Microsoft Teams user {TEAMS_USER} is already linked to dpo@school.example" in taken.text
    )
    assert 'value="admin@school.example" selected' in taken.text
    assert links_in(requests_service) == [("teams", TEAMS_USER, staff[Role.DPO])]

    gone = remove_link(app_client, "slack", SLACK_USER)
    assert gone.status_code == 400
    assert f"Slack user {SLACK_USER} is not linked to any account" in gone.text


@pytest.mark.parametrize("role", [Role.OFFICE, Role.DPO])
def test_only_an_admin_sees_or_changes_the_links(
    app_client: TestClient, staff: dict[Role, str], requests_service: RequestService, role: Role
) -> None:
    sign_in(app_client, staff[role])
    assert app_client.get(PAGE).status_code == 403
    token = csrf_of(app_client.get("/console/tickets").text)
    form = {"csrf_token": token, "platform": "slack", "user_id": SLACK_USER}
    answer = app_client.post(f"{PAGE}/add", data={**form, "email": staff[role]})
    assert answer.status_code == 403
    assert links_in(requests_service) == []


def test_a_form_without_its_token_changes_nothing(
    app_client: TestClient, staff: dict[Role, str], requests_service: RequestService
) -> None:
    sign_in(app_client, staff[Role.ADMIN])
    answer = app_client.post(
        f"{PAGE}/add",
        data={"platform": "slack", "user_id": SLACK_USER, "email": staff[Role.OFFICE]},
    )
    assert answer.status_code == 403
    assert links_in(requests_service) == []


def test_a_user_whose_link_an_admin_removed_is_not_linked_again_by_their_email(
    staff: dict[Role, str], requests_service: RequestService
) -> None:
    links = StaffLinks(requests_service.sessions)
    assert links.link_verified_email("slack", SLACK_USER, "Office@School.example")
    links.unlink("slack", SLACK_USER, actor="admin@school.example")
    assert not links.link_verified_email("slack", SLACK_USER, "office@school.example")
    assert links.links() == []
    # An admin can still link them by hand.
    links.link(staff[Role.OFFICE], "slack", SLACK_USER, actor="admin@school.example")
    with requests_service.sessions() as session:
        assert session.get(StaffLink, ("slack", SLACK_USER)) is not None


def test_the_staff_page_leads_to_the_links(app_client: TestClient, staff: dict[Role, str]) -> None:
    sign_in(app_client, staff[Role.ADMIN])
    page = app_client.get("/console/staff")
    assert 'href="/console/staff/links">Slack and Teams users who work tickets</a>' in page.text


def test_the_page_speaks_the_schools_words_and_a_missing_one_is_named(
    tmp_path: Path, database_url: str, accounts: StaffAccounts, staff: dict[Role, str]
) -> None:
    answers = tmp_path / "answers"
    shutil.copytree(packaged_content_dir("answers"), answers)
    words = answers / "staff_links.yaml"
    words.write_text(
        words.read_text(encoding="utf-8").replace(
            "title: Slack and Teams users", "title: Who works tickets from Slack or Teams"
        ),
        encoding="utf-8",
    )
    settings = web_settings(tmp_path / "data", database_url=database_url, answers_dir=answers)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        sign_in(client, staff[Role.ADMIN])
        assert "<h1>Who works tickets from Slack or Teams</h1>" in client.get(PAGE).text

    words.write_text(
        "\n".join(
            line
            for line in words.read_text(encoding="utf-8").splitlines()
            if "already_linked" not in line
        ),
        encoding="utf-8",
    )
    # What the console's start-up reads (not a whole app here: one that failed part-way would
    # leave its database connections open).
    with pytest.raises(
        ConfigError, match=r"staff_links\.yaml: no words for .*problems\.already_linked"
    ):
        LinkWords.load(answers)
