"""One settings object, read once from the environment (and `.env`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import unquote, urlsplit

from cryptography.fernet import Fernet
from pydantic import (
    EmailStr,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.content.location import packaged_content_dir

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it."""


class Settings(BaseSettings):
    """Every setting the bot reads. Nothing else in the code reads `os.environ`."""

    model_config = SettingsConfigDict(env_prefix="PRIVACYBOT_", env_file=".env", extra="ignore")

    intents_dir: Path = Field(default_factory=lambda: packaged_content_dir("intents"))
    answers_dir: Path = Field(default_factory=lambda: packaged_content_dir("answers"))
    data_dir: Path = Path("data")
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    max_message_chars: int = Field(default=2000, ge=1)

    # Formal requests. The term dates count the 15 school days of an educational-record request;
    # None means calendar.yaml in the answers folder, beside the notice facts a school edits.
    school_calendar_file: Path | None = None
    # How long the bot keeps what it holds itself: chat transcripts (and intake state), and
    # tickets once closed. `privacybot purge` deletes what is older.
    transcript_retention_days: int = Field(default=30, ge=1)
    closed_ticket_retention_days: int = Field(default=6 * 365, ge=1)

    # Matching thresholds on the 0-100 scale; see intents/README.md before changing them.
    answer_threshold: float = Field(default=57.0, ge=0, le=100)
    suggest_threshold: float = Field(default=44.0, ge=0, le=100)
    close_call_margin: float = Field(default=4.0, ge=0, le=100)

    # The web server (`privacybot serve`). HOST and PORT follow the usual platform convention.
    host: str = Field(default="127.0.0.1", validation_alias="HOST")
    port: int = Field(default=8000, ge=0, le=65535, validation_alias="PORT")
    # Proxies whose X-Forwarded-For is believed: the client address the rate limits count by.
    forwarded_allow_ips: str = Field(default="127.0.0.1", validation_alias="FORWARDED_ALLOW_IPS")
    # Signs web conversation ids. Unset: one is generated once and kept in the data directory.
    secret_key: SecretStr | None = None
    # Sites allowed to embed the chat (widget.js), e.g. "https://www.school.example": CSP
    # frame-ancestors. Comma- or space-separated.
    embed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Requests allowed per rolling window, per client address and per conversation.
    rate_limit_per_client: int = Field(default=60, ge=1)
    rate_limit_per_conversation: int = Field(default=20, ge=1)
    rate_limit_window_seconds: float = Field(default=60.0, gt=0)
    # Set to share the rate limits between several web workers.
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")

    # The office console (/console) and deadline reminders (`privacybot reminders`).
    # A login lasts this long, then staff sign in again (a working day by default).
    console_session_hours: float = Field(default=8.0, gt=0, le=24 * 7)
    # Where staff open the app, e.g. https://privacy.school.example: reminders link to tickets.
    public_url: str | None = None
    # A due-soon reminder goes this many days before the due date; overdue ones the day after.
    reminder_due_soon_days: int = Field(default=5, ge=0, le=60)
    # Reminders by email when SMTP_HOST and REMINDER_EMAIL_TO are set.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    reminder_email_to: Annotated[list[EmailStr], NoDecode] = Field(default_factory=list)
    # With PRIVACYBOT_SMTP_HOST set, every request logged with an email address is acknowledged
    # to the requester; the web app checks for new ones this often.
    letters_interval_seconds: float = Field(default=10.0, gt=0)
    # Documents on tickets are encrypted with this Fernet key (from
    # `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`);
    # unset, a key is derived from the secret key. Losing it loses the files.
    files_key: SecretStr | None = None
    # How long the link to a response's documents works.
    response_link_days: int = Field(default=14, ge=1, le=90)
    # Reminders to a Teams channel, through an incoming webhook (a Workflows "post to a
    # channel when a webhook request is received" URL).
    teams_reminder_webhook_url: SecretStr | None = None
    # Slack, under Bolt's names; SLACK_API_URL points the Web API client elsewhere (tests).
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_api_url: str | None = Field(default=None, validation_alias="SLACK_API_URL")
    slack_triage_channel: str | None = Field(default=None, validation_alias="SLACK_TRIAGE_CHANNEL")
    # The Slack app (docs/slack.md): mounted at /slack/events when the signing secret and a bot
    # token, or an OAuth client id and secret, are set; SLACK_APP_TOKEN is for Socket Mode.
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_SIGNING_SECRET"
    )
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_client_id: str | None = Field(default=None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_CLIENT_SECRET"
    )
    # How often the triage channel is brought up to date with new and changed tickets.
    slack_triage_interval_seconds: float = Field(default=5.0, gt=0)
    # Where a parent's web chat goes when they ask for a person: "slack" or "teams". Unset, the
    # one configured with a triage channel takes it (Slack if both are); neither, and the parent
    # is given the office's email and phone.
    handoff_platform: Literal["slack", "teams"] | None = None

    # -- Microsoft Teams (docs/teams.md) ------------------------------------------------------
    # "production" turns development shortcuts, such as anonymous Teams requests, into errors.
    env: Literal["development", "production"] = "development"
    # The Azure Bot's single-tenant app registration: its client id, a client secret, the tenant.
    teams_app_id: str | None = Field(default=None, validation_alias="TEAMS_APP_ID")
    teams_app_password: SecretStr | None = Field(
        default=None, validation_alias="TEAMS_APP_PASSWORD", validate_default=True
    )
    teams_tenant_id: str | None = Field(
        default=None, validation_alias="TEAMS_TENANT_ID", validate_default=True
    )
    # Development only: accept activities that carry no Bot Framework token (a local emulator).
    teams_allow_anonymous: bool = Field(default=False, validation_alias="TEAMS_ALLOW_ANONYMOUS")
    # The channel new tickets are posted to, from "Get link to channel" (19:...@thread.tacv2).
    teams_triage_conversation_id: str | None = Field(
        default=None, validation_alias="TEAMS_TRIAGE_CONVERSATION_ID"
    )
    # Where posts the bot starts itself go: Teams' global Bot Connector address by default.
    teams_service_url: str = Field(
        default="https://smba.trafficmanager.net/teams/", validation_alias="TEAMS_SERVICE_URL"
    )
    # How often the Teams triage channel is brought up to date when nothing nudges it.
    teams_triage_interval_seconds: float = Field(default=15.0, gt=0)
    # The app package (`privacybot teams package`); raise the version for every new upload.
    teams_app_name: str = Field(
        default="Privacy helpdesk", min_length=1, max_length=30, validation_alias="TEAMS_APP_NAME"
    )
    teams_app_version: str = Field(
        default="1.0.0", pattern=r"^\d+\.\d+\.\d+$", validation_alias="TEAMS_APP_VERSION"
    )

    @field_validator("teams_app_id", "teams_tenant_id")
    @classmethod
    def _guid(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not _GUID.fullmatch(value.strip()):
            raise ValueError(f"{value!r} is not a GUID like 00000000-0000-0000-0000-000000000000")
        return value.strip().lower()

    @field_validator("teams_app_password", "teams_tenant_id")
    @classmethod
    def _needed_with_app_id(cls, value: object, info: ValidationInfo) -> object:
        # A single-tenant bot cannot get a token to reply without all three.
        empty = value is None or (isinstance(value, SecretStr) and not value.get_secret_value())
        if info.data.get("teams_app_id") and empty:
            raise ValueError("is required when TEAMS_APP_ID is set (see docs/teams.md)")
        return value

    @field_validator("teams_allow_anonymous")
    @classmethod
    def _not_in_production(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("env") == "production":
            raise ValueError(
                "anonymous Teams requests are for local development only; unset it when "
                "PRIVACYBOT_ENV=production"
            )
        return value

    @field_validator("teams_triage_conversation_id")
    @classmethod
    def _channel_id(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        # Pasted from a channel link, the id is still percent-encoded (19%3a...%40thread.tacv2).
        channel = unquote(value.strip())
        if not re.fullmatch(r"19:[^;\s]+", channel):
            raise ValueError(f"{value!r} is not a Teams channel id like 19:...@thread.tacv2")
        return channel

    @field_validator("teams_service_url")
    @classmethod
    def _service_url(cls, value: str, info: ValidationInfo) -> str:
        parts = urlsplit(value.strip())
        secure = parts.scheme == "https" or info.data.get("env") != "production"
        if parts.scheme not in ("http", "https") or not parts.hostname or not secure:
            raise ValueError(
                f"{value!r} is not an address like https://smba.trafficmanager.net/teams/"
            )
        return value.strip().rstrip("/") + "/"

    @field_validator("files_key")
    @classmethod
    def _fernet_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                Fernet(value.get_secret_value().encode())
            except (ValueError, TypeError) as error:
                raise ValueError(
                    "is not a Fernet key (32 url-safe base64-encoded bytes)"
                ) from error
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (try: openssl rand -hex 32)")
        return value

    @field_validator("embed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return value.replace(",", " ").split()
        return value

    @field_validator("embed_origins")
    @classmethod
    def _origins_only(cls, origins: list[str]) -> list[str]:
        # Each one lands in a Content-Security-Policy header, so only a bare origin may pass.
        return [_origin(origin) for origin in origins]

    @field_validator("reminder_email_to", mode="before")
    @classmethod
    def _split_addresses(cls, value: object) -> object:
        if isinstance(value, str):
            return value.replace(",", " ").split()
        return value

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an address like https://privacy.school.example")
        return value.strip().rstrip("/")

    def slack_configured(self) -> bool:
        """Whether any Slack credential is set: then the rest must be, or start-up fails."""
        return any(
            _filled(value)
            for value in (self.slack_bot_token, self.slack_client_id, self.slack_client_secret)
        )

    def teams_configured(self) -> bool:
        """Whether Teams is switched on: a registration, or anonymous development mode."""
        return self.teams_app_id is not None or self.teams_allow_anonymous

    def resolved_handoff_platform(self) -> str | None:
        """The platform that takes hand-offs: the chosen one, or the one that can."""
        slack = self.slack_configured() and bool(self.slack_triage_channel)
        teams = self.teams_configured() and bool(self.teams_triage_conversation_id)
        if self.handoff_platform is not None:
            able = slack if self.handoff_platform == "slack" else teams
            return self.handoff_platform if able else None
        return "slack" if slack else "teams" if teams else None

    def resolved_school_calendar_file(self) -> Path:
        """The school's term dates: the configured file, or calendar.yaml among the answers."""
        return self.school_calendar_file or self.answers_dir / "calendar.yaml"

    def resolved_database_url(self) -> str:
        """The configured database, or a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'privacybot.sqlite3').resolve()}"


def _filled(value: SecretStr | str | None) -> bool:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return bool(value and value.strip())


def _origin(text: str) -> str:
    parts = urlsplit(text.strip().rstrip("/"))
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path
        or parts.query
        or parts.fragment
        or parts.username
        or not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", parts.netloc)
    ):
        raise ValueError(f"{text!r} is not an origin like https://www.school.example")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line per bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = "; ".join(
            f"{environment_name(e['loc'])}: {_plain(e['msg'])}" for e in error.errors()
        )
        raise ConfigError(f"bad configuration: {problems}") from error


def environment_name(location: tuple[int | str, ...]) -> str:
    """The variable a person sets for the field at `location` (PRIVACYBOT_EMBED_ORIGINS)."""
    field = Settings.model_fields.get(str(location[0])) if location else None
    if field is None:
        return ".".join(str(part) for part in location).upper()
    alias = field.validation_alias
    if isinstance(alias, str):
        return alias
    prefix = Settings.model_config.get("env_prefix") or ""
    return f"{prefix}{location[0]}".upper()


def _plain(message: str) -> str:
    # pydantic prefixes a validator's own words with its error type; a person needs the words.
    return re.sub(r"^(Value|Assertion) error, ", "", message)
