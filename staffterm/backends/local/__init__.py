"""The local backend: an embedded SQLite site, the default with no configuration, and a real
backend a small office can run on (bookings persist, clashes are refused, check-ins stick).

``backend`` is the contract's face; ``store``/``schema``/``db`` the storage; ``places``,
``events``, ``bookings``, ``guests``, ``directory`` one area each; ``demo/`` the demo estate.
``LocalBackend`` is imported on first use (PEP 562), like every provider package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from staffterm.backends.local.backend import LocalBackend

__all__ = ["LocalBackend"]


def __getattr__(name: str) -> Any:
    if name == "LocalBackend":
        from staffterm.backends.local.backend import LocalBackend

        return LocalBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
