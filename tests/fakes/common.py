"""What every in-repo fake service shares, whatever provider it imitates: a clock tests can
freeze and move, the log of requests received, injected faults, and the httpx transport.

Only the shape is shared here; each fake keeps its provider's own rules and error bodies (with
their citations) in its own package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx


@dataclass
class Fault:
    """An answer to give instead of serving the next ``remaining`` matching requests."""

    method: str
    path: str
    status: int
    body: Any
    headers: dict[str, str]
    remaining: int

    def matches(self, method: str, path: str) -> bool:
        if self.method not in ("*", method.upper()):
            return False
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path


class FakeService:
    """Base of a fake: ``handler`` (the subclass's) answers httpx requests."""

    def __init__(self, now: datetime | Callable[[], datetime] | None) -> None:
        self._clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self._offset = timedelta(0)
        self.set_now(now)
        self.requests: list[httpx.Request] = []
        self._faults: list[Fault] = []

    # -- clock -----------------------------------------------------------------------------------
    def set_now(self, now: datetime | Callable[[], datetime] | None) -> None:
        """Freeze the clock at a moment, follow a callable, or (None) use the real time."""
        if now is None:
            self._clock = lambda: datetime.now(UTC)
        elif callable(now):
            self._clock = now
        else:
            if now.tzinfo is None:
                raise ValueError(f"{type(self).__name__} needs a timezone-aware datetime for now")
            frozen = now.astimezone(UTC)
            self._clock = lambda: frozen
        self._offset = timedelta(0)

    def advance(self, seconds: float | timedelta) -> None:
        """Move the fake's clock forward (token expiry, check-in windows)."""
        self._offset += seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)

    def now(self) -> datetime:
        moment = self._clock()
        if moment.tzinfo is None:
            raise ValueError("the now() callable must return a timezone-aware datetime")
        return moment.astimezone(UTC) + self._offset

    # -- requests and faults ---------------------------------------------------------------------
    def requests_to(self, method: str, path: str) -> list[httpx.Request]:
        """Requests received for a method and path (exact or prefix ending in '*')."""
        probe = Fault(method.upper(), path, 0, None, {}, 0)
        return [r for r in self.requests if probe.matches(r.method.upper(), r.url.path)]

    def fail_next(self, method: str, path: str, status: int, *, body: Any = None,
                  headers: dict | None = None, times: int = 1) -> None:
        """The next ``times`` requests matching method and path (exact, or a prefix ending in '*')
        get ``status`` with ``body`` (default: the fake's own error body) instead of being served."""
        self._faults.append(Fault(method.upper(), path, status, body, dict(headers or {}), times))

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The injected fault for this request, used up by one; None to serve it."""
        for fault in self._faults:
            if fault.remaining > 0 and fault.matches(method, path):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    @staticmethod
    def raw_fault_response(fault: Fault) -> httpx.Response | None:
        """A fault whose body was given as text or bytes, sent as it is (a proxy's page, a
        truncated body); None when the fake should render its own error body."""
        if isinstance(fault.body, (bytes, str)):
            content = fault.body.encode() if isinstance(fault.body, str) else fault.body
            return httpx.Response(fault.status, content=content, headers=fault.headers)
        return None

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)  # type: ignore[attr-defined]
