"""THE provider list, as data: each provider's name, backend class, label, settings model and raw
commands. Everything that lists providers (the config's models, the CLI's parser, the console)
reads it here; adding a backend is one entry plus its package.

Stdlib only, and names modules as text: only the configured provider's module (and its heavy
libraries: msal, google-auth) is ever imported, so a CLI query on the demo site stays fast.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from staffterm.errors import NotSupportedError

if TYPE_CHECKING:
    from staffterm.backends.base import Backend
    from staffterm.backends.commands import DriverCommand


@dataclass(frozen=True)
class Provider:
    name: str  # the tenant's ``provider`` key in config.toml
    backend: str  # "module:Class", imported when a tenant uses it
    label: str  # how the desk names it ("PlaceOS tells Ada Lovelace")
    settings: str  # "module:Class" of its settings model in the config
    commands: str | None = None  # module whose ``COMMANDS`` are its raw commands (``staffterm <name> …``)


PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider("local", "staffterm.backends.local:LocalBackend", "the local site",
                 "staffterm.config.providers:LocalSettings"),
        Provider("placeos", "staffterm.backends.placeos:PlaceOSBackend", "PlaceOS",
                 "staffterm.config.providers:PlaceOSSettings", commands="staffterm.backends.placeos.commands"),
        Provider("graph", "staffterm.backends.graph:GraphBackend", "Microsoft 365",
                 "staffterm.config.providers:GraphSettings", commands="staffterm.backends.graph.commands"),
        Provider("google", "staffterm.backends.google:GoogleBackend", "Google Calendar",
                 "staffterm.config.providers:GoogleSettings"),
    )
}
PROVIDER_NAMES: tuple[str, ...] = tuple(PROVIDERS)


def _load(target: str) -> Any:
    module_name, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def provider(name: str) -> Provider:
    found = PROVIDERS.get(name)
    if found is None:
        known = ", ".join(sorted(PROVIDERS))
        raise NotSupportedError(f"unknown provider {name!r}", hint=f"Use one of: {known}.")
    return found


def provider_label(name: str) -> str:
    """How the desk names a provider; an unknown name is shown as it is."""
    found = PROVIDERS.get(name)
    return found.label if found is not None else name


def backend_class(name: str) -> type[Backend]:
    target = provider(name).backend
    module_name = target.partition(":")[0]
    try:
        return _load(target)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise NotSupportedError(
                f"the {name} backend is not available in this version of staffterm",
                capability=name,
                hint="Use the local provider, or upgrade staffterm.",
            ) from None
        raise


def create_backend(tenant_name: str, provider_name: str, settings: Any, **kwargs: Any) -> Backend:
    """Build (but do not open) the backend for one tenant."""
    return backend_class(provider_name)(tenant_name, settings, **kwargs)


def settings_model(name: str) -> type:
    return _load(provider(name).settings)


def providers_with_commands() -> tuple[str, ...]:
    return tuple(p.name for p in PROVIDERS.values() if p.commands)


def command_table(name: str) -> tuple[DriverCommand, ...]:
    """The provider's raw commands (data only: reading them imports no backend)."""
    module = provider(name).commands
    if module is None:
        return ()
    return tuple(importlib.import_module(module).COMMANDS)
