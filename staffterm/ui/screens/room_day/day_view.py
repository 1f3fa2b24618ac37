"""A room's day as the screen shows it: the room's facts, its meetings in the building's zone,
the highlighted meeting's details (with a QR of its online link), and the day shown.
``RoomDayScreen`` (``screen``) adds what the desk can do about a meeting.
"""

from __future__ import annotations

from datetime import date, timedelta, tzinfo
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Static

from staffterm.errors import NotSupportedError
from staffterm.models import Event, Room
from staffterm.services.zones import local_day_window
from staffterm.ui.screens.base import StafftermScreen
from staffterm.ui.screens.room_day.meetings import (
    meeting_cells,
    meeting_facts,
)
from staffterm.ui.widgets.clash_list import ClashList
from staffterm.ui.widgets.qr_view import QrView
from staffterm.ui.widgets.status_header import StatusHeader
from staffterm.ui.widgets.table_keys import highlighted_key


class RoomDayView(StafftermScreen):
    """The view half of the room-day screen; the meeting actions are ``RoomDayScreen``'s."""

    def __init__(self, room_id: str, day: date | None = None) -> None:
        super().__init__()
        self.room_id = room_id
        self.day = day
        # Opened on today: follow the building's today across midnight.
        self.on_today = day is None
        self.room: Room | None = None
        self.tz: tzinfo = ZoneInfo("UTC")
        self.events: dict[str, Event] = {}
        self._cursor_placed = False

    # ----------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield StatusHeader(self.SCREEN_TITLE)
        yield Static(Text("Loading the room…", style="dim italic"), id="room-facts")
        with Horizontal(id="room-day-body"):
            table = DataTable(id="meetings", cursor_type="row")
            table.add_column("Time", width=11, key="time")
            table.add_column("Meeting", key="meeting")
            yield table
            with VerticalScroll(id="meeting-pane"):
                yield Static("", id="meeting-facts")
                yield QrView(id="meeting-qr")
                yield ClashList(id="meeting-problem")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#meetings", DataTable).focus()
        # Status colours come from the theme: redraw the rows when it changes.
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._show(None))

    # ----------------------------------------------------------------- data

    def reload(self) -> None:
        if self.app.session is not None:
            self.load_day()

    @work(exclusive=True, group="room-day-load", exit_on_error=False, name="load-room-day")
    async def load_day(self, select: str | None = None) -> None:
        session = self.app.session
        catalog = self.app.catalog
        room = catalog.room(self.room_id) if catalog is not None else None
        if room is None:
            room = await session.meetings.room(self.room_id)
        self.room = room
        self.tz = catalog.tz(room) if catalog is not None else ZoneInfo("UTC")
        today = self.app.now().astimezone(self.tz).date()
        if self.day is None or self.on_today:
            self.day = today
        self._retitle()
        start, end = local_day_window(self.day, self.tz)
        try:
            events = await session.meetings.events(room.email, start, end)
        except NotSupportedError as exc:
            self.events = {}
            self._show(select)
            self.query_one("#meeting-facts", Static).update(Text(str(exc), style="dim"))
            return
        self.events = {e.id: e for e in sorted(events, key=lambda e: (e.start, e.end, e.id))}
        self._show(select)
        self.mark_loaded()

    def _retitle(self) -> None:
        room = self.room
        if room is None:
            return
        self.SCREEN_TITLE = room.name  # the header and F1 name the room in view
        for header in self.query(StatusHeader):
            header.screen_title = room.name
        catalog = self.app.catalog
        zones = [catalog.zone(z) for z in room.zone_ids] if catalog is not None else []
        where = " · ".join(z.name for z in reversed([z for z in zones if z is not None]))
        facts = Text()
        facts.append(room.name, style="bold")
        facts.append(f" · {room.capacity} seats · {', '.join(room.features) or 'no features'}")
        if room.accessible:
            facts.append(" · step-free")
        if where:
            facts.append(f" · {where}", style="dim")
        facts.append("\n")
        today = self.app.now().astimezone(self.tz).date()
        facts.append(f"{self.day:%A %d %B}", style="bold")
        facts.append(" (today)" if self.day == today else "")
        facts.append(f" · {getattr(self.tz, 'key', '')}", style="dim")
        if not room.bookable:
            facts.append(" · not bookable", style="dim")
        if "approval" in {f.lower() for f in room.features}:
            facts.append(" · bookings need approval", style="dim")
        self.query_one("#room-facts", Static).update(facts)

    def _show(self, select: str | None) -> None:
        table = self.query_one("#meetings", DataTable)
        now = self.app.now()
        if select in self.events:
            keep = select
        elif not self._cursor_placed:
            # A first look at a day starts on the meeting under way, or the next one.
            keep = next((e.id for e in self.events.values() if e.end > now), None)
        else:
            keep = self.current_id
        position = table.cursor_row
        wanted = list(self.events)
        if [key.value for key in table.rows] != wanted:
            # A meeting came or went: a room's day is a handful of rows, so redraw in order.
            table.clear()
            for event in self.events.values():
                table.add_row(*meeting_cells(event, self.room, self.tz, now, self.app), key=event.id, height=2)
        else:
            for event in self.events.values():
                time_cell, meeting_cell = meeting_cells(event, self.room, self.tz, now, self.app)
                table.update_cell(event.id, "time", time_cell)
                table.update_cell(event.id, "meeting", meeting_cell, update_width=True)
        if keep in self.events:
            table.move_cursor(row=table.get_row_index(keep))
            self._cursor_placed = True
        elif self.events:
            table.move_cursor(row=min(position, len(self.events) - 1))
        self._refresh_detail()

    # ----------------------------------------------------------------- selection

    @property
    def current_id(self) -> str | None:
        tables = self.query("#meetings")
        return highlighted_key(tables.first(DataTable) if tables else None)

    @property
    def current(self) -> Event | None:
        event_id = self.current_id
        return self.events.get(event_id) if event_id else None

    @on(DataTable.RowHighlighted, "#meetings")
    def _highlighted(self) -> None:
        self.query_one("#meeting-problem", ClashList).clear()
        self._refresh_detail()

    def _refresh_detail(self) -> None:
        event, room = self.current, self.room
        facts = self.query_one("#meeting-facts", Static)
        qr = self.query_one("#meeting-qr", QrView)
        if event is None or room is None:
            facts.update(Text("No meetings this day.", style="dim") if room is not None else "")
            qr.clear()
        else:
            facts.update(meeting_facts(event, room, self.tz, self.app.now(), self.app))
            qr.show_payload("" if event.private else (event.online_meeting_url or ""))
        self.refresh_bindings()

    # ----------------------------------------------------------------- days

    def action_close(self) -> None:
        self.dismiss()

    def action_day(self, step: int) -> None:
        if self.day is None or self.app.session is None:
            return
        self.day = self.day + timedelta(days=step)
        self.on_today = self.day == self.app.now().astimezone(self.tz).date()
        self._cursor_placed = False
        self.load_day()

    def action_today(self) -> None:
        if self.app.session is None:
            return
        self.day = self.app.now().astimezone(self.tz).date()
        self.on_today = True
        self._cursor_placed = False
        self.load_day()
