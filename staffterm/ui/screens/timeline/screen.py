"""Rooms × 15-minute slots of the working day in the building's zone: who holds what, a now-line,
the meeting under the cursor in a side panel, and a free range booked with Enter.

Here are the keys and booking a chosen range; the day loaded, filtered and shown is ``view``,
its day, grid and side panel ``day``, ``grid``, ``panel``.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.binding import Binding

from staffterm.ui.screens.timeline.view import TimelineView
from staffterm.ui.widgets.timeline import FreeBusyTimeline

DAY_KEYS = Binding.Group("Day", compact=True)


class TimelineScreen(TimelineView):
    """Free/busy of every room in the building for one day; book a free range on the spot."""

    SCREEN_TITLE = "Timeline"
    AUTO_FOCUS = "#timeline"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    HELP = """\
Every room of the building as a row, the working day as 15-minute slots, in the building's own
time zone: **free**, **tentative** (awaiting approval) and **busy** in the theme's colours, the
past dimmed and a line at **now**. The panel on the right shows the room and the meeting under the
cursor (a private meeting is shown as *Private meeting*) or how long the room stays free.

- **Arrows** move the cursor · **[** / **]** an hour back / on · **Home** / **End** the day's
  ends · **t** now (today) · **PgUp** / **PgDn** a page of rooms.
- **Shift+←/→** selects a range, or **Space** anchors one that the arrows extend; **Escape** clears.
- **Enter** books the range (or the slot under the cursor): the form opens with the room and the
  times filled in. A clash is shown in the form with the meetings in the way; change the times
  or the room there. **Enter** on a busy slot without a selection opens the room's day.
- **v** opens the room's day · **<** / **>** (or **Ctrl+←/→**) the previous / next day.
- **/** jumps to the filters (level, seats, features, e.g. `screen,vc`); **Escape** comes back.
- **n** finds a room free now, from any screen.
"""
    BINDINGS = [
        Binding("less_than_sign,ctrl+left", "day(-1)", "Prev day", id="timeline-prev-day", group=DAY_KEYS),
        Binding("greater_than_sign,ctrl+right", "day(1)", "Next day", id="timeline-next-day", group=DAY_KEYS),
        Binding("t", "today", "Today", show=False, id="timeline-today"),
        Binding("v", "room_day", "Room's day", id="timeline-room-day"),
        Binding("slash", "focus_filters", "Filter", id="timeline-filter"),
        Binding("escape", "focus_timeline", "Timeline", show=False, id="timeline-back"),
    ]
    DEFAULT_CSS = """
    #timeline-filters {
        height: 1;
        margin: 1 1 0 1;
    }
    #timeline-filters Select {
        width: 18;
        margin-right: 1;
    }
    #timeline-capacity {
        width: 10;
        margin-right: 1;
    }
    #timeline-features {
        width: 1fr;
        min-width: 12;
    }
    #timeline-day {
        width: auto;
        padding: 0 1;
        text-style: bold;
    }
    #timeline-body {
        height: 1fr;
        margin: 1 1 0 1;
    }
    #timeline {
        width: 1fr;
        height: 1fr;
        border: round $primary 40%;
    }
    #timeline:focus {
        border: round $primary;
    }
    #timeline-panel {
        width: 36;
        height: 1fr;
        padding: 0 1;
        border: round $secondary 40%;
    }
    TimelineScreen.-narrow #timeline-panel {
        width: 26;
    }
    TimelineScreen.-narrow #timeline-filters Select {
        width: 14;
    }
    """

    # ----------------------------------------------------------------- booking

    @on(FreeBusyTimeline.RangeChosen, "#timeline")
    def _range_chosen(self, event: FreeBusyTimeline.RangeChosen) -> None:
        room = self.rooms.get(event.room_id)
        if room is None:
            return
        if event.clashes and self.timeline.selection is None:
            # Enter on a meeting (nothing selected): show that meeting in the room's day.
            self.action_room_day()
            return
        if not room.bookable:
            self.notify(f"{room.name} is not bookable; pick another room.", severity="warning", markup=False)
            return
        now = self.app.now()
        if event.end <= now:
            self.notify("That time is over; pick a time from now on.", severity="warning")
            return
        # A range holding now starts now (to the minute), not at the slot's start.
        start = max(event.start, now.replace(second=0, microsecond=0).astimezone(event.start.tzinfo))
        from staffterm.ui.dialogs.book_room import BookRoomScreen

        self.app.push_screen(
            BookRoomScreen(room.id, start, event.end, building_id=self.building_id, clashes=event.clashes),
            self._booked,
        )

    def _booked(self, event: Any) -> None:
        if event is not None:
            self.timeline.action_clear_selection()
            self.reload()

    def action_room_day(self) -> None:
        room_id = self.timeline.cursor_room_id
        if room_id is None or self.working is None:
            return
        from staffterm.ui.screens.room_day.screen import RoomDayScreen

        day = None if self.working.day == self.app.building_today() else self.working.day
        self.app.push_screen(RoomDayScreen(room_id, day))

