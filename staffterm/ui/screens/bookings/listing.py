"""The bookings list of a day in the building: the filters (type, level, state, text), the table
with its names, the summary line, and the day shown. ``BookingsScreen`` (``screen``) adds
creating a booking and the actions on the highlighted one.
"""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Input, Select, Static

from staffterm.capabilities import Capability
from staffterm.errors import StafftermError
from staffterm.models import Booking
from staffterm.ui.messages import SessionFailed
from staffterm.ui.screens.base import StafftermScreen
from staffterm.ui.screens.bookings.rows import (
    COLUMNS,
    STATE_OPTIONS,
    TYPE_OPTIONS,
    BookingFilter,
    booking_cells,
    summary,
)
from staffterm.ui.widgets.status_header import StatusHeader
from staffterm.ui.widgets.table_keys import highlighted_key


def _same_cell(old: object, new: Text) -> bool:
    # Text equality ignores the base style, and a state's colour may be all that changed.
    return isinstance(old, Text) and old.plain == new.plain and old.style == new.style and old.spans == new.spans


class BookingTable(DataTable):
    """The list; Enter opens the highlighted booking's details (shown in the footer)."""

    BINDINGS = [Binding("enter", "select_cursor", "Details", id="bookings-details")]


WHOLE_BUILDING = "__building__"
class BookingList(StafftermScreen):
    """The list half of the bookings screen; creating and acting on a booking are ``BookingsScreen``'s."""

    def __init__(self) -> None:
        super().__init__()
        self.day: date | None = None
        # Showing today follows the building's today across midnight; another day stays put.
        self.on_today = True
        self.filter = BookingFilter()
        self.bookings: dict[str, Booking] = {}
        self.names: dict[str, str] = {}
        # Set while the desk-names lookup fails: said under the table, the bookings still show.
        self.names_notice: str | None = None
        self._levels_for: str | None = None

    # ----------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield StatusHeader(self.SCREEN_TITLE)
        with Horizontal(id="bookings-filters"):
            yield Select(TYPE_OPTIONS, value="all", allow_blank=False, compact=True, id="filter-type")
            yield Select([("Whole building", WHOLE_BUILDING)], value=WHOLE_BUILDING, allow_blank=False,
                         compact=True, id="filter-level")
            yield Select(STATE_OPTIONS, value="all", allow_blank=False, compact=True, id="filter-state")
            yield Input(placeholder="search person, asset, id", compact=True, id="filter-text")
            yield Static("", id="bookings-day")
        table = BookingTable(id="bookings-table", cursor_type="row", zebra_stripes=True)
        for key, label, width in COLUMNS:
            table.add_column(label, width=width, key=key)
        yield table
        yield Static(Text("Loading bookings…", style="dim italic"), id="booking-summary")
        yield Footer()


    def on_mount(self) -> None:
        self.query_one(BookingTable).focus()
        # State colours come from the theme: redraw the rows when it changes.
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._show())

    # ----------------------------------------------------------------- data

    def reload(self) -> None:
        if self.app.session is None:
            return
        if self.day is None or self.on_today:
            self.day = self.app.building_today()
        self._sync_levels()
        self._show_day()
        self.load_bookings()

    @on(SessionFailed)
    def _session_failed(self, event: SessionFailed) -> None:
        self.query_one("#booking-summary", Static).update(Text.assemble(("Not connected: ", "bold"), event.reason))

    def _sync_levels(self) -> None:
        """The level choices follow the building in view."""
        building = self.app.building_id
        if building == self._levels_for or self.app.catalog is None:
            return
        self._levels_for = building
        levels = self.app.catalog.levels(building) if building else []
        select = self.query_one("#filter-level", Select)
        with select.prevent(Select.Changed):
            select.set_options([("Whole building", WHOLE_BUILDING)] + [(z.name, z.id) for z in levels])
            select.value = WHOLE_BUILDING
        self.filter = BookingFilter(self.filter.type, None, self.filter.state, self.filter.text)

    def _zone(self) -> str | None:
        return self.filter.zone_id or self.app.building_id

    @work(exclusive=True, group="bookings-load", exit_on_error=False, name="load-bookings")
    async def load_bookings(self, select: str | None = None) -> None:
        session = self.app.session
        table = self.query_one(BookingTable)
        if not session.supports(Capability.BOOKINGS):
            table.clear()
            self._set_summary(Text(f"The {session.provider} backend has no desk or asset bookings.", style="dim"))
            self.mark_loaded()
            return
        day, tz = self.day, self.app.building_tz
        query = BookingFilter(self.filter.type, self._zone(), self.filter.state).query(day, tz)
        bookings = await session.bookings.query(query)
        # The bookings show at once with the names already known (rooms, last load's desks):
        # the names lookup is a second round trip that may be slow or missing, and must not
        # hold the list back or blank it.
        self.names = {**self.names, **self._room_names()}
        self.bookings = {b.id: b for b in bookings}
        self._show(select)
        self.mark_loaded()
        await self._load_asset_names()

    def _room_names(self) -> dict[str, str]:
        catalog = self.app.catalog
        return {r.id: r.name for r in catalog.rooms} if catalog is not None else {}

    async def _load_asset_names(self) -> None:
        """Desk names from the backend: a courtesy. Any failure (PlaceOS without the metadata
        route: 404; a timeout; an outage) leaves ids where names are unknown and says so once."""
        try:
            # None: a backend or account that will not list assets: ids, quietly, as always.
            assets = await self.app.session.bookings.assets(zone_id=self.app.building_id) or []
        except StafftermError as exc:
            self._names_failed(exc)
            return
        self.names_notice = None
        self.names = {**self.names, **{a.id: a.name for a in assets}}
        self._show()

    def _names_failed(self, error: StafftermError) -> None:
        notice = "desk names could not be read; ids are shown"
        if self.names_notice is None:
            # Announced when it starts, not on every refresh while it lasts.
            self.app.notify(f"Bookings are shown, but {notice} ({error.message}).",
                            title="Desk names", severity="warning", markup=False, timeout=10)
        self.names_notice = notice
        self._refresh_summary()

    def _show(self, select: str | None = None) -> None:
        """Diff the table against the bookings by row key: the cursor and scroll stay put."""
        table = self.query_one(BookingTable)
        day, tz = self.day or self.app.building_today(), self.app.building_tz
        visible = [b for b in self.bookings.values() if self.filter.accepts(b, self.names)]
        wanted = {b.id for b in visible}
        keep = select if select in wanted else self.current_id
        for row_key in list(table.rows):
            if row_key.value not in wanted:
                table.remove_row(row_key)
        for b in visible:
            cells = booking_cells(b, tz, day, self.names, self.app)
            if b.id in table.rows:
                current = table.get_row(b.id)
                for (key, _, _), old in zip(COLUMNS, current, strict=True):
                    if not _same_cell(old, cells[key]):
                        table.update_cell(b.id, key, cells[key])
            else:
                table.add_row(*(cells[key] for key, _, _ in COLUMNS), key=b.id)
        order = {b.id: i for i, b in enumerate(visible)}
        table.sort("id", key=lambda cell: order.get(str(cell), len(order)))
        if keep in wanted:
            table.move_cursor(row=table.get_row_index(keep), scroll=keep == select)
        self._refresh_summary()

    def _show_day(self) -> None:
        if self.day is None:
            return
        today = self.app.building_today()
        label = f"{self.day:%a %d %b}"
        if self.day == today:
            label += " (today)"
        self.query_one("#bookings-day", Static).update(label)

    # ----------------------------------------------------------------- selection

    @property
    def current_id(self) -> str | None:
        tables = self.query(BookingTable)
        return highlighted_key(tables.first() if tables else None)

    @property
    def current(self) -> Booking | None:
        booking_id = self.current_id
        return self.bookings.get(booking_id) if booking_id else None

    @on(DataTable.RowHighlighted, "#bookings-table")
    def _highlighted(self) -> None:
        self._refresh_summary()

    def _refresh_summary(self) -> None:
        booking = self.current
        if booking is None:
            day = f"{self.day:%a %d %b}" if self.day else "today"
            text = Text(f"No bookings for {day} match the filters. c books one.", style="dim")
            if self.names_notice:
                text.append(f"\n{self.names_notice.capitalize()}.", style="italic")
            self._set_summary(text)
        else:
            self._set_summary(summary(booking, self.app.building_tz, self.day or self.app.building_today(), self.names,
                                      notice=self.names_notice))
        self.refresh_bindings()

    def _set_summary(self, text: Text) -> None:
        self.query_one("#booking-summary", Static).update(text)

    @on(DataTable.RowSelected, "#bookings-table")
    def _selected(self) -> None:
        self.action_details()

    def action_details(self) -> None:
        booking = self.current
        if booking is None:
            return
        from staffterm.ui.dialogs.booking_detail import BookingDetailModal

        self.app.push_screen(BookingDetailModal(booking, self.app.building_tz, self.names))

    # ----------------------------------------------------------------- filters and days

    @on(Select.Changed, "#bookings-filters Select")
    @on(Input.Changed, "#filter-text")
    def _filters_changed(self) -> None:
        kind = self.query_one("#filter-type", Select).value
        level = self.query_one("#filter-level", Select).value
        state = self.query_one("#filter-state", Select).value
        text = self.query_one("#filter-text", Input).value
        new = BookingFilter(
            kind if isinstance(kind, str) else "all",
            level if isinstance(level, str) and level != WHOLE_BUILDING else None,
            state if isinstance(state, str) else "all",
            text,
        )
        if new == self.filter:
            return
        refetch = (new.type, new.zone_id, new.needs_deleted) != (
            self.filter.type, self.filter.zone_id, self.filter.needs_deleted
        )
        self.filter = new
        if refetch and self.app.session is not None:
            self.load_bookings()
        else:
            self._show()

    @on(Input.Submitted, "#filter-text")
    def _search_done(self) -> None:
        self.action_focus_table()

    def action_focus_filters(self) -> None:
        self.query_one("#filter-text", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one(BookingTable).focus()

    def action_day(self, step: int) -> None:
        if self.day is None or self.app.session is None:
            return
        self.day = self.day + timedelta(days=step)
        self.on_today = self.day == self.app.building_today()
        self._show_day()
        self.load_bookings()

    def action_today(self) -> None:
        if self.app.session is None:
            return
        self.day = self.app.building_today()
        self.on_today = True
        self._show_day()
        self.load_bookings()
