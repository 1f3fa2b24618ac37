"""The one-line header every screen shows: where you are, what time it is there, and how fresh
the data is. Plain text on purpose: cheaper to paint than Textual's Header, and it carries what a
desk needs (tenant, site, the building's clock, online/offline/stale, the request queue)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusHeader(Static):
    DEFAULT_CSS = """
    StatusHeader {
        dock: top;
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }
    """

    #: How often the request queue is looked at: a remote backend's requests come and go within
    #: a second, and the desk should see them while they are pending, not 10 s later.
    QUEUE_POLL_SECONDS = 0.25

    def __init__(self, screen_title: str = "") -> None:
        super().__init__(Text.assemble(("staffterm", "bold"), "   connecting…"))
        self.screen_title = screen_title
        self._queue_shown: tuple[int, int] = (0, 0)

    def on_mount(self) -> None:
        # The clock and "stale since" move on their own; 10 s keeps the minute accurate enough.
        self.set_interval(10, self.refresh_status)
        self.set_interval(self.QUEUE_POLL_SECONDS, self._watch_queue)
        self.refresh_status()

    def _queue(self) -> tuple[int, int]:
        session = getattr(self.app, "session", None)
        return session.request_stats() if session is not None else (0, 0)

    def _watch_queue(self) -> None:
        # Cheap when nothing changed (a tuple compare); repaints only when the counts move.
        if self.screen.is_current and self._queue() != self._queue_shown:
            self.refresh_status()

    def refresh_status(self) -> None:
        self._queue_shown = self._queue()
        self.update(self.app.status_text(self.screen_title, width=self.size.width or 80))
