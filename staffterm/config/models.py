"""The configuration's shape as pydantic models: ui, kiosk, mail and one model per provider.

Unknown keys are rejected (``extra="forbid"``) so typos are caught. The shared field types are
in ``fields``; each provider's settings model is in ``providers`` (imported here for the tenant
union, and importable from here as before).
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    Field,
    field_serializer,
    field_validator,
    model_validator,
)

from staffterm.config.fields import Email, NonEmptyStr, Section, at_key, check_templates
from staffterm.config.providers import (
    GoogleSettings,
    GraphSettings,
    LocalSettings,
    PlaceOSSettings,
)
from staffterm.errors import ConfigError
from staffterm.secrets import SecretRef, iter_secret_refs

DEMO_TENANT = "demo"
TENANT_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")

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


class UiConfig(Section):
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
                raise ValueError(at_key(str(binding), "give at least one key, e.g. \"f6\""))
            out[binding] = keys.strip() if isinstance(keys, str) else keys
        return out

    @field_serializer("day_start", "day_end", when_used="json")
    def _show_time(self, value: time) -> str:
        return value.strftime("%H:%M")

    @model_validator(mode="after")
    def _day_order(self) -> UiConfig:
        if self.day_start >= self.day_end:
            raise ValueError(at_key("day_end", f"must be later than day_start ({self.day_start:%H:%M})"))
        return self


# ---------------------------------------------------------------------------------------- kiosk


_PIN_HASH = re.compile(r"scrypt\$\d+\$\d+\$\d+\$[0-9a-f]{32}\$[0-9a-f]{64}")


def _pin_hash(value: str) -> str:
    value = value.strip()
    if not _PIN_HASH.fullmatch(value):
        raise ValueError("is not a PIN hash written by `staffterm kiosk set-pin`")
    return value


class KioskConfig(Section):
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
            raise ValueError(at_key("room", 'is required when mode = "room" (the room this panel stands beside)'))
        return self


# ---------------------------------------------------------------------------------------- booking


class BookingConfig(Section):
    # How far ahead a booking or meeting may reach, in days from now (every tenant, every
    # backend: the services refuse anything later). A desk rarely books beyond a year.
    horizon_days: int = Field(default=365, ge=1, le=3650, strict=True)


# ---------------------------------------------------------------------------------------- mail

class MailConfig(Section):
    # The From address of notification mails; a tenant's own mailer_from wins over it.
    sender: Email | None = None
    # group (visitor, booking, ...) -> who (checkin, host, ...) -> {subject, text, html}
    templates: dict[NonEmptyStr, dict[NonEmptyStr, dict[str, str]]] = Field(default_factory=dict)

    @field_validator("templates")
    @classmethod
    def _parts(cls, value: dict[str, dict[str, dict[str, str]]]) -> dict[str, dict[str, dict[str, str]]]:
        return check_templates(value)


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


class Config(Section):
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

