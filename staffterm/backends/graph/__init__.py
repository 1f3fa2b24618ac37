"""The Microsoft 365 backend: Microsoft Graph (Places, getSchedule, calendars, directory, mail)
with msal sign-in, behind the one backend contract.

``GraphBackend`` is imported on first use (PEP 562), so reading the driver command table in
``commands`` for the CLI's parser loads neither httpx nor msal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from staffterm.backends.graph.backend import GraphBackend

__all__ = ["GraphBackend"]


def __getattr__(name: str) -> Any:
    if name == "GraphBackend":
        from staffterm.backends.graph.backend import GraphBackend

        return GraphBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
