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

from staffterm.errors import NotFoundError, StafftermError

if TYPE_CHECKING:
    from staffterm.backends.base import Backend
    from staffterm.clock import Clock
    from staffterm.config import Config


@dataclass(frozen=True)
class StepResult:
    """One step of a check: ``ok``, ``missing`` (an extra the console can do without) or
    ``failed`` (a step the console needs; the steps after it were not tried)."""

    what: str
    needed: bool
    outcome: str
    detail: str = ""

    def to_json_dict(self) -> dict[str, Any]:
        return {"step": self.what, "needed": self.needed, "outcome": self.outcome, "detail": self.detail}


@dataclass(frozen=True)
class TenantCheck:
    """The outcome of trying one tenant: what worked (``lines``), the extras that do not
    (``missing``), and, when a step the console needs failed, why (``message``)."""

    tenant: str
    provider: str
    ok: bool
    lines: list[str] = field(default_factory=list)
    message: str = ""
    # The error's ``--json`` form (``StafftermError.to_json_dict``) when the check failed.
    error: dict[str, Any] | None = None
    missing: list[str] = field(default_factory=list)
    steps: list[StepResult] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        """The ``config check --json`` entry: ``message`` and ``error`` only for a failure."""
        shown: dict[str, Any] = {"tenant": self.tenant, "provider": self.provider, "ok": self.ok, "lines": list(self.lines),
                                 "missing": list(self.missing), "steps": [s.to_json_dict() for s in self.steps]}
        if not self.ok:
            shown["message"] = self.message
            shown["error"] = self.error
        return shown


def _reason(error: StafftermError, *, needed: bool) -> str:
    """Why a step failed, in words that fit a check. A 404 here is a route the server does not
    offer (the check names no id of the operator's), so a not-found error's "check the id"
    hint would mislead: it is dropped."""
    if isinstance(error, NotFoundError):
        said = f"the server does not offer it ({error.message})"
        return f"{said}; staffterm needs it" if needed else said
    return str(error)


async def run_steps(tenant: str, provider: str, backend: Backend) -> TenantCheck:
    """Run the backend's check steps in order on an open backend: an extra that fails is
    reported as missing and the check goes on; a needed step that fails ends it."""
    lines: list[str] = []
    missing: list[str] = []
    report: list[StepResult] = []
    for step in backend.check_steps():
        try:
            said = [str(line) for line in await step.run()]
        except StafftermError as exc:
            reason = _reason(exc, needed=step.needed)
            if step.needed:
                report.append(StepResult(step.what, True, "failed", reason))
                error = exc.to_json_dict()
                if isinstance(exc, NotFoundError):
                    error.pop("hint", None)  # the misleading "check the id", as in the message
                    reason = f"{step.what}: {reason}"
                return TenantCheck(tenant, provider, False, lines, message=reason, error=error, missing=missing,
                                   steps=report)
            text = f"{step.what}: {reason}" + (f"; {step.without}" if step.without else "")
            missing.append(text)
            report.append(StepResult(step.what, False, "missing", reason))
            continue
        lines += said
        report.append(StepResult(step.what, step.needed, "ok", "; ".join(said)))
    return TenantCheck(tenant, provider, True, lines, missing=missing, steps=report)


async def _outcome(tenant: str, provider: str, attempt: Callable[[], Awaitable[TenantCheck]]) -> TenantCheck:
    try:
        return await attempt()
    except StafftermError as exc:
        return TenantCheck(tenant, provider, False, message=str(exc), error=exc.to_json_dict())
    except Exception as exc:  # noqa: BLE001 - one broken tenant must not hide the others' results
        message = f"unexpected error: {type(exc).__name__}: {exc}"
        return TenantCheck(tenant, provider, False, message=message, error={"error": "unexpected", "message": message})


async def check_backend(tenant: str, provider: str, backend: Backend) -> TenantCheck:
    """Open ``backend``, run its check and close it again; never raises."""

    async def attempt() -> TenantCheck:
        async with backend:
            return await run_steps(tenant, provider, backend)

    return await _outcome(tenant, provider, attempt)


async def check_open_backend(tenant: str, provider: str, backend: Backend) -> TenantCheck:
    """Run the check of a backend that is already open and stays open (its owner closes it)."""
    return await _outcome(tenant, provider, lambda: run_steps(tenant, provider, backend))


async def check_tenant(config: Config, name: str, *, clock: Clock | None = None) -> TenantCheck:
    """Build the tenant's backend from the config and try it; never raises."""
    from staffterm.backends.registry import create_backend

    settings = config.tenants.get(name)
    if settings is None:
        known = ", ".join(config.tenants) or "none"
        message = f"there is no tenant {name!r} in the config (known tenants: {known})"
        return TenantCheck(name, "", False, message=message, error={"error": "not_found", "message": message})
    provider: str = settings.provider
    kwargs: dict[str, Any] = {"clock": clock} if clock is not None else {}

    async def attempt() -> TenantCheck:
        # Building the backend is part of the check: an unknown or missing provider fails here.
        backend = create_backend(name, provider, settings, **kwargs)
        async with backend:
            return await run_steps(name, provider, backend)

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
