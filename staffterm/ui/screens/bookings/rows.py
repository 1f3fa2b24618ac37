"""How a booking reads in the bookings list: its cells, its filters, and which actions fit it.

Pure functions of a booking, the building's zone and "now", so the screen stays about layout
and workers, and the rules can be read in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from rich.text import Text
from textual.app import App

from staffterm.models import Booking, BookingQuery, BookingState
from staffterm.services.zones import local_day_window
from staffterm.ui.widgets.clash_list import STATE_WORDS, clock_span, themed

BOOKING_TYPES: tuple[str, ...] = ("desk", "parking", "locker", "visitor", "room")

TYPE_OPTIONS: list[tuple[str, str]] = [("All types", "all")] + [(t.capitalize(), t) for t in BOOKING_TYPES]

STATE_OPTIONS: list[tuple[str, str]] = [
    ("All states", "all"),
    ("Pending approval", "pending"),
    ("Reserved", BookingState.RESERVED.value),
    ("Checked in", BookingState.CHECKED_IN.value),
    ("Checked out", BookingState.CHECKED_OUT.value),
    ("No show", BookingState.NO_SHOW.value),
    ("Rejected", BookingState.REJECTED.value),
    ("Cancelled", BookingState.CANCELLED.value),
    ("Ended", BookingState.ENDED.value),
]

#: (column key, heading, width). The id comes last: on a narrow terminal the columns a desk
#: reads first (when, what, who, state) stay on screen.
COLUMNS: list[tuple[str, str, int]] = [
    ("when", "When", 11),
    ("type", "Type", 7),
    ("asset", "Asset", 16),
    ("who", "Who", 18),
    ("state", "State", 11),
    ("approval", "Approval", 8),
    ("id", "Id", 19),
]

#: States in which a booking is still live: it can be approved, rejected or checked in.
LIVE_STATES = {BookingState.RESERVED, BookingState.CHECKED_IN}


def is_pending(b: Booking) -> bool:
    return b.pending_approval and b.state in LIVE_STATES


def approval_word(b: Booking) -> str:
    if b.rejected:
        return "rejected"
    if b.approved:
        return "approved"
    if b.deleted:
        return "—"
    return "pending"


def asset_label(b: Booking, names: Mapping[str, str]) -> str:
    """The asset's name where known (desk, bay, room, visitor), else its id."""
    named = [names.get(a) for a in b.asset_ids]
    if all(named):
        return ", ".join(n for n in named if n)
    asset_name = b.extension_data.get("asset_name")
    if isinstance(asset_name, str) and asset_name and len(b.asset_ids) == 1:
        return asset_name
    return ", ".join(names.get(a) or a for a in b.asset_ids)


def who_label(b: Booking) -> str:
    return b.user_name or b.user_email or "—"


def when_label(b: Booking, tz: tzinfo, day: date) -> str:
    if b.all_day:
        return "all day"
    reference = datetime.combine(day, time(12), tzinfo=tz)
    return clock_span(b.start, b.end, tz, reference=reference)


@dataclass(frozen=True)
class BookingFilter:
    """The filter bar's choices. ``type`` and the zone go to the backend; state and text are
    applied here, since no backend filters on the computed state."""

    type: str = "all"
    zone_id: str | None = None
    state: str = "all"
    text: str = ""

    def query(self, day: date, tz: tzinfo) -> BookingQuery:
        start, end = local_day_window(day, tz)
        return BookingQuery(
            start=start,
            end=end,
            type=None if self.type == "all" else self.type,
            zone_ids=[self.zone_id] if self.zone_id else [],
            include_checked_out=True,
            include_deleted=self.needs_deleted,
        )

    @property
    def needs_deleted(self) -> bool:
        """Deleted bookings are noise unless asked for by the states only they can have."""
        return self.state in (BookingState.CANCELLED.value, BookingState.NO_SHOW.value)

    def accepts(self, b: Booking, names: Mapping[str, str]) -> bool:
        if self.state == "pending":
            if not is_pending(b):
                return False
        elif self.state != "all" and b.state.value != self.state:
            return False
        needle = self.text.strip().lower()
        if not needle:
            return True
        haystack = " ".join(
            [
                b.id,
                b.user_email,
                b.user_name,
                b.booked_by_email,
                b.booked_by_name,
                b.title,
                asset_label(b, names),
                *b.asset_ids,
            ]
        ).lower()
        return all(word in haystack for word in needle.split())


def booking_cells(b: Booking, tz: tzinfo, day: date, names: Mapping[str, str], app: App | None) -> dict[str, Text]:
    """One table row, keyed by column."""
    state = b.state
    state_style = {
        BookingState.CHECKED_IN: themed(app, "checkin-ok", bold=True),
        BookingState.NO_SHOW: themed(app, "checkin-late"),
        BookingState.REJECTED: themed(app, "error"),
        BookingState.CANCELLED: "dim",
        BookingState.ENDED: "dim",
        BookingState.CHECKED_OUT: "dim",
    }.get(state, "")
    approval = approval_word(b)
    approval_style = {"pending": themed(app, "warning", bold=True), "rejected": themed(app, "error")}.get(approval, "dim")
    return {
        "when": Text(when_label(b, tz, day), style="bold" if state in LIVE_STATES else "dim"),
        "type": Text(b.type),
        "asset": Text(asset_label(b, names)),
        "who": Text(who_label(b)),
        "state": Text(STATE_WORDS.get(state.value, state.value), style=state_style),
        "approval": Text(approval, style=approval_style),
        "id": Text(b.id, style="dim"),
    }


def allowed(action: str, b: Booking | None, now: datetime) -> bool:
    """Whether ``action`` makes sense for the booking in its current state."""
    if b is None:
        return False
    if action == "delete":
        return not b.deleted
    if b.deleted or b.end <= now:
        return False
    if action == "approve":
        return not b.approved
    if action == "reject":
        return not b.rejected
    if action == "check_in":
        return b.state == BookingState.RESERVED and not b.rejected
    if action == "check_out":
        return b.state == BookingState.CHECKED_IN
    return True


def summary(b: Booking, tz: tzinfo, day: date, names: Mapping[str, str], *, notice: str | None = None) -> Text:
    """The line under the table for the highlighted booking (``notice``: what is missing from
    the list, e.g. desk names that could not be read, said in place of the Enter hint)."""
    text = Text()
    text.append(f"{asset_label(b, names)}", style="bold")
    text.append(f" · {b.type} · {when_label(b, tz, day)} · {who_label(b)}")
    if b.booked_by_email and b.booked_by_email != b.user_email:
        text.append(f" (booked by {b.booked_by_name or b.booked_by_email})")
    if b.title and b.title != asset_label(b, names):
        text.append(f" · {b.title}")
    text.append(f"\n{b.id} · {STATE_WORDS.get(b.state.value, b.state.value)} · {approval_word(b)}", style="dim")
    if notice:
        text.append(f"   {notice.capitalize()}.", style="italic")
    else:
        text.append("   Enter: details and history", style="dim")
    return text
