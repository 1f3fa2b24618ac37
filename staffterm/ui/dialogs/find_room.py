"""`n` from any screen: the rooms of the building free from now for 15–90 minutes, best fit first,
each with its seats, level, features and how long it stays free; Enter books the highlighted one.

From a fresh start a 30-minute room is booked with `n`, Enter (the form opens prefilled: the room,
now → now + 30, "Ad hoc meeting") and Enter again.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, tzinfo
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from staffterm.ui.dialogs.base import StafftermModal
from staffterm.ui.screens.timeline.day import room_level, split_features
from staffterm.ui.styles import themed

DURATIONS: tuple[int, ...] = (15, 30, 45, 60, 90)
DEFAULT_MINUTES = 30


def free_room_line(
    room: Any, level_name: str | None, free_until: datetime | None, tz: tzinfo, app: Any = None, width: int = 0
) -> Text:
    """One room in the list: name, seats, level, how long it stays free, features; cut to
    ``width`` cells (when given) so a long feature list never wraps onto a second line."""
    text = Text()
    text.append(f"{room.name:<16}", style="bold")
    text.append(f"{room.capacity:>3} seats  ")
    text.append(f"{(level_name or ''):<9}")
    until = f"free until {free_until.astimezone(tz):%H:%M}" if free_until is not None else "free all day"
    text.append(f"{until:<17}", style=themed(app, "fb-free"))
    text.append(", ".join(room.features) if room.features else "—", style="dim")
    if width > 0:
        text.truncate(width, overflow="ellipsis")
    return text


class FindRoomScreen(StafftermModal):
    """Dismisses with the booked ``Event``, or None when closed."""

    AUTO_FOCUS = "#free-rooms"
    DEFAULT_CSS = """
    #find-room {
        width: 84;
    }
    #find-heading {
        margin-bottom: 1;
    }
    #find-filters {
        height: 1;
        margin-bottom: 1;
    }
    #find-filters Label {
        width: auto;
        margin-right: 1;
    }
    #find-duration {
        width: 12;
        margin-right: 2;
    }
    #find-capacity {
        width: 10;
        margin-right: 1;
    }
    #find-features {
        width: 1fr;
    }
    #free-rooms {
        height: auto;
        max-height: 16;
        border: round $primary 40%;
    }
    #free-rooms:focus {
        border: round $primary;
    }
    #find-summary {
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="find-room-close"),
        Binding("minus", "duration(-1)", "Shorter", id="find-room-shorter"),
        Binding("plus,equals_sign", "duration(1)", "Longer", id="find-room-longer"),
        Binding("slash", "focus_filters", "Filter", id="find-room-filter"),
        # Already open: "n" again goes back to the list instead of stacking a second dialog.
        Binding("n,ctrl+n", "focus_list", "List", show=False, id="find-room-list"),
    ]

    def __init__(self, minutes: int = DEFAULT_MINUTES, *, building_id: str | None = None) -> None:
        super().__init__()
        self.minutes = minutes if minutes in DURATIONS else DEFAULT_MINUTES
        self.building_id = building_id
        self.rooms: list[Any] = []
        self.free_until: dict[str, datetime | None] = {}

    @property
    def tz(self) -> tzinfo:
        return self.app.catalog.tz(self.building_id) if self.app.catalog is not None else self.app.building_tz

    def compose(self) -> ComposeResult:
        if self.building_id is None:
            self.building_id = self.app.building_id
        building = self.app.catalog.zone(self.building_id) if self.app.catalog is not None else None
        with Vertical(id="find-room", classes="dialog-box"):
            yield Static(Text.assemble(("A room free now", "bold"), f" · {building.name}" if building else ""),
                         id="find-heading")
            with Horizontal(id="find-filters"):
                yield Label("For")
                yield Select([(f"{m} min", m) for m in DURATIONS], value=self.minutes, allow_blank=False,
                             compact=True, id="find-duration")
                yield Input(placeholder="seats ≥", type="integer", compact=True, id="find-capacity")
                yield Input(placeholder="features, e.g. screen,vc", compact=True, id="find-features")
            yield OptionList(Option(Text("Looking for free rooms…", style="dim italic"), disabled=True),
                             id="free-rooms")
            yield Static("", id="find-summary")
        yield Footer()

    def on_mount(self) -> None:
        self.search()

    # ----------------------------------------------------------------- search

    def _filters(self) -> tuple[int | None, tuple[str, ...]]:
        seats = self.query_one("#find-capacity", Input).value.strip()
        capacity = int(seats) if seats.isdigit() and int(seats) > 0 else None
        return capacity, split_features(self.query_one("#find-features", Input).value)

    @work(exclusive=True, group="find-room", exit_on_error=False, name="find-free-rooms")
    async def search(self, debounce: bool = False) -> None:
        if debounce:
            await asyncio.sleep(0.25)  # only the last keystroke's search runs
        session = self.app.session
        capacity, features = self._filters()
        minutes = self.minutes
        start = self.app.now().replace(second=0, microsecond=0)
        rooms, snapshot = await asyncio.gather(
            session.booking.find_free_rooms(
                minutes, zone_id=self.building_id, capacity=capacity, features=features, start=start
            ),
            session.board.load(self.building_id),
        )
        self.free_until = {room.id: getattr(snapshot.statuses.get(room.id), "free_until", None) for room in rooms}
        self._show(rooms, start, minutes)

    def _show(self, rooms: list[Any], start: datetime, minutes: int) -> None:
        self.rooms = list(rooms)
        catalog = self.app.catalog
        levels = catalog.levels(self.building_id) if catalog is not None and self.building_id else []
        tz = self.tz
        options = self.query_one("#free-rooms", OptionList)
        keep = options.highlighted_option.id if options.highlighted_option is not None else None
        options.clear_options()
        span = f"{start.astimezone(tz):%H:%M}–{(start + timedelta(minutes=minutes)).astimezone(tz):%H:%M}"
        summary = self.query_one("#find-summary", Static)
        if not self.rooms:
            options.add_option(Option(Text(f"No room is free {span} with these filters.", style="dim italic"),
                                      disabled=True))
            summary.update("Try a shorter time (-), fewer seats or fewer features (/).")
            return
        # The list's inner width, less its scrollbar.
        width = max(options.scrollable_content_region.width - 2, 20)
        for room in self.rooms:
            level = room_level(room, levels)
            line = free_room_line(room, getattr(level, "name", None), self.free_until.get(room.id), tz, self.app, width)
            options.add_option(Option(line, id=room.id))
        ids = [room.id for room in self.rooms]
        options.highlighted = ids.index(keep) if keep in ids else 0
        count = f"{len(self.rooms)} room{'s' if len(self.rooms) != 1 else ''}"
        summary.update(f"{count} free {span}, smallest that fits first · Enter books")

    # ----------------------------------------------------------------- filters

    @on(Select.Changed, "#find-duration")
    def _duration_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, int) and event.value != self.minutes:
            self.minutes = event.value
            self.search()

    @on(Input.Changed, "#find-capacity, #find-features")
    def _filters_changed(self) -> None:
        self.search(debounce=True)

    @on(Input.Submitted, "#find-capacity, #find-features")
    def _filters_submitted(self) -> None:
        self.action_focus_list()

    def action_duration(self, step: int) -> None:
        index = DURATIONS.index(self.minutes) if self.minutes in DURATIONS else 1
        wanted = DURATIONS[max(0, min(len(DURATIONS) - 1, index + step))]
        if wanted != self.minutes:
            self.query_one("#find-duration", Select).value = wanted

    def action_focus_filters(self) -> None:
        self.query_one("#find-capacity", Input).focus()

    def action_focus_list(self) -> None:
        self.query_one("#free-rooms", OptionList).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    # ----------------------------------------------------------------- booking

    @on(OptionList.OptionSelected, "#free-rooms")
    def _room_chosen(self, event: OptionList.OptionSelected) -> None:
        room_id = event.option.id
        if room_id is None:
            return
        from staffterm.ui.dialogs.book_room import BookRoomScreen

        # From now, to the minute: the moment Enter was pressed, not when the list was loaded.
        start = self.app.now().replace(second=0, microsecond=0)
        end = start + timedelta(minutes=self.minutes)  # in UTC: real minutes across a clock change
        tz = self.tz
        self.app.push_screen(
            BookRoomScreen(room_id, start.astimezone(tz), end.astimezone(tz), building_id=self.building_id), self._booked
        )

    def _booked(self, event: Any) -> None:
        if event is not None:
            self.dismiss(event)
            # The screen underneath shows the room free: bring every screen up to date.
            self.app.data_changed()
