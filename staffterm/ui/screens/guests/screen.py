"""Reception's main screen: the day's guests for the building, search as you type, check in with
Enter (host told by mail, QR pass shown), check out, walk-ins, passes and the visitor log.

The search box keeps the focus: typing filters, Up/Down move the list's cursor, Enter checks the
highlighted guest in (or, when no one matches, registers the typed name as a walk-in). The
single-letter keys act on the list (Tab goes there; typing a letter there comes back to search).

Over 400 lines: the reception screen's keys and their workers. Rows, the table and files are
already apart (``rows``, ``table``, ``files``); the dialogs are in ``ui/dialogs``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.widgets import DataTable, Footer, Input, Label, Static

from staffterm.capabilities import Capability
from staffterm.errors import ConflictError, InvalidInputError, LimitReachedError, NotFoundError, PermissionDeniedError
from staffterm.ui.messages import SessionFailed
from staffterm.ui.screens.base import StafftermScreen
from staffterm.ui.screens.guests.rows import (
    ARRIVED,
    GuestRow,
    best_match,
    day_label,
    day_summary,
    display_name,
    guest_details,
    host_label,
    matches,
    pass_caption,
    visit_status,
)
from staffterm.ui.screens.guests.table import GuestTable
from staffterm.ui.widgets.qr_view import QrView
from staffterm.ui.widgets.status_header import StatusHeader

# Refusals are the operator's to read ("too early to check in…"); anything else (offline, auth)
# goes through the app's error routing, which also marks the connection state.
REFUSALS = (InvalidInputError, NotFoundError, ConflictError, PermissionDeniedError, LimitReachedError)


class GuestSearch(Input):
    """The search box. ``[`` and ``]`` change the day even while it has the focus: no name,
    email or company is searched by a bracket, and the operator need not leave the box."""

    DAY_KEYS = frozenset("[]")

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character not in self.DAY_KEYS and super().check_consume_key(key, character)


GUEST_ACTIONS = frozenset({"check_in", "check_out", "show_pass", "save_pass", "walk_in", "export"})


class GuestsScreen(StafftermScreen):
    SCREEN_TITLE = "Guests"
    HELP = """\
Today's guests for the building, in visit order, in the building's time zone.
Status: *expected*, *late* (start passed, not here yet), *arrived HH:MM*, *left HH:MM*, *missed*.

- Type to **search** by name, email, company or host; **Up/Down** move the highlight; **Enter**
  checks the highlighted guest in, mails the host and shows the QR pass. When no one matches,
  Enter registers what you typed as a walk-in. **Escape** clears the search.
- **Tab** moves to the list, where **o** checks out, **p** shows the pass full size, **s** saves
  it as SVG + PNG, **w** registers a walk-in and **x** exports the day's visitor log as CSV.
  Typing a letter in the list goes back to the search.
- **[** and **]** show the day before / after (the visitor log of past days).
"""
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    DEFAULT_CSS = """
    #guests-bar {
        height: 1;
        padding: 0 1;
        margin: 1 0;
    }
    #guests-bar > Label {
        width: auto;
        padding-right: 1;
        text-style: bold;
    }
    #guest-search {
        width: 1fr;
        max-width: 60;
        background: $boost;
    }
    #guest-search:focus {
        background: $primary 20%;
    }
    #guests-day {
        width: 1fr;
        text-align: right;
        color: $text-muted;
    }
    #guests-body {
        height: 1fr;
        layout: horizontal;
    }
    #guests-table {
        width: 1fr;
        height: 1fr;
    }
    #guest-detail {
        width: 48;
        scrollbar-size-vertical: 1;
        height: 1fr;
        padding: 0 0 0 1;
        border-left: tall $primary 40%;
        overflow-y: auto;
    }
    #guest-payload {
        color: $text-muted;
    }
    #guest-info.-failed {
        color: $error;
    }
    GuestsScreen.-narrow #guests-body {
        layout: vertical;
    }
    GuestsScreen.-narrow #guests-table {
        width: 1fr;
        height: auto;
        max-height: 60%;
    }
    GuestsScreen.-narrow #guest-detail {
        width: 1fr;
        height: 1fr;
        border-left: none;
        border-top: hkey $primary 40%;
    }
    """
    BINDINGS = [
        Binding("enter", "check_in", "Check in", id="guests-check-in", priority=True),
        Binding("o", "check_out", "Check out", id="guests-check-out"),
        Binding("p", "show_pass", "Pass", id="guests-pass"),
        Binding("s", "save_pass", "Save pass", id="guests-save-pass"),
        Binding("w", "walk_in", "Walk-in", id="guests-walk-in"),
        Binding("x", "export", "Export CSV", id="guests-export"),
        Binding("left_square_bracket", "move_day(-1)", "Prev day", id="guests-day-back", priority=True),
        Binding("right_square_bracket", "move_day(1)", "Next day", id="guests-day-forward", priority=True),
        Binding("escape", "clear_search", "Clear", id="guests-clear-search"),
        Binding("down", "move_cursor(1)", "Next guest", show=False, id="guests-next"),
        Binding("up", "move_cursor(-1)", "Previous guest", show=False, id="guests-previous"),
        Binding("pagedown", "move_cursor(10)", "Page down", show=False, id="guests-page-down"),
        Binding("pageup", "move_cursor(-10)", "Page up", show=False, id="guests-page-up"),
        Binding("slash", "focus_search", "Search", show=False, id="guests-search"),
    ]

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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Without a visitor register the guest actions are hidden, not offered to fail."""
        session = getattr(self.app, "session", None)
        if action in GUEST_ACTIONS and session is not None and not session.supports(Capability.GUESTS):
            return None
        if action == "walk_in" and session is not None and not session.supports(Capability.GUEST_REGISTRATION):
            return None  # visitors come from meetings (Microsoft 365): none can be registered here
        return True

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

    # ----------------------------------------------------------------- check in / out

    def _target(self, verb: str) -> Any | None:
        guest = self.highlighted
        if guest is None:
            self.notify(f"No guest highlighted to {verb}.", severity="warning", timeout=3)
        return guest

    def action_check_in(self) -> None:
        guest = self.highlighted
        if guest is None:
            typed = self.search_box.value.strip()
            if typed and self._loaded and self.check_action("walk_in", ()):
                self.action_walk_in(prefill=typed)
            elif self._loaded:
                self.notify("No guest highlighted to check in.", severity="warning", timeout=3)
            return
        if guest.id in self._in_flight:
            return
        status = visit_status(guest, self.app.now(), self._tz())
        if status.kind == ARRIVED:
            self.notify(f"{display_name(guest)} is already checked in ({status.label}).", markup=False, timeout=4)
            if guest.id in self.passes:
                return
        self._in_flight.add(guest.id)
        self.check_in(guest)

    @work(group="guests-check-in", exit_on_error=False, name="check-in")
    async def check_in(self, guest: Any) -> None:
        # Not exclusive: checking in a second guest must not cancel the first one's check-in.
        try:
            result = await self.app.session.reception.check_in(guest.id)
        except REFUSALS as exc:
            self.notify(str(exc), title=f"{display_name(guest)} not checked in", severity="error", markup=False, timeout=8)
            return
        finally:
            self._in_flight.discard(guest.id)
        self.passes[guest.id] = result.qr_payload
        self._replace(result.guest)
        self._report_check_in(result)

    def _report_check_in(self, result: Any) -> None:
        self.note_write()  # the visit's booking changed too: Bookings reloads when next shown
        name, host = display_name(result.guest), host_label(result.guest)
        if result.already_checked_in:
            return
        if result.notification_error:
            self.notify(f"Checked in {name}, but {host} was not told: {result.notification_error}",
                        title="Host not notified", severity="warning", markup=False, timeout=10)
        elif result.notified_by:
            self.notify(f"Checked in {name} — {result.notified_by_label} tells {host}", markup=False)
        else:
            self.notify(f"Checked in {name} — {host} notified", markup=False)

    def action_check_out(self) -> None:
        guest = self._target("check out")
        if guest is None or guest.id in self._in_flight:
            return
        if not guest.checked_in:
            self.notify(f"{display_name(guest)} is not checked in, so cannot be checked out.",
                        severity="warning", markup=False, timeout=4)
            return
        self._in_flight.add(guest.id)
        self.check_out(guest)

    @work(group="guests-check-out", exit_on_error=False, name="check-out")
    async def check_out(self, guest: Any) -> None:
        try:
            updated = await self.app.session.reception.check_out(guest.id)
        except REFUSALS as exc:
            self.notify(str(exc), title=f"{display_name(guest)} not checked out", severity="error", markup=False, timeout=8)
            return
        finally:
            self._in_flight.discard(guest.id)
        self.passes.pop(guest.id, None)
        self._replace(updated)
        when = updated.checked_out_at.astimezone(self._tz()) if updated.checked_out_at else self.app.now()
        self.note_write()
        self.notify(f"Checked out {display_name(updated)} at {when:%H:%M}", markup=False)

    def _replace(self, guest: Any) -> None:
        self.guests = [guest if g.id == guest.id else g for g in self.guests]
        self.show_guests()

    # ----------------------------------------------------------------- passes

    def _arrived(self, verb: str) -> Any | None:
        guest = self._target(verb)
        if guest is None:
            return None
        if visit_status(guest, self.app.now(), self._tz()).kind != ARRIVED:
            self.notify(f"{display_name(guest)} has no pass: they are not checked in.",
                        severity="warning", markup=False, timeout=4)
            return None
        return guest

    def action_show_pass(self) -> None:
        guest = self._arrived("show the pass of")
        if guest is not None:
            self.open_pass(guest, save=False)

    def action_save_pass(self) -> None:
        guest = self._arrived("save the pass of")
        if guest is not None:
            self.open_pass(guest, save=True)

    @work(exclusive=True, group="guests-pass", exit_on_error=False, name="open-pass")
    async def open_pass(self, guest: Any, save: bool) -> None:
        payload = self.passes.get(guest.id)
        if payload is None:
            # Checked in before this session (a kiosk, another desk): asking again is the
            # idempotent "double tap" the service answers with the pass, without mailing the host.
            try:
                result = await self.app.session.reception.check_in(guest.id)
            except REFUSALS as exc:
                self.notify(str(exc), title="No pass", severity="error", markup=False, timeout=8)
                return
            payload = self.passes[guest.id] = result.qr_payload
            self._replace(result.guest)
            self._report_check_in(result)  # says so if the list was stale and this checked them in
            guest = result.guest
        if not payload:
            self.notify(f"No pass can be made for {display_name(guest)}.", severity="warning", markup=False)
            return
        from staffterm.ui.dialogs.guest_pass import PassScreen, SavePassScreen

        self._open_dialog(SavePassScreen(guest, payload) if save else PassScreen(guest, payload, self._tz()))

    # ----------------------------------------------------------------- walk-ins and export

    def action_walk_in(self, prefill: str = "") -> None:
        from staffterm.ui.dialogs.guest_walk_in import WalkInScreen

        building = self.app.catalog.zone(self.app.building_id) if self.app.catalog is not None else None
        if building is None:
            self.notify("Still loading the building…", timeout=3)
            return
        name, email = ("", prefill) if "@" in prefill else (prefill, "")
        self._open_dialog(
            WalkInScreen(zone_id=building.id, building_name=building.name, name=name, email=email), self._walk_in_done
        )

    def _walk_in_done(self, guest: Any | None) -> None:
        if guest is None:
            return
        self.notify(f"Registered {display_name(guest)} to see {host_label(guest)} — Enter checks them in",
                    markup=False)
        with self.search_box.prevent(Input.Changed):
            self.search_box.value = ""
        self.search_box.focus()
        if self.day is not None:  # a walk-in visits today: show today, with them highlighted
            self._pending_cursor = guest.id
            self.go_to_day(None)
            return
        self.guests = [*(g for g in self.guests if g.id != guest.id), guest]
        self.guests.sort(key=lambda g: (g.visit_start or self.app.now(), display_name(g).lower(), g.id))
        self.show_guests(cursor=guest.id)

    def action_export(self) -> None:
        from staffterm.ui.dialogs.guest_export import ExportScreen

        building = self.app.catalog.zone(self.app.building_id) if self.app.catalog is not None else None
        if building is None:
            self.notify("Still loading the building…", timeout=3)
            return
        self._open_dialog(
            ExportScreen(building_id=building.id, building_name=building.name, tz=self._tz(),
                         day=self.shown_day, today=self.app.building_today())
        )
