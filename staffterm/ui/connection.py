"""How fresh the console's data is: online, offline since HH:MM, or stale since HH:MM.

Screens report each load's outcome; the header shows the result. Kept free of Textual so the
rules are unit-testable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from staffterm.errors import AuthError, ThrottledError, UnavailableError


@dataclass
class ConnectionState:
    refresh_seconds: int = 60
    last_success: datetime | None = None
    failing_since: datetime | None = None
    last_error: str | None = None

    def succeeded(self, now: datetime) -> None:
        self.last_success = now
        self.failing_since = None
        self.last_error = None

    def failed(self, now: datetime, error: BaseException | None, *, opening: bool = False) -> None:
        # Only failures that mean "cannot reach the data" change the connection state; a refused
        # booking (clash, bad input) is an answer from a working backend. When the session could
        # not even be opened (bad config included), nothing is connected.
        reachability = isinstance(error, (UnavailableError, ThrottledError, AuthError))
        if not opening and not reachability:
            return
        if self.failing_since is None:
            self.failing_since = now
        self.last_error = str(error) if error is not None else "unknown error"

    def label(self, now: datetime, tz: tzinfo | None = None) -> tuple[str, str]:
        """(text, style) for the header; times shown in ``tz`` (the building's zone)."""
        if self.failing_since is not None:
            if self.last_success is None:
                return ("offline", "bold red")
            return (f"offline · stale since {self.last_success.astimezone(tz):%H:%M}", "bold red")
        if self.last_success is None:
            return ("connecting…", "dim")
        if now - self.last_success > timedelta(seconds=max(2 * self.refresh_seconds, 120)):
            return (f"stale since {self.last_success.astimezone(tz):%H:%M}", "bold yellow")
        return ("online", "green")
