"""The guest list of the reception screen: the day's guests loaded for the building, the search
box that filters them as you type, the detail panel of the highlighted guest, and the day shown.

``GuestsScreen`` (``screen``) adds the keys and the workers that act on a guest.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical
from textual.widgets import DataTable, Footer, Input, Label, Static

from staffterm.capabilities import Capability
from staffterm.ui.messages import SessionFailed
from staffterm.ui.screens.base import StafftermScreen
from staffterm.ui.screens.guests.rows import (
    ARRIVED,
    GuestRow,
    best_match,
    day_label,
    day_summary,
    guest_details,
    matches,
    pass_caption,
    visit_status,
)
from staffterm.ui.screens.guests.table import GuestTable
from staffterm.ui.widgets.qr_view import QrView
from staffterm.ui.widgets.status_header import StatusHeader


class GuestSearch(Input):
    """The search box. ``[`` and ``]`` change the day even while it has the focus: no name,
    email or company is searched by a bracket, and the operator need not leave the box."""

    DAY_KEYS = frozenset("[]")

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character not in self.DAY_KEYS and super().check_consume_key(key, character)


class GuestList(StafftermScreen):
    """The list half of the reception screen; its keys and dialogs are ``GuestsScreen``'s."""

    def __init__(self) -> None:
        super().__init__()
        self.day: date | None = None  # None: today in the building's zone, whatever day that is
        self.guests: list[Any] = []
        self.passes: dict[str, str] = {}  # guest id -> pass payload, once known this session
        self._in_flight: set[str] = set()
        self._loaded = False
        self._pending_cursor: str | None = None  # a guest to highlight once the next load lands
        self._in_dialog = False

    def compose(self) -> ComposeResult:
        yield StatusHeader(self.SCREEN_TITLE)
        with Horizontal(id="guests-bar"):
            yield Label("Search")
            yield GuestSearch(placeholder="name, email, company or host", id="guest-search", compact=True, select_on_focus=False)
            yield Static("", id="guests-day")
        with Container(id="guests-body"):
            yield GuestTable(id="guests-table")
            with Vertical(id="guest-detail"):
                yield Static(Text("Loading guests…", style="dim italic"), id="guest-info")
                yield QrView(id="guest-qr")
                yield Static("", id="guest-payload")
        yield Footer()

    def on_mount(self) -> None:
        self.search_box.focus()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self._in_dialog:
            self._in_dialog = False  # back from a dialog: Textual restores the focus it had
        else:
            self.search_box.focus()  # arriving from another screen: ready to type a name

    def _open_dialog(self, dialog: Any, callback: Any = None) -> None:
        self._in_dialog = True
        self.app.push_screen(dialog, callback)

    # ----------------------------------------------------------------- parts

    @property
    def search_box(self) -> Input:
        return self.query_one("#guest-search", Input)

    @property
    def table(self) -> GuestTable:
        return self.query_one("#guests-table", GuestTable)

    @property
    def shown_day(self) -> date:
        return self.day or self.app.building_today()

    @property
    def highlighted(self) -> Any | None:
        key = self.table.highlighted_key
        return next((g for g in self.guests if g.id == key), None)

    def _tz(self):
        return self.app.building_tz

    # ----------------------------------------------------------------- loading

    def reload(self) -> None:
        if self.app.session is not None and self.app.building_id is not None:
            self.load_guests()

    @on(SessionFailed)
    def _session_failed(self, event: SessionFailed) -> None:
        info = self.query_one("#guest-info", Static)
        info.update(Text(f"Not connected: {event.reason}"))
        info.add_class("-failed")

    @work(exclusive=True, group="guests-load", exit_on_error=False, name="load-guests")
    async def load_guests(self) -> None:
        session = self.app.session
        if not session.supports(Capability.GUESTS):
            # A backend with no visitor register (Microsoft 365): said here, not as an error.
            text = f"The {session.provider} backend keeps no visitor register."
            self.query_one("#guest-info", Static).update(Text(text, style="dim"))
            self.mark_loaded()
            return
        day = self.day
        guests = await self.app.session.reception.expected_today(self.app.building_id, day=self.shown_day)
        if day != self.day:
            return  # the operator moved to another day while this one loaded
        self.guests = guests
        self._loaded = True
        self.query_one("#guest-info", Static).remove_class("-failed")
        cursor, self._pending_cursor = self._pending_cursor, None
        self.show_guests(cursor=cursor)
        self.mark_loaded()

    def show_guests(self, *, cursor: str | None = None) -> None:
        """Put the visible guests in the table (diffed by row key) and refresh the side panel."""
        query = self.search_box.value
        visible = [g for g in self.guests if matches(g, query)] if query.strip() else list(self.guests)
        now, tz = self.app.now(), self._tz()
        self.table.show([GuestRow.of(g, now, tz) for g in visible], cursor=cursor)
        self._show_day_line()
        self.show_detail()

    def _show_day_line(self) -> None:
        today = self.app.building_today()
        line = Text(day_label(self.shown_day, today))
        if self._loaded:
            line.append("   " + day_summary(self.guests, self.app.now(), self._tz()))
        self.query_one("#guests-day", Static).update(line)

    def show_detail(self) -> None:
        info = self.query_one("#guest-info", Static)
        qr = self.query_one("#guest-qr", QrView)
        payload_line = self.query_one("#guest-payload", Static)
        guest = self.highlighted
        if guest is None:
            qr.clear()
            payload_line.update("")
            if not self._loaded:
                return
            if self.guests:
                info.update(Text("No guest matches the search.\nEnter registers it as a walk-in.", style="dim"))
            else:
                info.update(Text(f"No guests on {self.shown_day:%a %d %b}.\nw registers a walk-in.", style="dim"))
            return
        now, tz = self.app.now(), self._tz()
        status = visit_status(guest, now, tz)
        style = self.table.status_style(status.kind)
        payload = self.passes.get(guest.id, "") if status.kind == ARRIVED else ""
        # With a pass, a short caption keeps the code near the top, clear of notifications.
        info.update(pass_caption(guest, now, tz, style) if payload else guest_details(guest, now, tz, style))
        qr.show_payload(payload)
        payload_line.update(Text(payload) if payload else "")

    @on(DataTable.RowHighlighted, "#guests-table")
    def _row_highlighted(self) -> None:
        self.show_detail()

    # ----------------------------------------------------------------- search and cursor

    @on(Input.Changed, "#guest-search")
    def _search_changed(self, event: Input.Changed) -> None:
        visible = [g for g in self.guests if matches(g, event.value)]
        cursor = visible[best_match(visible, event.value)].id if visible and event.value.strip() else None
        self.show_guests(cursor=cursor)

    def action_clear_search(self) -> None:
        if self.search_box.value:
            self.search_box.value = ""
        self.search_box.focus()

    def action_focus_search(self) -> None:
        self.search_box.focus()

    def action_move_cursor(self, step: int) -> None:
        table = self.table
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def on_key(self, event: events.Key) -> None:
        # Typing in the list goes back to the search box, so no letter is lost or misread.
        if (
            self.focused is self.table
            and event.is_printable
            and event.character
            and event.key not in self.active_bindings
        ):
            event.stop()
            event.prevent_default()
            box = self.search_box
            box.focus()
            box.insert_text_at_cursor(event.character)

    def action_move_day(self, step: int) -> None:
        self.go_to_day(self.shown_day + timedelta(days=step))

    def go_to_day(self, target: date | None) -> None:
        """Show ``target``'s guests (None or the building's today: follow today)."""
        self.day = None if target is None or target == self.app.building_today() else target
        self.guests = []
        self._loaded = False
        self.table.show([])
        self.query_one("#guest-info", Static).update(Text("Loading guests…", style="dim italic"))
        self._show_day_line()
        self.reload()
