"""Settings read from the environment (the same names as local.settings.json `Values`).

`get_settings()` is cached; `load_settings()` turns a validation failure into one `ConfigError` line
that names the setting, never a traceback.
"""

from __future__ import annotations

import functools
import re
from datetime import time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(Exception):
    """A missing or malformed setting; the message is one line naming it."""


DEFAULT_MEDIA_HOSTS = "cdnydm.com,*.cdnydm.com,*.maytapi.com"
_HOST_ENTRY = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$")

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(value: str) -> time:
    """Parse `HH:MM` (24-hour) into a time, or raise ValueError."""
    m = _HHMM.match(value.strip())
    if not m:
        raise ValueError(f"{value!r} is not a time of day as HH:MM")
    return time(int(m.group(1)), int(m.group(2)))


class Settings(BaseSettings):
    """Every setting the app reads; field aliases are the environment names."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, case_sensitive=False)

    database_url: str = Field("sqlite:///./crm.db", alias="DATABASE_URL")
    database_auto_migrate: bool = Field(False, alias="DATABASE_AUTO_MIGRATE")

    openai_api_key: str | None = Field(None, alias="OPENAI_API_KEY")
    openai_model: str = Field("gpt-4o", alias="OPENAI_MODEL")
    openai_base_url: str | None = Field(None, alias="OPENAI_BASE_URL")
    azure_openai_endpoint: str | None = Field(None, alias="AZURE_OPENAI_ENDPOINT")
    azure_openai_deployment: str | None = Field(None, alias="AZURE_OPENAI_DEPLOYMENT")
    azure_openai_api_version: str = Field("2024-10-21", alias="AZURE_OPENAI_API_VERSION")
    llm_timeout_seconds: float = Field(20.0, alias="LLM_TIMEOUT_SECONDS", gt=0)
    llm_max_retries: int = Field(2, alias="LLM_MAX_RETRIES", ge=0, le=10)
    parser_confidence_threshold: float = Field(0.75, alias="PARSER_CONFIDENCE_THRESHOLD", ge=0, le=1)

    # Voice notes and visiting cards (crm_core.media): the speech-to-text model (on Azure OpenAI, the name of its
    # deployment); cards are read by the parser's model (OPENAI_MODEL / AZURE_OPENAI_DEPLOYMENT).
    # Empty turns voice notes off (they get the "not set up" reply), e.g. where the region offers no such model.
    transcribe_model: str = Field("gpt-4o-transcribe", alias="TRANSCRIBE_MODEL", max_length=64)
    # gpt-4o-transcribe is served by newer Azure OpenAI API versions than chat completions need.
    azure_openai_transcribe_api_version: str = Field("2025-04-01-preview", alias="AZURE_OPENAI_TRANSCRIBE_API_VERSION")
    # Where media may be downloaded from: comma-separated hosts; "host" (ports 80/443), "host:port", or
    # "*.domain" (any subdomain). Maytapi serves media from cdnydm.com (its media-download guide).
    media_url_hosts: str = Field(DEFAULT_MEDIA_HOSTS, alias="MEDIA_URL_HOSTS")
    media_max_bytes: int = Field(16 * 1024 * 1024, alias="MEDIA_MAX_BYTES", gt=0, le=100 * 1024 * 1024)
    media_connect_timeout_seconds: float = Field(5.0, alias="MEDIA_CONNECT_TIMEOUT_SECONDS", gt=0, le=60)
    media_read_timeout_seconds: float = Field(15.0, alias="MEDIA_READ_TIMEOUT_SECONDS", gt=0, le=120)

    mayt_api_url: str | None = Field(None, alias="MAYT_API_URL")
    mayt_api_token: str | None = Field(None, alias="MAYT_API_TOKEN")
    maytapi_product_id: str | None = Field(None, alias="MAYTAPI_PRODUCT_ID")
    maytapi_phone_id: str | None = Field(None, alias="MAYTAPI_PHONE_ID")
    maytapi_timeout_seconds: float = Field(15.0, alias="MAYTAPI_TIMEOUT_SECONDS", gt=0)
    channel: Literal["auto", "maytapi", "console"] = Field("auto", alias="CHANNEL")
    allow_group_chats: bool = Field(False, alias="ALLOW_GROUP_CHATS")

    webhook_secret: str | None = Field(None, alias="WEBHOOK_SECRET")
    auth_secret: str | None = Field(None, alias="AUTH_SECRET")
    auth_token_ttl_minutes: int = Field(720, alias="AUTH_TOKEN_TTL_MINUTES", gt=0)
    login_max_failures: int = Field(5, alias="LOGIN_MAX_FAILURES", gt=0)
    login_lock_minutes: int = Field(15, alias="LOGIN_LOCK_MINUTES", gt=0, le=7 * 24 * 60)
    login_rate_per_client: int = Field(20, alias="LOGIN_RATE_PER_CLIENT", gt=0, le=100_000)
    login_rate_global: int = Field(300, alias="LOGIN_RATE_GLOBAL", gt=0, le=1_000_000)
    login_max_concurrent_hashes: int = Field(2, alias="LOGIN_MAX_CONCURRENT_HASHES", gt=0, le=64)
    cors_origins: str = Field("", alias="CORS_ORIGINS")

    team_timezone: str = Field("Asia/Kolkata", alias="TEAM_TIMEZONE")
    default_region: str = Field("IN", alias="DEFAULT_REGION")

    azure_web_jobs_storage: str | None = Field(
        None, validation_alias=AliasChoices("AzureWebJobsStorage", "AZUREWEBJOBSSTORAGE")
    )
    queue_service_uri: str | None = Field(
        None,
        validation_alias=AliasChoices("AzureWebJobsStorage__queueServiceUri", "AZUREWEBJOBSSTORAGE__QUEUESERVICEURI"),
    )
    storage_account_name: str | None = Field(
        None,
        validation_alias=AliasChoices("AzureWebJobsStorage__accountName", "AZUREWEBJOBSSTORAGE__ACCOUNTNAME"),
    )
    storage_client_id: str | None = Field(
        None, validation_alias=AliasChoices("AzureWebJobsStorage__clientId", "AZUREWEBJOBSSTORAGE__CLIENTID")
    )
    inbound_queue: str = Field("inbound", alias="INBOUND_QUEUE", min_length=3, max_length=63)
    queue_backend: Literal["auto", "database", "memory", "azure"] = Field("auto", alias="QUEUE_BACKEND")
    ordering_window_seconds: float = Field(2.0, alias="ORDERING_WINDOW_SECONDS", ge=0, le=60)

    sweep_schedule: str = Field("0 */1 * * * *", alias="SWEEP_SCHEDULE")
    sweep_batch_size: int = Field(200, alias="SWEEP_BATCH_SIZE", gt=0, le=5000)
    outbox_max_attempts: int = Field(6, alias="OUTBOX_MAX_ATTEMPTS", gt=0, le=50)
    quiet_hours_start: str = Field("21:00", alias="QUIET_HOURS_START")
    quiet_hours_end: str = Field("09:00", alias="QUIET_HOURS_END")
    digest_enabled: bool = Field(True, alias="DIGEST_ENABLED")
    digest_time: str = Field("09:00", alias="DIGEST_TIME")

    @field_validator("team_timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{v!r} is not a known IANA time zone") from exc
        return v

    @field_validator("default_region")
    @classmethod
    def _region(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z]{2}", v):
            raise ValueError(f"{v!r} is not a two-letter region code such as IN")
        return v.upper()

    @field_validator("quiet_hours_start", "quiet_hours_end", "digest_time")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        parse_hhmm(v)
        return v

    @field_validator("media_url_hosts")
    @classmethod
    def _media_hosts(cls, v: str) -> str:
        for entry in (part.strip().lower() for part in v.split(",")):
            if entry and not _HOST_ENTRY.match(entry):
                raise ValueError(f"{entry!r} is not a host, host:port or *.domain")
        return v

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, v: str) -> str:
        if "://" not in v:
            raise ValueError(f"{v!r} is not a database URL such as sqlite:///./crm.db")
        return v

    @field_validator("mayt_api_url", "openai_base_url", "azure_openai_endpoint")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        if v and not re.match(r"^https?://", v):
            raise ValueError(f"{v!r} is not an http(s) URL")
        return v or None

    @property
    def tz(self) -> ZoneInfo:
        """The team's zone."""
        return ZoneInfo(self.team_timezone)

    @property
    def llm_configured(self) -> bool:
        """Whether a GPT parser can be built (OpenAI key or Azure OpenAI endpoint + deployment)."""
        return bool(self.openai_api_key or (self.azure_openai_endpoint and self.azure_openai_deployment))

    @property
    def media_hosts(self) -> tuple[str, ...]:
        """The MEDIA_URL_HOSTS entries, lower-cased (crm_core.media.fetch reads them)."""
        return tuple(e for e in (p.strip().lower() for p in self.media_url_hosts.split(",")) if e)

    @property
    def use_azure_queue(self) -> bool:
        """Whether inbound messages go through Azure Storage (else the embedded database or in-process queue)."""
        return self.queue_kind == "azure"

    @property
    def queue_kind(self) -> Literal["database", "memory", "azure"]:
        """The queue backend in use: `azure` when Storage is configured, else the durable `database` queue.

        `memory` (lost with the process) only when asked for, or when the database itself is in memory.
        """
        if self.queue_backend != "auto":
            return self.queue_backend
        if self.azure_web_jobs_storage or self.queue_service_uri or self.storage_account_name:
            return "azure"
        return "memory" if _in_memory_sqlite(self.database_url) else "database"

    @property
    def use_maytapi(self) -> bool:
        """Whether WhatsApp messages go to Maytapi (else they are printed by the console channel)."""
        if self.channel != "auto":
            return self.channel == "maytapi"
        return bool(self.mayt_api_url and self.mayt_api_token)

    @property
    def cors_origin_list(self) -> list[str]:
        """Configured frontend origins."""
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]


def _in_memory_sqlite(url: str) -> bool:
    """Whether a database URL is an in-memory SQLite database (nothing there outlives the process)."""
    if not url.startswith("sqlite"):
        return False
    path = url.split("://", 1)[1].lstrip("/").split("?", 1)[0]
    return path in ("", ":memory:") or "mode=memory" in url


def _describe(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = err.get("loc") or ("?",)
    name = str(loc[0])
    field = Settings.model_fields.get(name)
    env_name = name
    if field is not None:
        if field.alias:
            env_name = field.alias
        elif isinstance(field.validation_alias, AliasChoices):
            env_name = str(field.validation_alias.choices[0])
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"Setting {env_name} is invalid: {msg}"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment (plus overrides); raise ConfigError with one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once, on first use)."""
    return load_settings()
