"""The timeline of a day in the building as the screen shows it: the building's rooms and their
free/busy loaded for the working day, the level/capacity/feature filters, the side panel for the
cell under the cursor, and the day shown. ``TimelineScreen`` (``screen``) adds its keys and
booking a chosen range.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, time, timedelta
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Footer, Input, Select, Static

from staffterm.errors import InvalidInputError
from staffterm.services.zones import local_day_window
from staffterm.ui.block_names import BlockNames
from staffterm.ui.messages import SessionFailed
from staffterm.ui.screens.base import StafftermScreen
from staffterm.ui.screens.timeline.day import (
    TimelineFilter,
    WorkingDay,
    room_level,
    sort_rooms,
    working_hours,
)
from staffterm.ui.screens.timeline.grid import DayTimeline
from staffterm.ui.screens.timeline.panel import describe_cursor
from staffterm.ui.widgets.status_header import StatusHeader
from staffterm.ui.widgets.timeline import FreeBusyTimeline, rows_from_snapshot

ALL_LEVELS = "__all__"
def _build_rows(snapshot: Any, levels: list[Any], working: WorkingDay) -> tuple[list[Any], list[Any]]:
    """The building's rooms, level by level, and their timeline rows (run in a thread)."""
    rooms = sort_rooms(snapshot.rooms, levels)
    rows = rows_from_snapshot(rooms, snapshot.availability, working.start, working.slot_minutes, working.slots)
    return rooms, rows


class TimelineView(StafftermScreen):
    """The view half of the timeline screen; booking and the room's day are ``TimelineScreen``'s."""

    def __init__(self) -> None:
        super().__init__()
        self.day: date | None = None
        # Showing today follows the building's today across midnight; another day stays put.
        self.on_today = True
        self.filter = TimelineFilter()
        self.working: WorkingDay | None = None
        self.building_id: str | None = None
        self.rooms: dict[str, Any] = {}
        self._all_rows: list[Any] = []
        self._level_names: dict[str, str | None] = {}
        self._levels_for: str | None = None
        self._names = BlockNames(self, self._named)
        # Where the cursor goes once the next load lands: "now", a time of day, or stay put.
        self._cursor_to: str | time | None = "now"

    # ----------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield StatusHeader(self.SCREEN_TITLE)
        with Horizontal(id="timeline-filters"):
            yield Select([("All levels", ALL_LEVELS)], value=ALL_LEVELS, allow_blank=False, compact=True,
                         id="timeline-level")
            yield Input(placeholder="seats ≥", type="integer", compact=True, id="timeline-capacity")
            yield Input(placeholder="features, e.g. screen,vc", compact=True, id="timeline-features")
            yield Static("", id="timeline-day")
        with Horizontal(id="timeline-body"):
            yield DayTimeline(id="timeline")
            yield Static(Text("Loading rooms…", style="dim italic"), id="timeline-panel")
        yield Footer()

    @property
    def timeline(self) -> DayTimeline:
        return self.query_one("#timeline", DayTimeline)

    @property
    def panel(self) -> Static:
        return self.query_one("#timeline-panel", Static)

    def on_mount(self) -> None:
        self.timeline.loading = True
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._refresh_panel())
        # The now-line and the dimmed past move with the clock.
        self.set_interval(30, self._tick, name="timeline-now")

    def _tick(self) -> None:
        if self.working is not None:
            self.timeline.now = self.app.now()

    # ----------------------------------------------------------------- data

    def reload(self) -> None:
        app = self.app
        if app.session is None or app.catalog is None or app.building_id is None:
            return
        if self.on_today or self.day is None:
            today = app.building_today()
            if self.day is not None and today != self.day:
                self._cursor_to = "now"  # past midnight: follow now into the new day
            self.day = today
        self.load_day(app.building_id, self.day)

    @on(SessionFailed)
    def _session_failed(self, event: SessionFailed) -> None:
        self.timeline.loading = False
        self.panel.update(Text.assemble(("Not connected: ", "bold"), event.reason))

    @work(exclusive=True, group="timeline-load", exit_on_error=False, name="load-timeline")
    async def load_day(self, building_id: str, day: date) -> None:
        app = self.app
        catalog = app.catalog
        tz = catalog.tz(building_id)
        opens, closes = working_hours(app.config)
        working = WorkingDay.build(day, tz, opens, closes)
        # The whole day is asked, not just the hours shown, so a meeting running past the
        # closing time shows its real end in the panel.
        snapshot = await app.session.board.load(building_id, day)
        levels = catalog.levels(building_id)
        # Sorting and bucketing a thousand rooms' meetings into slots is CPU work: off the event loop.
        rooms, rows = await asyncio.to_thread(_build_rows, snapshot, levels, working)
        self._show(building_id, working, rooms, rows, levels)
        self.mark_loaded()

    def _show(self, building_id: str, working: WorkingDay, rooms: list[Any], rows: list[Any], levels: list[Any]) -> None:
        if building_id != self.building_id:
            self._cursor_to = "now" if working.day == self.app.building_today() else self._cursor_to
        self.building_id = building_id
        self.working = working
        self._names.clear()
        self.rooms = {room.id: room for room in rooms}
        self._level_names = {room.id: getattr(room_level(room, levels), "name", None) for room in rooms}
        self._all_rows = rows
        self._set_level_options(building_id, levels)
        timeline = self.timeline
        timeline.loading = False
        timeline.now = self.app.now()
        self._apply_filter()
        self._place_cursor()

    def _set_level_options(self, building_id: str, levels: list[Any]) -> None:
        if self._levels_for == building_id:
            return
        self._levels_for = building_id
        select = self.query_one("#timeline-level", Select)
        keep = select.value
        options = [("All levels", ALL_LEVELS)] + [(level.name, level.id) for level in levels]
        with select.prevent(Select.Changed):
            select.set_options(options)
            select.value = keep if keep in {value for _, value in options} else ALL_LEVELS
        if self.filter.level_id is not None and select.value == ALL_LEVELS:
            self.filter = TimelineFilter(None, self.filter.capacity, self.filter.features)

    def _apply_filter(self) -> None:
        working = self.working
        if working is None:
            return
        rows = [row for row in self._all_rows if self.filter.accepts(self.rooms[row.room_id])]
        self.timeline.set_data(
            rows, day_start=working.start, slot_minutes=working.slot_minutes, slots=working.slots, tz=working.tz
        )
        self._show_day_label(len(rows))
        self._refresh_panel()

    def _place_cursor(self) -> None:
        target, self._cursor_to = self._cursor_to, None
        timeline, working = self.timeline, self.working
        if target is None or working is None or not timeline.row_count:
            return
        moment = self.app.now() if target == "now" else working.at(target)
        timeline.move_cursor_to_time(moment, clamp=True)
        if target == "now":
            # Once the new size is laid out (scrolling is clamped to the old one until then).
            timeline.call_after_refresh(self._show_last_hour)

    def _show_last_hour(self) -> None:
        """Scroll so the hour before the cursor shows too: what just ended matters at a desk."""
        timeline, working = self.timeline, self.working
        if working is None or not timeline.row_count:
            return
        visible = max((timeline.scrollable_content_region.width - timeline.gutter_width) // timeline.cell_width, 1)
        lead = min(60 // working.slot_minutes, visible // 3)
        timeline.scroll_to(x=max(timeline.cursor[1] - lead, 0) * timeline.cell_width, animate=False, immediate=True)

    def _show_day_label(self, shown: int) -> None:
        working = self.working
        if working is None:
            return
        today = self.app.building_today()
        when = "today" if working.day == today else (
            "tomorrow" if working.day == today + timedelta(days=1) else
            "yesterday" if working.day == today - timedelta(days=1) else ""
        )
        total = len(self._all_rows)
        counted = f"{shown} rooms" if shown == total else f"{shown} of {total} rooms"
        label = Text.assemble((f"{working.day:%a %d %b}", "bold"), f" {when}" if when else "", f" · {counted}")
        self.query_one("#timeline-day", Static).update(label)

    # ----------------------------------------------------------------- the panel

    @on(FreeBusyTimeline.CursorMoved, "#timeline")
    @on(DayTimeline.SelectionChanged)
    def _cursor_changed(self) -> None:
        self._refresh_panel()

    def _refresh_panel(self) -> None:
        timeline, working = self.timeline, self.working
        if working is None:
            return
        if not timeline.row_count:
            self.panel.update(Text("No rooms match the filters.\n\n/ changes them.", style="dim italic"))
            return
        index, slot = timeline.cursor
        row = timeline.rows[index]
        at = timeline.cursor_time
        assert at is not None
        room = self.rooms.get(row.room_id)
        block = timeline.block_at(index, slot)
        if room is not None and not row.error:
            # The panel says what is in the way: untitled free/busy is named from the calendar.
            day_window = local_day_window(working.day, working.tz)
            row = replace(row, blocks=tuple(self._names.view(room, row.blocks, *day_window)))
            block = self._names.one(room.id, block)
        self.panel.update(
            describe_cursor(
                room=room,
                level_name=self._level_names.get(row.room_id),
                row=row,
                at=at,
                block=block,
                selection=timeline.selected_range() if timeline.selection is not None else None,
                tz=working.tz,
                app=self.app,
            )
        )

    def _named(self, room_id: str) -> None:
        if self.timeline.cursor_room_id == room_id:
            self._refresh_panel()

    # ----------------------------------------------------------------- days

    def action_day(self, step: int) -> None:
        if self.app.session is None or self.day is None:
            return
        at = self.timeline.cursor_time
        self._cursor_to = at.time() if at is not None else None
        self.day = self.day + timedelta(days=step)
        self.on_today = self.day == self.app.building_today()
        self.reload()

    def action_today(self) -> None:
        if self.app.session is None:
            return
        self.on_today = True
        self._cursor_to = "now"
        self.reload()

    @on(DayTimeline.TodayWanted)
    def _today_wanted(self) -> None:
        self.action_today()

    # ----------------------------------------------------------------- filters

    def action_focus_filters(self) -> None:
        self.query_one("#timeline-level", Select).focus()

    def action_focus_timeline(self) -> None:
        self.timeline.focus()

    @on(Select.Changed, "#timeline-level")
    @on(Input.Changed, "#timeline-capacity, #timeline-features")
    def _filters_changed(self) -> None:
        level: Any = self.query_one("#timeline-level", Select).value
        capacity = self.query_one("#timeline-capacity", Input)
        try:
            new = TimelineFilter.parse(
                level if isinstance(level, str) and level != ALL_LEVELS else None,
                capacity.value,
                self.query_one("#timeline-features", Input).value,
            )
        except InvalidInputError:
            capacity.add_class("-invalid")
            return
        capacity.remove_class("-invalid")
        if new != self.filter:
            self.filter = new
            self._apply_filter()

    @on(Input.Submitted, "#timeline-filters Input")
    def _filter_submitted(self) -> None:
        self.action_focus_timeline()
