"""Trying a tenant's settings: open its backend and run its check, as ``staffterm config check``
and the console's Admin screen both do.

One tenant's failure is reported in plain words and never hides the others' results. Only the
backend registry is imported here, so a provider's heavy libraries load only when that tenant
is tried.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from staffterm.errors import StafftermError

if TYPE_CHECKING:
    from staffterm.backends.base import Backend
    from staffterm.clock import Clock
    from staffterm.config import Config


@dataclass(frozen=True)
class TenantCheck:
    """The outcome of trying one tenant: what worked (``lines``) or why it failed (``message``)."""

    tenant: str
    provider: str
    ok: bool
    lines: list[str] = field(default_factory=list)
    message: str = ""
    # The error's ``--json`` form (``StafftermError.to_json_dict``) when the check failed.
    error: dict[str, Any] | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """The ``config check --json`` entry: ``message`` and ``error`` only for a failure."""
        shown: dict[str, Any] = {"tenant": self.tenant, "provider": self.provider, "ok": self.ok, "lines": list(self.lines)}
        if not self.ok:
            shown["message"] = self.message
            shown["error"] = self.error
        return shown


async def _outcome(tenant: str, provider: str, attempt: Callable[[], Awaitable[list[str]]]) -> TenantCheck:
    try:
        lines = [str(line) for line in await attempt()]
    except StafftermError as exc:
        return TenantCheck(tenant, provider, False, message=str(exc), error=exc.to_json_dict())
    except Exception as exc:  # noqa: BLE001 - one broken tenant must not hide the others' results
        message = f"unexpected error: {type(exc).__name__}: {exc}"
        return TenantCheck(tenant, provider, False, message=message, error={"error": "unexpected", "message": message})
    return TenantCheck(tenant, provider, True, lines)


async def check_backend(tenant: str, provider: str, backend: Backend) -> TenantCheck:
    """Open ``backend``, run its check and close it again; never raises."""

    async def attempt() -> list[str]:
        async with backend:
            return await backend.check()

    return await _outcome(tenant, provider, attempt)


async def check_open_backend(tenant: str, provider: str, backend: Backend) -> TenantCheck:
    """Run the check of a backend that is already open and stays open (its owner closes it)."""
    return await _outcome(tenant, provider, backend.check)


async def check_tenant(config: Config, name: str, *, clock: Clock | None = None) -> TenantCheck:
    """Build the tenant's backend from the config and try it; never raises."""
    from staffterm.backends import create_backend

    settings = config.tenants.get(name)
    if settings is None:
        known = ", ".join(config.tenants) or "none"
        message = f"there is no tenant {name!r} in the config (known tenants: {known})"
        return TenantCheck(name, "", False, message=message, error={"error": "not_found", "message": message})
    provider: str = settings.provider
    kwargs: dict[str, Any] = {"clock": clock} if clock is not None else {}

    async def attempt() -> list[str]:
        # Building the backend is part of the check: an unknown or missing provider fails here.
        backend = create_backend(name, provider, settings, **kwargs)
        async with backend:
            return await backend.check()

    return await _outcome(name, provider, attempt)


async def check_tenants(config: Config, names: Iterable[str] | None = None, *, clock: Clock | None = None) -> list[TenantCheck]:
    """Try several tenants (every tenant when ``names`` is None) at once, results in order."""
    wanted = list(config.tenants) if names is None else list(names)
    return list(await asyncio.gather(*(check_tenant(config, name, clock=clock) for name in wanted)))


_LOCATION_KEYS = ("base_url", "tenant_id", "domain", "database")


def tenant_location(settings: Any) -> str:
    """Where a tenant's data lives, for listings: a URL, tenant id, domain or database file.

    Never a secret: a URL's user:password part, if someone wrote one, is dropped.
    """
    for key in _LOCATION_KEYS:
        value = getattr(settings, key, None)
        if not value:
            continue
        text = str(value)
        if key == "base_url":
            text = _without_credentials(text)
        return f"{key}={text}"
    return "demo site" if getattr(settings, "demo", False) else ""


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
