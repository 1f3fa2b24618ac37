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

    def __init__(self, screen_title: str = "") -> None:
        super().__init__(Text.assemble(("staffterm", "bold"), "   connecting…"))
        self.screen_title = screen_title

    def on_mount(self) -> None:
        # The clock and "stale since" move on their own; 10 s keeps the minute accurate enough.
        self.set_interval(10, self.refresh_status)
        self.refresh_status()

    def refresh_status(self) -> None:
        self.update(self.app.status_text(self.screen_title, width=self.size.width or 80))
