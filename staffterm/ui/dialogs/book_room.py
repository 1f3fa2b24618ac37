"""The booking form: a room for a range of the day, with a title, a host, attendees and privacy.

Opened from the Timeline (Enter on a range) and from "find a free room now", prefilled with the
room and the times. While the room or the times change, the form asks the room's free/busy and
shows what is in the way; a clash refused on booking is shown the same way. Nothing is booked
then, and every field keeps its value. Enter in a text field or Ctrl+S books.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static

from staffterm.errors import ConflictError, InvalidInputError
from staffterm.services.zones import local_day_window
from staffterm.ui.clock_input import on_day, parse_clock
from staffterm.ui.dialogs.base import FormModal
from staffterm.ui.screens.timeline.day import room_level, sort_rooms
from staffterm.ui.widgets.clash_list import ClashList, clock_span
from staffterm.ui.widgets.person_picker import PersonPicker

DEFAULT_TITLE = "Ad hoc meeting"
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
#: Errors that prove nothing was created: the next try may use a new idempotency key.
REFUSALS = (ConflictError, InvalidInputError)






def clock_text(moment: datetime, day: date, tz: tzinfo) -> str:
    """HH:MM of ``moment`` on ``day``; the midnight ending the day reads 24:00."""
    local = moment.astimezone(tz)
    if local.date() == day + timedelta(days=1) and local.time() == time(0):
        return "24:00"
    return f"{local:%H:%M}"


def parse_attendees(text: str) -> list[str]:
    """Comma- (or semicolon-) separated email addresses, each checked, duplicates dropped."""
    seen: list[str] = []
    for part in re.split(r"[,;]", text or ""):
        address = part.strip().lower()
        if not address:
            continue
        if not _EMAIL.match(address):
            raise InvalidInputError(
                f"attendee {part.strip()!r} is not an email address; separate addresses with commas",
                field="attendees",
            )
        if address not in seen:
            seen.append(address)
    return seen


@dataclass(frozen=True)
class RoomRequest:
    room_id: str
    start: datetime
    end: datetime
    title: str
    host: str
    attendees: list[str]
    private: bool


class BookRoomScreen(FormModal):
    """Dismisses with the created ``Event``, or None when cancelled."""
    SUBMIT_BUTTON = "book-submit"
    CANCEL_BUTTON = "book-cancel"

    DEFAULT_CSS = """
    #book-form {
        width: 80;
        overflow-y: auto;
    }
    #book-form .form-label {
        width: 11;
    }
    #book-form #book-start, #book-form #book-end {
        width: 8;
    }
    #book-form #book-private {
        width: auto;
        margin-left: 3;
    }
    #book-heading {
        margin-bottom: 1;
    }
    """
    BINDINGS = [
        Binding("ctrl+s", "submit", "Book", id="book-room-submit", priority=True),
        Binding("escape", "cancel", "Cancel", id="book-room-cancel"),
        # Already booking a room: "find a free room" here would stack a second dialog.
        Binding("n,ctrl+n", "ignore", "", show=False, id="book-room-no-find"),
    ]

    def __init__(
        self,
        room_id: str | None,
        start: datetime,
        end: datetime,
        *,
        building_id: str | None = None,
        clashes: Sequence[Any] = (),
        title: str = DEFAULT_TITLE,
    ) -> None:
        super().__init__()
        self.room_id = room_id
        self.start = start
        self.end = end
        self.building_id = building_id
        self.initial_clashes = list(clashes)
        self.initial_title = title
        # The building's zone replaces this once the catalog is at hand (compose).
        self.tz: tzinfo = start.tzinfo  # type: ignore[assignment]
        self.day: date = start.date()
        # One key per attempt that might have reached the calendar: a retried submit never
        # books twice; a refused one (clash, bad input) frees the key for the next try.
        self.idempotency_key = f"staffterm-book-{uuid.uuid4().hex}"
        self._checked: tuple[str, datetime, datetime] | None = None
        self._problem_is_clash = False

    # ----------------------------------------------------------------- layout

    def _place(self) -> None:
        """The building and its zone, from the room (or the app's building)."""
        catalog = self.app.catalog
        room = catalog.room(self.room_id) if catalog is not None and self.room_id else None
        if self.building_id is None:
            building = catalog.building_for(room) if room is not None else None
            self.building_id = building.id if building is not None else self.app.building_id
        self.tz = catalog.tz(self.building_id) if catalog is not None else self.app.building_tz
        self.day = self.start.astimezone(self.tz).date()

    def _room_options(self) -> list[tuple[str, str]]:
        catalog = self.app.catalog
        if catalog is None or self.building_id is None:
            return []
        levels = catalog.levels(self.building_id)
        rooms = sort_rooms([r for r in catalog.rooms_in(self.building_id) if r.bookable], levels)
        options = []
        for room in rooms:
            level = room_level(room, levels)
            where = f" · {level.name}" if level is not None else ""
            options.append((f"{room.name} · {room.capacity} seats{where}", room.id))
        return options

    def compose(self) -> ComposeResult:
        self._place()
        options = self._room_options()
        known = {value for _, value in options}
        building = self.app.catalog.zone(self.building_id) if self.app.catalog is not None else None
        with Vertical(id="book-form", classes="dialog-box"):
            yield Static(
                Text.assemble(("Book a room", "bold"), f" · {self.day:%a %d %b}",
                              f" · {building.name}" if building is not None else ""),
                id="book-heading",
            )
            with Horizontal(classes="form-row"):
                yield Label("Title", classes="form-label")
                yield Input(value=self.initial_title, placeholder=DEFAULT_TITLE, compact=True, id="book-title")
            with Horizontal(classes="form-row"):
                yield Label("Host", classes="form-label")
                yield PersonPicker(placeholder="name or email (optional: the room books itself)", id="book-host")
            with Horizontal(classes="form-row"):
                yield Label("Attendees", classes="form-label")
                yield Input(placeholder="emails, separated by commas", compact=True, id="book-attendees")
            with Horizontal(classes="form-row"):
                yield Label("Room", classes="form-label")
                yield Select(options, prompt="Pick a room", compact=True, id="book-room",
                             value=self.room_id if self.room_id in known else Select.NULL)
            with Horizontal(classes="form-row"):
                yield Label("From", classes="form-label")
                yield Input(value=clock_text(self.start, self.day, self.tz), placeholder="HH:MM", compact=True,
                            id="book-start")
                yield Label("to", classes="form-to")
                yield Input(value=clock_text(self.end, self.day, self.tz), placeholder="HH:MM", compact=True,
                            id="book-end")
                yield Checkbox("Private", compact=True, id="book-private")
            yield ClashList(id="book-problem")
            with Horizontal(id="book-buttons", classes="dialog-buttons"):
                yield Button("Book (ctrl+s)", variant="primary", compact=True, id="book-submit")
                yield Button("Cancel (esc)", compact=True, id="book-cancel")
        yield Footer()

    def on_mount(self) -> None:
        # One line like the other fields, not a bordered box.
        self.query_one("#book-host", PersonPicker).query_one(Input).compact = True
        if self.initial_clashes:
            self._show_clashes(self.initial_clashes, self.start, self.end)
        self.query_one("#book-title", Input).focus()
        self._check_later(immediately=True)

    # ----------------------------------------------------------------- live clash check

    @on(Input.Changed, "#book-start, #book-end")
    @on(Select.Changed, "#book-room")
    def _where_or_when_changed(self) -> None:
        self._check_later()

    @work(exclusive=True, group="book-room-check", exit_on_error=False, name="check-room")
    async def _check_later(self, immediately: bool = False) -> None:
        if not immediately:
            await asyncio.sleep(0.3)  # only the last keystroke's check runs
        try:
            room_id, start, end = self._read_where_and_when()
        except InvalidInputError:
            return  # half-typed; the submit says what is wrong
        if (room_id, start, end) == self._checked:
            return
        # The whole day is asked, not just the range: free/busy clips blocks to the window
        # asked, and the operator needs each clash's real start and end to move around it.
        day_start, day_end = local_day_window(self.day, self.tz)
        results = await self.app.session.board.free_busy(min(day_start, start), max(day_end, end), [room_id])
        room = self.app.catalog.room(room_id) if self.app.catalog is not None else None
        found = next((a for a in results if a.room_id == room_id or (room is not None and a.email.lower() == room.email.lower())), None)
        if found is None or found.error:
            return  # a check that could not run proves nothing; the booking checks again
        clashes = sorted((b for b in found.blocks if b.status != "free" and b.start < end and start < b.end),
                         key=lambda b: (b.start, b.end))
        if room is not None and any(b.title is None and not b.private for b in clashes):
            # Free/busy may not say what is in the way (PlaceOS's never does): the room's calendar names it.
            clashes = await self.app.session.booking.complete_blocks(room, clashes, start, end)
        self._checked = (room_id, start, end)
        if clashes:
            self._show_clashes(clashes, start, end)
        elif self._problem_is_clash:
            self.query_one("#book-problem", ClashList).clear()
            self._problem_is_clash = False

    def _show_clashes(self, clashes: list[Any], start: datetime, end: datetime) -> None:
        room = self.app.catalog.room(self.room_value() or self.room_id) if self.app.catalog is not None else None
        name = room.name if room is not None else "The room"
        message = f"{name} is not free {clock_span(start, end, self.tz)}; change the times or the room"
        self.query_one("#book-problem", ClashList).show_items(message, clashes, self.tz, reference=start)
        self._problem_is_clash = True

    # ----------------------------------------------------------------- reading the form

    def room_value(self) -> str | None:
        value: Any = self.query_one("#book-room", Select).value
        return value if isinstance(value, str) else None

    def _read_where_and_when(self) -> tuple[str, datetime, datetime]:
        room_id = self.room_value()
        if room_id is None:
            raise InvalidInputError("pick a room to book", field="room")
        start_clock = parse_clock(self.query_one("#book-start", Input).value, "start", "the start")
        if start_clock is None:
            raise InvalidInputError("the start must be before 24:00", field="start")
        end_clock = parse_clock(self.query_one("#book-end", Input).value, "end", "the end")
        start, end = on_day(self.day, start_clock, self.tz), on_day(self.day, end_clock, self.tz)
        if end <= start:
            raise InvalidInputError(f"the end ({end:%H:%M}) must be after the start ({start:%H:%M})", field="end")
        return room_id, start, end

    def read_request(self) -> RoomRequest:
        """The form's values, checked; raises ``InvalidInputError`` naming the field."""
        room_id, start, end = self._read_where_and_when()
        title = self.query_one("#book-title", Input).value.strip() or DEFAULT_TITLE
        picker = self.query_one("#book-host", PersonPicker)
        typed = picker.query_one(Input).value.strip()
        host = picker.email
        if typed and not host:
            raise InvalidInputError(
                f"host {typed!r} is not picked: type part of a name and press Enter on the match, "
                "type their email, or leave it empty",
                field="host",
            )
        if not host:
            room = self.app.catalog.room(room_id) if self.app.catalog is not None else None
            host = room.email if room is not None else room_id  # no host: the room books itself
        attendees = parse_attendees(self.query_one("#book-attendees", Input).value)
        private = self.query_one("#book-private", Checkbox).value
        return RoomRequest(room_id, start, end, title, host, attendees, private)

    def _focus_field(self, field: str | None) -> None:
        targets = {
            "room": "#book-room",
            "room_id": "#book-room",
            "start": "#book-start",
            "end": "#book-end",
            "host": "#book-host",
            "attendees": "#book-attendees",
            "title": "#book-title",
        }
        selector = targets.get(field or "")
        if selector:
            self.query_one(selector).focus()

    # ----------------------------------------------------------------- submit

    @on(Input.Submitted)
    def _enter_pressed(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    @on(PersonPicker.Chosen)
    def _host_chosen(self, event: PersonPicker.Chosen) -> None:
        if event.picker.id == "book-host":
            self.query_one("#book-attendees", Input).focus()

    def action_ignore(self) -> None:
        """Swallows a key that would open another dialog over this one."""

    def action_submit(self) -> None:
        problem = self.query_one("#book-problem", ClashList)
        try:
            request = self.read_request()
        except InvalidInputError as exc:
            problem.show_error(exc, self.tz)
            self._problem_is_clash = False
            self._focus_field(exc.field)
            return
        self._book(request)

    @work(exclusive=True, group="book-room-submit", exit_on_error=False, name="book-room")
    async def _book(self, request: RoomRequest) -> None:
        session = self.app.session
        try:
            event = await session.booking.book_room(
                request.room_id,
                request.start,
                request.end,
                title=request.title,
                host=request.host,
                attendees=request.attendees,
                private=request.private,
                idempotency_key=self.idempotency_key,
            )
        except Exception as exc:
            # Shown here with what is in the way; the app's toast says it too. Every field
            # keeps its value so the operator changes one thing and tries again.
            self.query_one("#book-problem", ClashList).show_error(exc, self.tz, reference=request.start)
            self._problem_is_clash = isinstance(exc, ConflictError)
            self._checked = None
            if isinstance(exc, REFUSALS):
                self.idempotency_key = f"staffterm-book-{uuid.uuid4().hex}"
            if isinstance(exc, InvalidInputError):
                self._focus_field(exc.field)
            raise
        room = self.app.catalog.room(request.room_id) if self.app.catalog is not None else None
        name = room.name if room is not None else request.room_id
        span = clock_span(request.start, request.end, self.tz)
        self.app.notify(f"Booked {name} {span}", markup=False)
        self.app.note_write()
        self.dismiss(event)
