"""Admin · Events: any calendar's events for a period, cancelled ones too if asked.

The calendar is a room (chosen from the estate) or a person (found by name, or a typed email);
a filled-in person wins, and choosing a room clears it. Times are shown in the room's building
zone, or the current building's zone for a person's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Checkbox, DataTable, Input, Label, Select, Static

from staffterm.capabilities import Capability
from staffterm.errors import InvalidInputError, StafftermError
from staffterm.ui.screens.admin.pane import AdminPane, fit_columns, theme_style
from staffterm.ui.screens.admin.period import default_period, period_window
from staffterm.ui.widgets.person_picker import PersonPicker


def event_columns(width: int) -> list[tuple[str, str, int | None]]:
    """The table's columns; the title takes what the others leave (see ``fit_columns``)."""
    return [
        ("day", "Day", 10),
        ("time", "Time", 11),
        ("title", "Title", None),
        ("host", "Host", 18 if width >= 110 else 14),
        ("status", "Status", 9),
    ]


@dataclass(frozen=True)
class EventsQuery:
    calendar_id: str
    label: str  # the calendar as the operator knows it: a room's name or a person's email
    tz: tzinfo
    first: date
    last: date
    start: datetime
    end: datetime
    include_cancelled: bool


class EventsPane(AdminPane):
    CAPABILITY = Capability.EVENTS
    DEFAULT_CSS = """
    EventsPane #events-calendar, EventsPane #events-period {
        height: auto;
        padding: 0 1;
    }
    EventsPane #events-room {
        width: 1fr;
        max-width: 40;
        margin-right: 2;
    }
    EventsPane #events-person {
        width: 1fr;
    }
    EventsPane #events-person Input {
        border: none;
        height: 1;
        padding: 0 1;
    }
    EventsPane #events-period Input {
        width: 14;
        margin-right: 1;
    }
    EventsPane .events-label {
        width: auto;
        margin-right: 1;
        color: $text-muted;
    }
    EventsPane #events-period Checkbox {
        border: none;
        height: 1;
        padding: 0 1;
        margin-right: 2;
    }
    EventsPane #events-summary {
        height: 1;
        padding: 0 1;
        margin-top: 1;
    }
    EventsPane #events-table {
        height: 1fr;
    }
    """
    BINDINGS = [
        Binding("s", "show_events", "Show events", id="admin-events-show"),
        Binding("f", "focus_form", "Calendar", id="admin-events-form"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.events: list[Any] = []
        self.query_shown: EventsQuery | None = None
        self._rooms_listed = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="events-calendar"):
            yield Select([], prompt="room", id="events-room", compact=True)
            yield PersonPicker(placeholder="or a person: name or email", id="events-person")
        with Horizontal(id="events-period"):
            yield Label("From", classes="events-label")
            yield Input(placeholder="YYYY-MM-DD", id="events-from", compact=True)
            yield Label("to", classes="events-label")
            yield Input(placeholder="YYYY-MM-DD", id="events-to", compact=True)
            yield Checkbox("cancelled too", id="events-cancelled")
            yield Button("Show  s", id="events-show", compact=True)
        yield Static("", id="events-summary")
        yield DataTable(id="events-table", cursor_type="row", zebra_stripes=True)

    def focus_first(self) -> None:
        self.query_one("#events-room", Select).focus()

    def action_focus_form(self) -> None:
        self.focus_first()

    # ----------------------------------------------------------------- the form

    def _prepare_form(self) -> None:
        """Rooms to choose from and the default period, once the estate is known."""
        catalog = self.app.catalog
        if self._rooms_listed or catalog is None:
            return
        select = self.query_one("#events-room", Select)
        options: list[tuple[str, str]] = []
        for building in catalog.buildings:
            short = building.name.split(" — ")[0]
            for room in sorted(catalog.rooms_in(building.id), key=lambda r: r.name.lower()):
                options.append((f"{room.name} · {short}", room.id))
        known = {room_id for _, room_id in options}
        options += [(room.name, room.id) for room in sorted(catalog.rooms, key=lambda r: r.name.lower()) if room.id not in known]
        select.set_options(options)
        here = sorted(catalog.rooms_in(self.app.building_id), key=lambda r: r.name.lower()) if self.app.building_id else []
        if here:
            with select.prevent(Select.Changed):
                select.value = here[0].id
        start, end = default_period(self.app.building_tz, self.app.now())
        for field_id, value in (("#events-from", start), ("#events-to", end)):
            field = self.query_one(field_id, Input)
            if not field.value:
                field.value = value
        self._rooms_listed = True

    @on(Select.Changed, "#events-room")
    def _room_chosen(self, event: Select.Changed) -> None:
        if event.value is Select.NULL:
            return
        picker = self.query_one("#events-person", PersonPicker)
        field = picker.query_one(Input)
        if field.value:
            picker.user = None
            field.value = ""  # a room was chosen: the person typed before no longer applies
        self.action_show_events()

    @on(PersonPicker.Chosen)
    def _person_chosen(self) -> None:
        self.query_one("#events-room", Select).clear()
        self.action_show_events()

    @on(Input.Submitted, "#events-period Input, #events-person Input")
    @on(Button.Pressed, "#events-show")
    def _submitted(self) -> None:
        self.action_show_events()

    @on(Checkbox.Changed, "#events-cancelled")
    def _cancelled_toggled(self) -> None:
        if self.query_shown is not None:
            self.action_show_events()

    def read_query(self) -> EventsQuery:
        """The form as a query; ``InvalidInputError`` says what to fix (and nothing is cleared)."""
        catalog = self.app.catalog
        picker = self.query_one("#events-person", PersonPicker)
        typed = picker.query_one(Input).value.strip()
        select = self.query_one("#events-room", Select)
        if typed:
            email = picker.email
            if not email:
                raise InvalidInputError(
                    f"{typed!r} is not a person yet: pick them from the list under the field, or type their full email",
                    field="person",
                )
            calendar_id, label, tz = email, email, self.app.building_tz
        elif not select.is_blank():
            room = catalog.room(str(select.value)) if catalog is not None else None
            if room is None:
                raise InvalidInputError(f"the room {select.value!r} is not on this site any more", field="room")
            short = catalog.building_for(room)
            where = f" ({short.name.split(' — ')[0]})" if short is not None else ""
            calendar_id, label, tz = room.id, f"{room.name}{where}", catalog.tz(room)
        else:
            raise InvalidInputError("choose a room, or type a person's name or email, to see their calendar", field="calendar")
        first, last, start, end = period_window(
            self.query_one("#events-from", Input).value, self.query_one("#events-to", Input).value, tz, self.app.now()
        )
        include = self.query_one("#events-cancelled", Checkbox).value
        return EventsQuery(calendar_id, label, tz, first, last, start, end, include)

    def action_show_events(self) -> None:
        if self.app.session is None:
            return
        try:
            query = self.read_query()
        except InvalidInputError as exc:
            self._say(Content.assemble(("Cannot show events: ", "bold $text-error"), str(exc)))
            self.app.notify(str(exc), title="Events", severity="error", markup=False)
            return
        self._load_events(query)

    def _say(self, content: Content | str) -> None:
        self.query_one("#events-summary", Static).update(content)

    # ----------------------------------------------------------------- loading

    def load(self) -> None:
        self._prepare_form()
        if self.query_shown is not None:
            # A refresh reloads what is shown, not what is half-typed in the form.
            self._load_events(self.query_shown)
        elif not self.query_one("#events-room", Select).is_blank():
            self.action_show_events()
        else:
            self.loaded()

    @work(exclusive=True, group="admin-events", exit_on_error=False, name="load-events")
    async def _load_events(self, query: EventsQuery) -> None:
        self._say(Content.styled(f"Loading {query.label}…", "italic"))
        try:
            events = await self.app.session.meetings.events(
                query.calendar_id, query.start, query.end, include_cancelled=query.include_cancelled
            )
        except StafftermError as exc:
            self._say(Content.assemble(("Cannot show events: ", "bold $text-error"), str(exc)))
            raise
        self.events = sorted(events, key=lambda e: (e.start, e.end, e.title))
        self.query_shown = query
        self._fill()
        self.loaded()

    def _fill(self) -> None:
        query = self.query_shown
        if query is None:
            return
        table = self.query_one("#events-table", DataTable)
        width = table.size.width or self.size.width or 80
        fit_columns(table, event_columns(width), width)
        table.clear()
        for event in self.events:
            table.add_row(*self._cells(event, query.tz), key=event.id)
        cancelled = sum(1 for e in self.events if e.status.value == "cancelled")
        count = f"{len(self.events)} event" + ("" if len(self.events) == 1 else "s")
        days = f"{query.first:%a %d %b}" if query.first == query.last else f"{query.first:%a %d %b} – {query.last:%a %d %b}"
        parts: list[Any] = [(count, "bold"), " · ", (query.label, "bold"), f" · {days} · times in {query.tz}"]
        if query.include_cancelled:
            parts.append(f" · {cancelled} cancelled")
        self._say(Content.assemble(*parts))

    def _cells(self, event: Any, tz: tzinfo) -> list[Text]:
        cancelled = event.status.value == "cancelled"
        dim = "dim" if cancelled else ""
        start, end = event.start.astimezone(tz), event.end.astimezone(tz)
        if event.all_day:
            when = "all day"
        elif start.date() == end.date():
            when = f"{start:%H:%M}–{end:%H:%M}"
        else:
            when = f"{start:%H:%M}–{end:%d %b %H:%M}"
        title = event.display_title() + ("  (private)" if event.private else "")
        host = next((a.name for a in event.attendees if a.email == event.host.lower() and a.name), "") or event.host
        status_style = {
            "cancelled": "dim",
            "tentative": theme_style(self.app, "warning", bold=True),
        }.get(event.status.value, theme_style(self.app, "success"))
        return [
            Text(f"{start:%a %d %b}", style=dim),
            Text(when, style=dim),
            Text(title, style=dim + (" strike" if cancelled else ""), no_wrap=True, overflow="ellipsis"),
            Text(host, style=dim, no_wrap=True, overflow="ellipsis"),
            Text(event.status.value, style=status_style),
        ]

    def repaint_cells(self) -> None:
        if self.query_shown is not None and self.is_mounted:
            self._fill()

    def show_calendar(self, calendar: str) -> None:
        """Show ``calendar`` (a room id/email or a person's email) for the period in the form."""
        self._prepare_form()
        catalog = self.app.catalog
        room = catalog.room(calendar) if catalog is not None else None
        if room is not None:
            select = self.query_one("#events-room", Select)
            if select.value == room.id:
                self.action_show_events()
            else:
                select.value = room.id  # its Changed handler shows the events
            return
        picker = self.query_one("#events-person", PersonPicker)
        picker.user = None  # the typed address is the calendar, not whoever was picked before
        field = picker.query_one(Input)
        with field.prevent(Input.Changed):
            field.value = calendar
        self.query_one("#events-room", Select).clear()
        self.action_show_events()

