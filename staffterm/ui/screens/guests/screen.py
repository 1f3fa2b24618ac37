"""Reception's main screen: the day's guests for the building, search as you type, check in with
Enter (host told by mail, QR pass shown), check out, walk-ins, passes and the visitor log.

The search box keeps the focus: typing filters, Up/Down move the list's cursor, Enter checks the
highlighted guest in (or, when no one matches, registers the typed name as a walk-in). The
single-letter keys act on the list (Tab goes there; typing a letter there comes back to search).

Here are the keys and the workers that act on a guest; the list itself (loading, search, the
day shown) is ``listing``, rows, the table and files are ``rows``, ``table``, ``files``; the
dialogs are in ``ui/dialogs``.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.binding import Binding
from textual.widgets import Input

from staffterm.capabilities import Capability
from staffterm.errors import ConflictError, InvalidInputError, LimitReachedError, NotFoundError, PermissionDeniedError
from staffterm.ui.screens.guests.listing import GuestList
from staffterm.ui.screens.guests.rows import (
    ARRIVED,
    display_name,
    host_label,
    visit_status,
)

# Refusals are the operator's to read ("too early to check in…"); anything else (offline, auth)
# goes through the app's error routing, which also marks the connection state.
REFUSALS = (InvalidInputError, NotFoundError, ConflictError, PermissionDeniedError, LimitReachedError)


GUEST_ACTIONS = frozenset({"check_in", "check_out", "show_pass", "save_pass", "walk_in", "export"})


class GuestsScreen(GuestList):
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Without a visitor register the guest actions are hidden, not offered to fail."""
        session = self.app.session
        if action in GUEST_ACTIONS and session is not None and not session.supports(Capability.GUESTS):
            return None
        if action == "walk_in" and session is not None and not session.supports(Capability.GUEST_REGISTRATION):
            return None  # visitors come from meetings (Microsoft 365): none can be registered here
        return True

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
