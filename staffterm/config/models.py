"""The configuration's shape as pydantic models: ui, kiosk, mail and one model per provider.

Unknown keys are rejected (``extra="forbid"``) so typos are caught. A validator that wants to
name a key below the one pydantic reports returns its message through ``_at`` (see
``staffterm.config.loading``).

Over 400 lines on purpose: one settings model per provider, each field with its validation,
read as the config file's one reference.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAlias
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from staffterm import paths
from staffterm.errors import ConfigError
from staffterm.secrets import SecretRef, iter_secret_refs

DEMO_TENANT = "demo"
TENANT_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")

NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _at(key: str, message: str) -> str:
    """A validator message about a key below the one pydantic reports (see ``_format_errors``)."""
    return f"@{key}: {message}"


_HOST_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")


def _http_url(value: str) -> str:
    """An http(s) URL with a host and a port in 1-65535, checked here so that a bad one is named
    by its key instead of failing deep inside the HTTP client (port 99999 raised an exception
    group from its connection pool). Credentials in the URL are refused: they would be shown
    wherever the URL is (``config show``, messages); they belong in the secret settings."""
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unclosed "[" of an IPv6 address
        raise ValueError("is not a valid URL; write it like https://example.com") from None
    if parts.scheme not in ("http", "https") or not value.lower().startswith(parts.scheme + "://"):
        raise ValueError("must start with http:// or https://")
    if any(ch.isspace() for ch in value):
        raise ValueError("must not contain spaces")
    if "@" in parts.netloc:
        raise ValueError("must not contain a user name or password; give them in the tenant's own settings")
    if not parts.hostname:
        raise ValueError("must be a full URL with a host name, e.g. https://example.com")
    host = parts.hostname
    if not _valid_host(host, bracketed=parts.netloc.startswith("[")):
        raise ValueError(f"{host!r} is not a valid host name")
    _, bracket, after = parts.netloc.rpartition("]")
    port_text = (after if bracket else parts.netloc).rpartition(":")
    if port_text[1] and port_text[2]:
        port = port_text[2]
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            shown = int(port) if port.isdigit() else port
            raise ValueError(f"port {shown!r} is not a port number (1-65535)")
    return value.rstrip("/")


def _valid_host(host: str, *, bracketed: bool) -> bool:
    import ipaddress

    if bracketed:
        try:
            return ipaddress.ip_address(host).version == 6
        except ValueError:
            return False
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return len(ascii_host) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in labels)


def _email(value: str) -> str:
    value = value.strip()
    local, sep, domain = value.partition("@")
    if not sep or not local or "." not in domain or any(ch.isspace() for ch in value):
        raise ValueError("must be an email address, e.g. someone@example.com")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]
Email = Annotated[str, AfterValidator(_email)]


class _Section(BaseModel):
    # Input is hidden from pydantic's own error text: an input may be an inline secret.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


# ---------------------------------------------------------------------------------------- ui


_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


def _parse_hhmm(value: Any) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, str):
        match = _HHMM.fullmatch(value.strip())
        if match:
            return time(int(match.group(1)), int(match.group(2)))
    raise ValueError('must be a time as HH:MM (24-hour), e.g. "07:00"')


class UiConfig(_Section):
    theme: NonEmptyStr = "staffterm-dark"
    refresh_seconds: int = Field(default=60, ge=5, le=3600)
    day_start: time = time(7, 0)
    day_end: time = time(19, 0)
    clock_24h: bool = True
    building: NonEmptyStr | None = None
    keymap: dict[NonEmptyStr, str] = Field(default_factory=dict)

    @field_validator("day_start", "day_end", mode="before")
    @classmethod
    def _times(cls, value: Any) -> time:
        return _parse_hhmm(value)

    @field_validator("keymap", mode="before")
    @classmethod
    def _keys(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out: dict[Any, Any] = {}
        for binding, keys in value.items():
            if isinstance(keys, list) and all(isinstance(k, str) for k in keys):
                keys = ",".join(k.strip() for k in keys)
            if isinstance(keys, str) and not keys.strip(" ,"):
                raise ValueError(_at(str(binding), "give at least one key, e.g. \"f6\""))
            out[binding] = keys.strip() if isinstance(keys, str) else keys
        return out

    @field_serializer("day_start", "day_end", when_used="json")
    def _show_time(self, value: time) -> str:
        return value.strftime("%H:%M")

    @model_validator(mode="after")
    def _day_order(self) -> UiConfig:
        if self.day_start >= self.day_end:
            raise ValueError(_at("day_end", f"must be later than day_start ({self.day_start:%H:%M})"))
        return self


# ---------------------------------------------------------------------------------------- kiosk


_PIN_HASH = re.compile(r"scrypt\$\d+\$\d+\$\d+\$[0-9a-f]{32}\$[0-9a-f]{64}")


def _pin_hash(value: str) -> str:
    value = value.strip()
    if not _PIN_HASH.fullmatch(value):
        raise ValueError("is not a PIN hash written by `staffterm kiosk set-pin`")
    return value


class KioskConfig(_Section):
    mode: Literal["lobby", "room"] = "lobby"
    building: NonEmptyStr | None = None
    room: NonEmptyStr | None = None
    idle_seconds: int = Field(default=60, ge=10, le=3600)
    # The admin PIN: either its salted scrypt hash (``staffterm kiosk set-pin`` writes it) or a
    # secret reference to the PIN itself. The hash wins when both are given.
    pin: SecretRef | None = None
    pin_hash: Annotated[str, AfterValidator(_pin_hash)] | None = None
    # "private": every title masked on the panel; "titles": only meetings marked private are.
    privacy: Literal["private", "titles"] = "private"
    # House rules or NDA a guest accepts before check-in; the accepted version is stored with the visit.
    notice_text: str = ""
    notice_version: NonEmptyStr = "1"
    # A room meeting's check-in window, around its start.
    checkin_before_minutes: int = Field(default=5, ge=0, le=60)
    checkin_after_minutes: int = Field(default=10, ge=1, le=120)
    # A meeting nobody checked in to is released this long after its start (0: never).
    auto_release_minutes: int = Field(default=10, ge=0, le=240)
    # Rooms (ids or emails) whose meetings are never released.
    exempt_rooms: list[NonEmptyStr] = Field(default_factory=list)
    # How long the guest's pass stays on screen before the welcome screen returns.
    pass_seconds: int = Field(default=20, ge=3, le=600)
    # The lobby kiosk offers walk-in registration (name, email, host from the directory).
    walk_ins: bool = True

    @model_validator(mode="after")
    def _room_for_room_mode(self) -> KioskConfig:
        if self.mode == "room" and self.room is None:
            raise ValueError(_at("room", 'is required when mode = "room" (the room this panel stands beside)'))
        return self


# ---------------------------------------------------------------------------------------- booking


class BookingConfig(_Section):
    # How far ahead a booking or meeting may reach, in days from now (every tenant, every
    # backend: the services refuse anything later). A desk rarely books beyond a year.
    horizon_days: int = Field(default=365, ge=1, le=3650, strict=True)


# ---------------------------------------------------------------------------------------- mail

TEMPLATE_PARTS = ("subject", "text", "html")
_BAD_PLACEHOLDER = re.compile(r"%\{(?![^{}]+\})")


class MailConfig(_Section):
    # The From address of notification mails; a tenant's own mailer_from wins over it.
    sender: Email | None = None
    # group (visitor, booking, ...) -> who (checkin, host, ...) -> {subject, text, html}
    templates: dict[NonEmptyStr, dict[NonEmptyStr, dict[str, str]]] = Field(default_factory=dict)

    @field_validator("templates")
    @classmethod
    def _parts(cls, value: dict[str, dict[str, dict[str, str]]]) -> dict[str, dict[str, dict[str, str]]]:
        for group, whos in value.items():
            for who, parts in whos.items():
                for part, text in parts.items():
                    where = f"{group}.{who}.{part}"
                    if part not in TEMPLATE_PARTS:
                        raise ValueError(_at(where, f"unknown template part; use {', '.join(TEMPLATE_PARTS)}"))
                    if _BAD_PLACEHOLDER.search(text):
                        raise ValueError(_at(where, "has a malformed placeholder; write %{name}"))
        return value


# ---------------------------------------------------------------------------------------- tenants


class LocalSettings(_Section):
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


class _RemoteSettings(_Section):
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
                raise ValueError(_at("api_key", "give either api_key or username/password, not both"))
            return self
        if all(x is None for x in login):
            raise ValueError(_at("api_key", "is required (or username + password + client_id)"))
        for key, value in zip(("username", "password", "client_id"), login, strict=True):
            if value is None:
                raise ValueError(_at(key, "is required when signing in with username and password"))
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
        return MailConfig._parts(value)

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
                raise ValueError(_at(str(index), "must be a scope URL, e.g. https://www.googleapis.com/auth/calendar"))
        return value


def _tenant_name(name: str) -> str:
    if not TENANT_NAME_PATTERN.fullmatch(name):
        raise ValueError(
            "a tenant name may use only letters, digits, '-' and '_' (at most 64, starting with a letter or digit)"
        )
    return name


TenantName = Annotated[str, AfterValidator(_tenant_name)]
# One member per provider of backends/registry.py (each entry names its model here; a test holds them equal).
TenantSettings: TypeAlias = LocalSettings | PlaceOSSettings | GraphSettings | GoogleSettings
TenantConfig = Annotated[TenantSettings, Field(discriminator="provider")]


# ---------------------------------------------------------------------------------------- the whole file


class Config(_Section):
    default_tenant: str = ""
    tenants: dict[TenantName, TenantConfig] = Field(default_factory=dict)
    ui: UiConfig = Field(default_factory=UiConfig)
    kiosk: KioskConfig = Field(default_factory=KioskConfig)
    mail: MailConfig = Field(default_factory=MailConfig)
    booking: BookingConfig = Field(default_factory=BookingConfig)
    # Where this config was read from (None: the built-in default). Never read from the file.
    source: Path | None = Field(default=None, exclude=True)

    @field_validator("default_tenant")
    @classmethod
    def _default_named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must be a tenant name")
        return value.strip()

    @model_validator(mode="after")
    def _defaults(self) -> Config:
        if not self.tenants:
            self.tenants = {DEMO_TENANT: LocalSettings(provider="local", demo=True)}
        if not self.default_tenant:
            self.default_tenant = next(iter(self.tenants))
        return self

    def tenant_names(self) -> list[str]:
        return list(self.tenants)

    def tenant(self, name: str | None = None) -> tuple[str, TenantSettings]:
        """The named tenant, or the default one, as ``(name, settings)``."""
        wanted = name or self.default_tenant
        settings = self.tenants.get(wanted)
        if settings is None:
            known = ", ".join(self.tenants)
            where = "" if name else " (the default_tenant)"
            raise ConfigError(
                f"unknown tenant {wanted!r}{where}",
                path=str(self.source) if self.source else None,
                key="default_tenant" if not name else f"tenants.{wanted}",
                hint=f"Known tenants: {known}.",
            )
        return wanted, settings

    def secret_refs(self) -> list[tuple[str, SecretRef]]:
        """Every secret reference with its dotted key, e.g. ``("tenants.acme.api_key", ref)``."""
        return list(iter_secret_refs(self))


def default_config() -> Config:
    """What staffterm runs with when there is no config file: the demo site."""
    return Config()

