"""Signing in to a tenant as yourself (device code) and reading the access token its requests
carry, for the console's Admin · Tenants (``staffterm tenant sign-in NAME`` is the command line's
way). The tenant in use is signed in through the session's own backend, so its requests carry the
new token at once; any other tenant through a backend built from the config for the occasion
(its token cache, in the data dir, is what its next session finds)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from staffterm.config import Config
from staffterm.errors import NotFoundError, NotSupportedError
from staffterm.services.session import Session

ShowCode = Callable[[str, str, str], Any]  # (user code, verification URL, the platform's message)


def _settings(session: Session, config: Config | None, name: str) -> Any:
    if config is not None and name in config.tenants:
        return config.tenants[name]
    if name == session.tenant_name:
        return getattr(session.backend, "settings", None)
    raise NotFoundError(f"there is no tenant {name!r} in the config")


def can_sign_in(session: Session, config: Config | None, name: str) -> bool:
    """A Microsoft 365 tenant set up for delegated sign-in (``auth_mode = "device_code"``)."""
    settings = _settings(session, config, name)
    return getattr(settings, "provider", "") == "graph" and getattr(settings, "auth_mode", "") == "device_code"


def has_access_token(session: Session, config: Config | None, name: str) -> bool:
    """A tenant whose requests carry a bearer token an admin may want to see (Microsoft 365)."""
    return getattr(_settings(session, config, name), "provider", "") == "graph"


@asynccontextmanager
async def _backend(session: Session, config: Config | None, name: str) -> AsyncIterator[Any]:
    if name == session.tenant_name:
        yield session.backend
        return
    from staffterm.backends.registry import create_backend

    settings = _settings(session, config, name)
    backend = create_backend(name, settings.provider, settings, clock=session.clock)
    async with backend:
        yield backend


async def sign_in(session: Session, config: Config | None, name: str, show: ShowCode) -> str:
    """Start the device-code sign-in, ``show`` the code and URL, wait until the admin has signed
    in; returns the account. Cancelling the awaiting task stops the polling."""
    if not can_sign_in(session, config, name):
        raise NotSupportedError(f"tenant {name!r} does not sign in as a person", capability="sign_in",
                                hint='A Microsoft 365 tenant with auth_mode = "device_code" does.')
    async with _backend(session, config, name) as backend:
        return await backend.sign_in(show)


async def access_token(session: Session, config: Config | None, name: str) -> str:
    if not has_access_token(session, config, name):
        raise NotSupportedError(f"tenant {name!r} has no access token to show", capability="access_token")
    async with _backend(session, config, name) as backend:
        token: Awaitable[str] = backend.access_token()
        return await token
