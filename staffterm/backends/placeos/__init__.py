"""The PlaceOS backend: engine API (zones, systems, metadata, users) and Staff API (calendars,
events, bookings, guests, people) behind the one backend contract.

``PlaceOSBackend`` is imported on first use (PEP 562), so reading the driver command table in
``commands`` for the CLI's parser does not load httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from staffterm.backends.placeos.backend import PlaceOSBackend

__all__ = ["PlaceOSBackend"]


def __getattr__(name: str) -> Any:
    if name == "PlaceOSBackend":
        from staffterm.backends.placeos.backend import PlaceOSBackend

        return PlaceOSBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
