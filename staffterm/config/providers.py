"""One settings model per provider, each field with its validation: what a ``[tenants.NAME]``
table of the config file may say. ``backends/registry.py`` names each provider's model here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from staffterm import paths
from staffterm.config.fields import Email, HttpUrl, NonEmptyStr, Section, at_key, check_templates
from staffterm.secrets import SecretRef


class LocalSettings(Section):
    provider: Literal["local"]
    database: Path | None = None
    demo: bool = False
    early_checkin_seconds: int = Field(default=3600, ge=0, le=86400)
    booking_limits: dict[NonEmptyStr, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    mailer_from: Email | None = None

    @field_validator("database", mode="after")
    @classmethod
    def _database(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is None:
            return None
        if not str(value).strip():
            raise ValueError("must be a file path")
        value = value.expanduser()
        base_dir = info.context.get("base_dir") if isinstance(info.context, dict) else None
        if not value.is_absolute() and base_dir is not None:
            value = Path(base_dir) / value
        return value

    def database_path(self, tenant_name: str) -> Path:
        """The SQLite file for this tenant: ``database``, or one per tenant in the data dir."""
        return self.database or paths.default_database_path(tenant_name)


class _RemoteSettings(Section):
    verify_tls: bool = True
    timeout_seconds: float = Field(default=30, gt=0, le=600)
    rate_limit: float = Field(default=0, ge=0, le=10000)
    max_in_flight: int = Field(default=4, ge=1, le=256)
    queue_size: int = Field(default=100, ge=1, le=100000)


class PlaceOSSettings(_RemoteSettings):
    provider: Literal["placeos"]
    base_url: HttpUrl
    api_key: SecretRef | None = None
    username: NonEmptyStr | None = None
    password: SecretRef | None = None
    client_id: NonEmptyStr | None = None
    client_secret: SecretRef | None = None
    redirect_uri: HttpUrl | None = None
    max_in_flight: int = Field(default=10, ge=1, le=256)

    @model_validator(mode="after")
    def _credentials(self) -> PlaceOSSettings:
        login = (self.username, self.password, self.client_id)
        if self.api_key is not None:
            if any(x is not None for x in (self.username, self.password)):
                raise ValueError(at_key("api_key", "give either api_key or username/password, not both"))
            return self
        if all(x is None for x in login):
            raise ValueError(at_key("api_key", "is required (or username + password + client_id)"))
        for key, value in zip(("username", "password", "client_id"), login, strict=True):
            if value is None:
                raise ValueError(at_key(key, "is required when signing in with username and password"))
        return self


class GraphSettings(_RemoteSettings):
    """A Microsoft 365 tenant: the Graph API driver's ``calendar_config`` {tenant, client_id,
    client_secret} plus its settings (calendar_service_account, rate_limit, mailer_from,
    email_templates). Hosts are settings for the national clouds and for test servers."""

    provider: Literal["graph"]
    tenant_id: NonEmptyStr
    client_id: NonEmptyStr
    # "app": client credentials (desks, kiosks); "device_code": an admin signs in as themselves.
    auth_mode: Literal["app", "device_code"] = "app"
    # A command that prints an access token, for admins who already have one: used instead of msal.
    token_command: SecretRef | None = None
    # Needed for app-only sign-in; device-code sign-in is a public client. Declared after
    # auth_mode and token_command so its validator sees them (and runs even when it is absent).
    client_secret: SecretRef | None = Field(default=None, validate_default=True)
    authority_host: HttpUrl = "https://login.microsoftonline.com"
    graph_url: HttpUrl = "https://graph.microsoft.com"
    # The mailbox meetings are created on when no organiser is given (the driver's setting).
    calendar_service_account: Email | None = None
    mailer_from: Email | None = None
    # group -> who -> {subject, text, html} with %{key} placeholders, as [mail] templates.
    email_templates: dict[NonEmptyStr, dict[NonEmptyStr, dict[str, str]]] = Field(default_factory=dict)
    room_list: NonEmptyStr | None = None
    # The buildings' time zone (IANA) where their room mailboxes' working hours do not say one.
    time_zone: NonEmptyStr | None = None
    # The Graph API driver's rate_limit: requests started per second (its default, 5).
    rate_limit: float = Field(default=5, ge=0, le=10000)
    @field_validator("email_templates")
    @classmethod
    def _templates(cls, value: dict[str, dict[str, dict[str, str]]]) -> dict[str, dict[str, dict[str, str]]]:
        return check_templates(value)

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str | None) -> str | None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return None if value is None else ZoneInfo(value).key
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name like Europe/London)") from None

    @field_validator("client_secret")
    @classmethod
    def _secret_for_app_sign_in(cls, value: SecretRef | None, info: ValidationInfo) -> SecretRef | None:
        if value is None and info.data.get("auth_mode", "app") == "app" and info.data.get("token_command") is None:
            raise ValueError('is required for app-only sign-in (auth_mode = "app"); or set token_command, '
                             'or auth_mode = "device_code"')
        return value


GOOGLE_DEFAULT_SCOPES: tuple[str, ...] = (
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/admin.directory.user.readonly",
    "https://www.googleapis.com/auth/admin.directory.resource.calendar.readonly",
)


class GoogleSettings(_RemoteSettings):
    provider: Literal["google"]
    domain: NonEmptyStr | None = None
    service_account_email: Email
    private_key: SecretRef
    service_user: Email
    scopes: list[NonEmptyStr] = Field(default_factory=lambda: list(GOOGLE_DEFAULT_SCOPES), min_length=1)
    user_agent: NonEmptyStr = "staffterm"
    calendar_url: HttpUrl = "https://www.googleapis.com/calendar/v3"
    directory_url: HttpUrl = "https://admin.googleapis.com/admin/directory/v1"
    token_url: HttpUrl = "https://oauth2.googleapis.com/token"
    max_in_flight: int = Field(default=10, ge=1, le=256)

    @field_validator("scopes")
    @classmethod
    def _scope_urls(cls, value: list[str]) -> list[str]:
        for index, scope in enumerate(value):
            if not scope.startswith("https://"):
                raise ValueError(at_key(str(index), "must be a scope URL, e.g. https://www.googleapis.com/auth/calendar"))
        return value


