"""`m` on a room's day: move the meeting to another room free for its whole span.

The rooms offered come from ``BookingService.find_free_rooms`` for the meeting's span in the same
building; rooms with enough seats for everyone invited come first. Picking one moves the meeting
with ``move_meeting``; a clash found at that moment (someone was quicker) shows here with the
meeting in the way.
"""

from __future__ import annotations

import math
from datetime import tzinfo
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from staffterm.models import Event, Room
from staffterm.ui.dialogs.base import StafftermModal
from staffterm.ui.widgets.clash_list import ClashList, clock_span, themed


def people_count(event: Event) -> int:
    return sum(1 for a in event.attendees if not a.resource)


class MoveMeetingModal(StafftermModal):
    """Dismisses with the success message, or None."""

    DEFAULT_CSS = """
    MoveMeetingModal > Vertical.dialog-box {
        width: 76;
    }
    #move-rooms {
        height: auto;
        max-height: 14;
        margin: 1 0;
    }
    """
    BINDINGS = [Binding("escape", "back", "Back", id="meeting-move-back")]

    def __init__(self, *, event: Event, room: Room, building_id: str | None, tz: tzinfo) -> None:
        super().__init__()
        self.event = event
        self.room = room
        self.building_id = building_id
        self.tz = tz
        self.rooms: list[Room] = []

    def compose(self) -> ComposeResult:
        span = clock_span(self.event.start, self.event.end, self.tz)
        with Vertical(classes="dialog-box"):
            yield Static(Text.assemble(("Move ", "bold"), (self.event.display_title(masked=True), "bold"),
                                       f" ({span}, {people_count(self.event)} people) out of {self.room.name}"))
            yield Static(Text("Looking for rooms free for the whole meeting…", style="dim italic"), id="move-hint")
            yield OptionList(id="move-rooms")
            yield ClashList(id="move-problem")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#move-rooms", OptionList).focus()
        self._find_rooms()

    @work(exclusive=True, group="meeting-move-find", exit_on_error=False, name="find-free-rooms")
    async def _find_rooms(self) -> None:
        minutes = max(1, math.ceil((self.event.end - self.event.start).total_seconds() / 60))
        found = await self.app.session.booking.find_free_rooms(
            minutes, zone_id=self.building_id, start=self.event.start
        )
        needed = people_count(self.event)
        rooms = [r for r in found if r.id != self.room.id]
        # Rooms that seat everyone first, smallest first; then the rest, biggest first.
        self.rooms = sorted(rooms, key=lambda r: (r.capacity < needed, r.capacity if r.capacity >= needed else -r.capacity, r.name))
        options = self.query_one("#move-rooms", OptionList)
        options.clear_options()
        for room in self.rooms:
            options.add_option(Option(self._label(room, needed), id=room.id))
        hint = self.query_one("#move-hint", Static)
        if self.rooms:
            hint.update(Text(f"{len(self.rooms)} rooms free {clock_span(self.event.start, self.event.end, self.tz)}."
                             " Enter moves the meeting.", style="dim"))
            options.highlighted = 0
        else:
            hint.update(Text("No other room in the building is free for the whole meeting.", style="bold"))

    def _label(self, room: Room, needed: int) -> Text:
        level = ""
        catalog: Any = self.app.catalog
        if catalog is not None:
            level = next((z.name for z in (catalog.zone(zid) for zid in room.zone_ids) if z is not None and z.kind == "level"), "")
        text = Text.assemble((f"{room.name:<16}", "bold"), f"{room.capacity:>3} seats  ")
        if room.capacity < needed:
            text.append(f"too small for {needed}  ", style=themed(self.app, "warning", bold=True))
        text.append(", ".join(room.features) or "no features", style="dim")
        if level:
            text.append(f"  {level}", style="dim")
        if room.accessible:
            text.append("  step-free", style="dim")
        return text

    @on(OptionList.OptionSelected, "#move-rooms")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        room = next((r for r in self.rooms if r.id == event.option.id), None)
        if room is not None:
            self._move(room)

    @work(exclusive=True, group="meeting-move", exit_on_error=False, name="move-meeting")
    async def _move(self, target: Room) -> None:
        problem = self.query_one("#move-problem", ClashList)
        problem.clear()
        try:
            await self.app.session.booking.move_meeting(
                self.event.calendar_id, self.event.id, target.id, from_room_id=self.room.id
            )
        except Exception as exc:
            problem.show_error(exc, self.tz, reference=self.event.start)
            raise
        self.dismiss(f"Moved '{self.event.display_title(masked=True)}' "
                     f"({clock_span(self.event.start, self.event.end, self.tz)}) from {self.room.name} to {target.name}")

    def action_back(self) -> None:
        self.dismiss(None)
