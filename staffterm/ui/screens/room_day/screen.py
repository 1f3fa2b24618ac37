"""A room's day: its meetings in the building's zone, the highlighted meeting's host, attendees,
answers and online link (with a QR), and what the desk can do about it: extend, end now, move,
cancel, decline, approve or reject.

Pushed from the zones and timeline screens (Enter on a room); Escape goes back.

Over 400 lines: the screen's keys for each meeting action and their workers; how a meeting
reads is ``meetings``, the use-cases are ``services.booking`` and ``services.meetings``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Static

from staffterm.capabilities import Capability
from staffterm.errors import NotSupportedError
from staffterm.models import Event, Room
from staffterm.services.zones import local_day_window
from staffterm.ui.screens.base import StafftermScreen
from staffterm.ui.screens.room_day.meetings import (
    awaiting_approval,
    is_running,
    meeting_cells,
    meeting_facts,
)
from staffterm.ui.widgets.clash_list import ClashList, clock_span
from staffterm.ui.widgets.qr_view import QrView
from staffterm.ui.widgets.status_header import StatusHeader
from staffterm.ui.widgets.table_keys import highlighted_key

DAY_KEYS = Binding.Group("Day", compact=True)

#: action -> capability it needs
MEETING_ACTIONS: dict[str, Capability] = {
    "extend": Capability.EVENT_WRITE,
    "extend_by": Capability.EVENT_WRITE,
    "end_now": Capability.EVENT_WRITE,
    "move": Capability.EVENT_WRITE,
    "cancel_meeting": Capability.EVENT_WRITE,
    "decline": Capability.EVENT_WRITE,
    "approve": Capability.EVENT_APPROVAL,
    "reject": Capability.EVENT_APPROVAL,
}


def meeting_allows(action: str, event: Event | None, room: Room | None, now: datetime) -> bool:
    """Whether ``action`` fits the meeting's state (the backend's capabilities aside)."""
    if event is None or room is None or event.end <= now:
        return False
    if action == "end_now":
        return is_running(event, now)
    if action in ("approve", "reject"):
        return awaiting_approval(event, room)
    return True


class RoomDayScreen(StafftermScreen):
    SCREEN_TITLE = "Room"
    HELP = """\
One room's meetings for a day, in the building's own time zone. The pane on the right shows the
highlighted meeting: host, attendees and their answers (✓ accepted, ? tentative, ✗ declined,
· no reply), visitors and check-ins, notes, and the online-meeting link with a QR code to scan.
Private meetings show as *Private meeting*.

- **e** extends by 15 minutes (press again for more); **E** asks how many minutes. A clash with
  the next meeting shows that meeting.
- **x** ends a running meeting now · **m** moves it to a room free for its whole span.
- **c** cancels (tell the attendees or not, with a comment) · **d** declines it for the room.
- **a** / **j** approve or reject a request for a room that needs approval.
- **[** and **]** show the previous or next day, **t** today · **Escape** goes back.
"""
    BINDINGS = [
        Binding("escape", "close", "Back", id="room-day-close"),
        Binding("e", "extend(15)", "+15 min", id="room-day-extend"),
        Binding("E", "extend_by", "Extend by…", id="room-day-extend-by"),
        Binding("x", "end_now", "End now", id="room-day-end-now"),
        Binding("m", "move", "Move", id="room-day-move"),
        Binding("c", "cancel_meeting", "Cancel", id="room-day-cancel"),
        Binding("d", "decline", "Decline", id="room-day-decline"),
        Binding("a", "approve", "Approve", id="room-day-approve"),
        Binding("j", "reject", "Reject", id="room-day-reject"),
        Binding("left_square_bracket", "day(-1)", "Previous day", id="room-day-prev-day", group=DAY_KEYS),
        Binding("right_square_bracket", "day(1)", "Next day", id="room-day-next-day", group=DAY_KEYS),
        Binding("t", "today", "Today", show=False, id="room-day-today"),
    ]
    DEFAULT_CSS = """
    #room-facts {
        height: auto;
        padding: 0 1;
        margin-top: 1;
    }
    #room-day-body {
        height: 1fr;
    }
    #meetings {
        width: 1fr;
        height: 1fr;
        min-width: 36;
        border: round $primary 40%;
    }
    #meetings:focus {
        border: round $primary;
    }
    #meeting-pane {
        width: 1fr;
        min-width: 38;
        max-width: 64;
        border: round $secondary 40%;
        padding: 0 1;
    }
    #meeting-facts {
        height: auto;
    }
    #meeting-qr {
        margin-bottom: 1;
    }
    """

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

    # ----------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        capability = MEETING_ACTIONS.get(action)
        if capability is None:
            return True
        session = self.app.session
        if session is None or not session.supports(capability):
            return False
        return meeting_allows(action, self.current, self.room, self.app.now())

    def _target(self, action: str) -> Event | None:
        return self.current if self.check_action(action, ()) else None

    def _title(self, event: Event) -> str:
        return f"'{event.display_title(masked=True)}' ({clock_span(event.start, event.end, self.tz)})"

    def action_extend(self, minutes: int = 15) -> None:
        event = self._target("extend")
        if event is not None:
            self._act("extend", event, minutes)

    def action_end_now(self) -> None:
        event = self._target("end_now")
        if event is not None:
            self._act("end_now", event)

    def action_approve(self) -> None:
        event = self._target("approve")
        if event is not None:
            self._act("approve", event)

    def action_reject(self) -> None:
        event = self._target("reject")
        if event is None:
            return
        from staffterm.ui.dialogs.confirm import ConfirmDialog

        question = Text.assemble(
            "Reject ", (self._title(event), "bold"), f" in {self.room.name}? The meeting is cancelled and its host is told."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._act("reject", event)

        self.app.push_screen(ConfirmDialog(question, confirm_label="Reject", title="Reject the request?"), answered)

    @work(group="room-day-write", exit_on_error=False, name="meeting-action")
    async def _act(self, action: str, event: Event, minutes: int = 15) -> None:
        session, room = self.app.session, self.room
        problem = self.query_one("#meeting-problem", ClashList)
        problem.clear()
        title = self._title(event)
        try:
            if action == "extend":
                updated = await session.booking.extend_meeting(event.calendar_id, event.id, minutes, room_id=room.id)
                message = f"Extended {title} to {updated.end.astimezone(self.tz):%H:%M}"
            elif action == "end_now":
                ended = await session.booking.end_meeting_now(event.calendar_id, event.id)
                message = (f"Ended {title} at {ended.end.astimezone(self.tz):%H:%M}; {room.name} is free"
                           if ended is not None else f"Cancelled {title}: it had not started")
            elif action == "approve":
                await session.meetings.approve(room, event.id)
                message = f"Approved {title} in {room.name}"
            else:
                await session.meetings.reject(room, event.id)
                message = f"Rejected {title} in {room.name}; the meeting is cancelled"
        except Exception as exc:
            problem.show_error(exc, self.tz, reference=event.start)
            raise
        self.app.notify(message, markup=False)
        self.note_write()
        self.load_day(select=event.id)

    def action_extend_by(self) -> None:
        event = self._target("extend_by")
        if event is None:
            return
        from staffterm.ui.dialogs.meeting import ExtendDialog

        room = self.room

        async def apply(minutes: int) -> str:
            updated = await self.app.session.booking.extend_meeting(event.calendar_id, event.id, minutes, room_id=room.id)
            return f"Extended {self._title(event)} to {updated.end.astimezone(self.tz):%H:%M}"

        question = Text.assemble("How many minutes to add to ", (self._title(event), "bold"), "?")
        self.app.push_screen(ExtendDialog(question=question, apply=apply, tz=self.tz, reference=event.start),
                             self._dialog_done(event.id))

    def action_move(self) -> None:
        event = self._target("move")
        if event is None:
            return
        from staffterm.ui.dialogs.move_meeting import MoveMeetingModal

        building = self.app.catalog.building_for(self.room) if self.app.catalog is not None else None
        modal = MoveMeetingModal(event=event, room=self.room, building_id=building.id if building else None, tz=self.tz)
        self.app.push_screen(modal, self._dialog_done(None))

    def action_cancel_meeting(self) -> None:
        event = self._target("cancel_meeting")
        if event is None:
            return
        from staffterm.ui.dialogs.meeting import CommentDialog

        title = self._title(event)

        async def apply(notify: bool, comment: str) -> str:
            await self.app.session.booking.cancel_meeting(event.calendar_id, event.id, notify=notify, comment=comment or None)
            return f"Cancelled {title}" + ("; attendees told" if notify else "; attendees not told")

        question = Text.assemble("Cancel ", (title, "bold"), f" in {self.room.name} for everyone?")
        dialog = CommentDialog(title="Cancel the meeting", question=question, confirm_label="Cancel meeting",
                               apply=apply, tz=self.tz, reference=event.start)
        self.app.push_screen(dialog, self._dialog_done(None))

    def action_decline(self) -> None:
        event = self._target("decline")
        if event is None:
            return
        from staffterm.ui.dialogs.meeting import CommentDialog

        room, title = self.room, self._title(event)

        async def apply(notify: bool, comment: str) -> str:
            await self.app.session.meetings.decline(room, event.id, notify=notify, comment=comment or None)
            return f"{room.name} declined {title}" + ("; attendees told" if notify else "")

        question = Text.assemble("Decline ", (title, "bold"), f" on behalf of {room.name}? The room is released.")
        dialog = CommentDialog(title="Decline for the room", question=question, confirm_label="Decline",
                               apply=apply, tz=self.tz, reference=event.start)
        self.app.push_screen(dialog, self._dialog_done(None))

    def _dialog_done(self, select: str | None):
        def done(message: str | None) -> None:
            if message:
                self.app.notify(message, markup=False)
                self.note_write()
                self.load_day(select=select)

        return done
