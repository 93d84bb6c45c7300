"""Setting Slack up: installing by OAuth into the same database, and the settings it needs."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import inspect
from typer.testing import CliRunner

from bot.app import create_app
from bot.cli.main import app as cli
from bot.config import ConfigError
from bot.slack.app import EVENTS_PATH, REDIRECT_PATH, SCOPES
from bot.storage.engine import make_engine
from tests.slack.conftest import SECRET, slack_settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.test_triage import log_by_cli

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]


# slack_sdk's AsyncWebClient sends the client id and secret with aiohttp's BasicAuth, which
# aiohttp 3.14 deprecates; nothing of ours to change.
@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
async def test_oauth_installs_into_the_bots_own_database(tmp_path: Path, fake: FakeSlack) -> None:
    settings = slack_settings(
        tmp_path / "data",
        fake,
        SLACK_BOT_TOKEN=None,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        # Bolt's state cookie is Secure, as it would be behind the school's HTTPS proxy.
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
            page = await http.get("/slack/install")
            assert page.status_code == 200
            link = re.search(r'href="(https://slack.com/oauth/v2/authorize\?[^"]+)"', page.text)
            assert link is not None
            assert "client_id=111.222" in link.group(1)
            state = re.search(r"state=([^&\"]+)", link.group(1))
            assert state is not None
            done = await http.get(
                "/slack/oauth_redirect", params={"code": "code-1", "state": state.group(1)}
            )
            assert done.status_code == 200, done.text
            # The triage channel is then posted to with the installed workspace's token.
            log_by_cli(settings)
            app.state.slack.triage.run_once()
    (post,) = fake.called("chat.postMessage")
    assert post.token == "xoxb-installed"
    (exchange,) = fake.called("oauth.v2.access")
    assert exchange.params["code"] == "code-1"
    engine = make_engine(settings.resolved_database_url())
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"slack_bots", "slack_installations", "slack_oauth_states"} <= tables


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"SLACK_SIGNING_SECRET": None}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": None, "SLACK_CLIENT_ID": "111.222"}, "SLACK_CLIENT_SECRET"),
    ],
)
def test_a_half_configured_slack_stops_start_up_naming_the_setting(
    tmp_path: Path, fake: FakeSlack, overrides: dict[str, object], named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        create_app(slack_settings(tmp_path / "data", fake, **overrides))


def test_socket_mode_needs_the_app_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIVACYBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    result = CliRunner().invoke(cli, ["slack-socket"])
    assert result.exit_code == 2
    assert "SLACK_APP_TOKEN" in result.output


def test_the_manifest_asks_for_what_the_app_uses() -> None:
    manifest = yaml.safe_load((ROOT / "docs" / "slack-manifest.yaml").read_text(encoding="utf-8"))
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(SCOPES)
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"].endswith(EVENTS_PATH)
    assert settings["interactivity"]["request_url"].endswith(EVENTS_PATH)
    assert set(settings["event_subscriptions"]["bot_events"]) >= {
        "app_home_opened",
        "app_mention",
        "message.im",
        "message.channels",
    }
    (command,) = manifest["features"]["slash_commands"]
    assert (command["command"], command["url"].endswith(EVENTS_PATH)) == ("/privacy", True)
    assert manifest["oauth_config"]["redirect_urls"][0].endswith(REDIRECT_PATH)
