"""Backend registry: maps a tenant's ``provider`` to its backend class, imported lazily.

Only the configured provider's module (and its heavy libraries: msal, google-auth) is ever
imported, so a CLI query on the demo site stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from staffterm.errors import NotSupportedError

if TYPE_CHECKING:
    from staffterm.backends.base import Backend

# provider name -> "module:Class"
PROVIDERS: dict[str, str] = {
    "local": "staffterm.backends.local:LocalBackend",
    "placeos": "staffterm.backends.placeos:PlaceOSBackend",
    "graph": "staffterm.backends.graph:GraphBackend",
    "google": "staffterm.backends.google:GoogleBackend",
}


def backend_class(provider: str) -> type[Backend]:
    target = PROVIDERS.get(provider)
    if target is None:
        known = ", ".join(sorted(PROVIDERS))
        raise NotSupportedError(f"unknown provider {provider!r}", hint=f"Use one of: {known}.")
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise NotSupportedError(
                f"the {provider} backend is not available in this version of staffterm",
                capability=provider,
                hint="Use the local provider, or upgrade staffterm.",
            ) from None
        raise
    return getattr(module, class_name)


def create_backend(tenant_name: str, provider: str, settings: Any, **kwargs: Any) -> Backend:
    """Build (but do not open) the backend for one tenant."""
    return backend_class(provider)(tenant_name, settings, **kwargs)
