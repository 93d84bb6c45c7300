"""One settings object, read once from the environment (and `.env`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.content import packaged_content_dir


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
    answer_threshold: float = Field(default=55.0, ge=0, le=100)
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

    def resolved_school_calendar_file(self) -> Path:
        """The school's term dates: the configured file, or calendar.yaml among the answers."""
        return self.school_calendar_file or self.answers_dir / "calendar.yaml"

    def resolved_database_url(self) -> str:
        """The configured database, or a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'privacybot.sqlite3').resolve()}"


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
            f"{'.'.join(str(part) for part in e['loc']).upper()}: {e['msg']}"
            for e in error.errors()
        )
        raise ConfigError(f"bad configuration: {problems}") from error
