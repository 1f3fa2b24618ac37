"""Desks, parking, lockers, visitors and rooms booked for a day in the building: filter them,
book for someone, approve or reject, check in and out, delete.

Here are the keys that write; the list, its filters and the day shown are ``listing``, how a
booking reads is ``rows`` and the use-cases are ``services.bookings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual import work
from textual.binding import Binding

from staffterm.capabilities import Capability
from staffterm.models import Booking
from staffterm.ui.screens.bookings.listing import BookingList
from staffterm.ui.screens.bookings.rows import (
    allowed,
    asset_label,
    who_label,
)

DAY_KEYS = Binding.Group("Day", compact=True)

#: action -> (capability it needs, verb for the notification)
ROW_ACTIONS: dict[str, tuple[Capability, str]] = {
    "approve": (Capability.BOOKING_APPROVAL, "Approved"),
    "reject": (Capability.BOOKING_APPROVAL, "Rejected"),
    "check_in": (Capability.BOOKINGS, "Checked in"),
    "check_out": (Capability.BOOKINGS, "Checked out"),
    "delete": (Capability.BOOKINGS, "Deleted"),
}


class BookingsScreen(BookingList):
    SCREEN_TITLE = "Bookings"
    HELP = """\
Every desk, parking bay, locker, visitor and room booking for **one day** in the building, times in
the building's own zone. Filters: type, level, state (*Pending approval* shows what waits for you)
and free text (person, asset, title or id). **[** and **]** change the day, **t** goes back to today.

- **c** books for someone: pick the type and asset (each listed with who holds it that day), the
  person, and the times. A clash or a booking limit shows the bookings in the way; nothing is booked.
- **a** approve · **j** reject · **i** check in · **o** check out · **Delete** deletes (asks first).
- **Enter** shows everything about a booking, with its history.
"""
    BINDINGS = [
        Binding("c", "create", "Book", id="bookings-create"),
        Binding("a", "approve", "Approve", id="bookings-approve"),
        Binding("j", "reject", "Reject", id="bookings-reject"),
        Binding("i", "check_in", "Check in", id="bookings-check-in"),
        Binding("o", "check_out", "Check out", id="bookings-check-out"),
        Binding("delete", "delete", "Delete", id="bookings-delete"),
        Binding("left_square_bracket", "day(-1)", "Previous day", id="bookings-prev-day", group=DAY_KEYS),
        Binding("right_square_bracket", "day(1)", "Next day", id="bookings-next-day", group=DAY_KEYS),
        Binding("t", "today", "Today", show=False, id="bookings-today"),
        Binding("slash", "focus_filters", "Filter", id="bookings-filter"),
        Binding("escape", "focus_table", "List", show=False, id="bookings-list"),
    ]

    DEFAULT_CSS = """
    #bookings-filters {
        height: 1;
        margin: 1 1 0 1;
    }
    #bookings-filters Select {
        margin-right: 1;
    }
    #filter-type {
        width: 14;
    }
    #filter-level {
        width: 19;
    }
    #filter-state {
        width: 21;
    }
    #filter-text {
        width: 1fr;
        min-width: 10;
    }
    #bookings-day {
        width: auto;
        padding: 0 1;
        text-style: bold;
    }
    #bookings-table {
        height: 1fr;
        margin: 1 1 0 1;
        border: round $primary 40%;
    }
    #bookings-table:focus {
        border: round $primary;
    }
    #booking-summary {
        height: 2;
        padding: 0 2;
    }
    """

    # ----------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        session = self.app.session
        if action == "create":
            return session is not None and session.supports(Capability.BOOKINGS)
        if action in ROW_ACTIONS:
            if session is None or not session.supports(ROW_ACTIONS[action][0]):
                return False
            return allowed(action, self.current, self.app.now())
        return True

    def action_create(self) -> None:
        if self.app.session is None or self.day is None:
            return
        from staffterm.ui.dialogs.booking_form import BookingFormModal

        kind = self.filter.type if self.filter.type != "all" else "desk"
        form = BookingFormModal(day=self.day, building_id=self.app.building_id, tz=self.app.building_tz, booking_type=kind)
        self.app.push_screen(form, self._created)

    def _created(self, booking: Booking | None) -> None:
        if booking is None:
            return
        self.bookings[booking.id] = booking
        tz = self.app.building_tz
        when = f"{booking.start.astimezone(tz):%H:%M}–{booking.end.astimezone(tz):%H:%M}"
        self.app.notify(f"Booked {asset_label(booking, self.names)} for {who_label(booking)}, {when} ({booking.id})",
                        markup=False)
        self.note_write()
        self.load_bookings(select=booking.id)

    def action_approve(self) -> None:
        self._row_action("approve")

    def action_reject(self) -> None:
        self._row_action("reject")

    def action_check_in(self) -> None:
        self._row_action("check_in")

    def action_check_out(self) -> None:
        self._row_action("check_out")

    def action_delete(self) -> None:
        booking = self.current
        if booking is None or not self.check_action("delete", ()):
            return
        from staffterm.ui.dialogs.confirm import ConfirmDialog

        question = Text.assemble(
            "Delete booking ", (booking.id, "bold"), f" — {asset_label(booking, self.names)} for {who_label(booking)}, ",
            f"{booking.start.astimezone(self.app.building_tz):%a %d %b %H:%M}? Linked visits are withdrawn.",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._apply("delete", booking)

        self.app.push_screen(ConfirmDialog(question, confirm_label="Delete"), answered)

    def _row_action(self, action: str) -> None:
        booking = self.current
        if booking is None or not self.check_action(action, ()):
            return
        self._apply(action, booking)

    @work(group="bookings-write", exit_on_error=False, name="booking-action")
    async def _apply(self, action: str, booking: Booking) -> None:
        bookings = self.app.session.bookings
        calls: Mapping[str, Any] = {
            "approve": lambda: bookings.approve(booking.id),
            "reject": lambda: bookings.reject(booking.id),
            "check_in": lambda: bookings.check_in(booking.id, state=True),
            "check_out": lambda: bookings.check_in(booking.id, state=False),
            "delete": lambda: bookings.delete(booking.id),
        }
        result = await calls[action]()
        verb = ROW_ACTIONS[action][1]
        self.app.notify(f"{verb} {asset_label(booking, self.names)} for {who_label(booking)} ({booking.id})", markup=False)
        if isinstance(result, Booking):
            self.bookings[result.id] = result
            self._show()
        self.note_write()
        self.load_bookings()
