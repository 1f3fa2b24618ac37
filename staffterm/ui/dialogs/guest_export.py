"""Export a day's visitor log as CSV: pick the day with [ and ], see who is in it, Enter writes
``<data dir>/exports/visitors-<building>-<date>.csv``."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta, tzinfo
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Static

from staffterm.errors import InvalidInputError
from staffterm.ui.dialogs.base import StafftermModal
from staffterm.ui.screens.guests.files import visitor_log_path, write_visitor_log
from staffterm.ui.screens.guests.rows import day_label, display_name


class ExportScreen(StafftermModal):
    """Dismisses with the written file's path, or None when cancelled."""

    DEFAULT_CSS = """
    #export-box {
        width: 76;
    }
    #export-day {
        text-style: bold;
        margin: 1 0;
    }
    #export-preview {
        height: auto;
        max-height: 12;
        overflow-y: auto;
    }
    #export-path {
        color: $text-muted;
        margin-top: 1;
    }
    #export-error {
        color: $error;
        height: auto;
    }
    """
    BINDINGS = [
        Binding("enter", "export", "Export CSV", id="export-write", priority=True),
        Binding("left_square_bracket", "move_day(-1)", "Day before", id="export-day-back"),
        Binding("right_square_bracket", "move_day(1)", "Day after", id="export-day-forward"),
        Binding("escape", "cancel", "Cancel", id="export-cancel"),
    ]

    def __init__(self, *, building_id: str | None, building_name: str, tz: tzinfo, day: date, today: date) -> None:
        super().__init__()
        self.building_id = building_id
        self.building_name = building_name
        self.tz = tz
        self.day = day
        self.today = today
        self.guests: list[Any] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box", classes="dialog-box"):
            yield Static(Text.assemble(("Visitor log", "bold"), f" · {self.building_name}"))
            yield Static("", id="export-day")
            yield Static("", id="export-preview")
            yield Static("", id="export-path")
            yield Static("", id="export-error")
        yield Footer()

    def on_mount(self) -> None:
        self._show_day()

    @property
    def target(self):
        return visitor_log_path(self.building_id, self.day)

    def _show_day(self) -> None:
        self.guests = None
        self.query_one("#export-day", Static).update(Text(f"{day_label(self.day, self.today)}   [ earlier · ] later"))
        self.query_one("#export-preview", Static).update(Text("Loading…", style="dim"))
        self.query_one("#export-path", Static).update(Text(f"File: {self.target}"))
        self.query_one("#export-error", Static).update("")
        self.load_day(self.day)

    def action_move_day(self, step: int) -> None:
        self.day += timedelta(days=step)
        self._show_day()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(exclusive=True, group="export-load", exit_on_error=False, name="load-visitor-log")
    async def load_day(self, day: date) -> None:
        guests = await self.app.session.reception.visitor_log(day, self.building_id)
        if day != self.day:
            return
        self.guests = guests
        self.query_one("#export-preview", Static).update(self._preview(guests))

    def _preview(self, guests: list[Any]) -> Text:
        if not guests:
            return Text("No visitors on this day.", style="dim")
        text = Text(f"{len(guests)} visitor{'s' if len(guests) != 1 else ''}\n", style="bold")
        for guest in guests:
            when = f"{guest.visit_start.astimezone(self.tz):%H:%M}" if guest.visit_start else "--:--"
            text.append(f"{when}  ")
            text.append(display_name(guest))
            if guest.organisation:
                text.append(f" · {guest.organisation}", style="dim")
            text.append("\n")
        text.rstrip()
        return text

    def action_export(self) -> None:
        if self.guests is None:
            self.query_one("#export-error", Static).update(Text("Still loading the day; try again in a moment."))
            return
        self.export(self.day, list(self.guests))

    @work(exclusive=True, group="export-write", exit_on_error=False, name="export-visitor-log")
    async def export(self, day: date, guests: list[Any]) -> None:
        try:
            path = await asyncio.to_thread(write_visitor_log, guests, self.tz, visitor_log_path(self.building_id, day))
        except InvalidInputError as exc:
            self.query_one("#export-error", Static).update(Text(str(exc)))
            return
        count = f"{len(guests)} visitor{'s' if len(guests) != 1 else ''}"
        self.app.notify(f"Exported {count} on {day:%a %d %b %Y} to\n{path}", title="Visitor log", markup=False, timeout=8)
        self.dismiss(path)
