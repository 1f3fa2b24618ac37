"""Enter on a booking: every fact about it and its history, times in the building's zone."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from staffterm.models import Booking
from staffterm.ui.dialogs.base import StafftermModal
from staffterm.ui.screens.bookings.rows import approval_word, asset_label, who_label
from staffterm.ui.widgets.clash_list import STATE_WORDS, clock_span


def _when(moment: datetime | None, tz: tzinfo) -> str:
    if moment is None:
        return "—"
    local = moment.astimezone(tz)
    return f"{local:%a %d %b %H:%M}"


def booking_facts(b: Booking, tz: tzinfo, names: Mapping[str, str]) -> Text:
    text = Text()

    def row(label: str, value: str, style: str = "") -> None:
        text.append(f"{label:<13}", style="bold")
        text.append(value, style=style)
        text.append("\n")

    start_local = b.start.astimezone(tz)
    row("Booking", b.id)
    row("Type", b.type)
    row("Asset", f"{asset_label(b, names)} ({', '.join(b.asset_ids)})")
    row("For", f"{who_label(b)} <{b.user_email}>" if b.user_name else who_label(b))
    if b.booked_by_email and b.booked_by_email != b.user_email:
        row("Booked by", f"{b.booked_by_name or b.booked_by_email} <{b.booked_by_email}>")
    row("When", f"{start_local:%a %d %b} {clock_span(b.start, b.end, tz, reference=b.start)}"
        + (" (all day)" if b.all_day else "") + f"  {getattr(tz, 'key', '')}")
    row("State", STATE_WORDS.get(b.state.value, b.state.value))
    if b.process_state:
        row("Workflow", b.process_state)
    approval = approval_word(b)
    if b.approved and b.approver_email:
        approval += f" by {b.approver_email} at {_when(b.approved_at, tz)}"
    elif b.rejected:
        approval += f" by {b.approver_email or 'an approver'} at {_when(b.rejected_at, tz)}"
    row("Approval", approval)
    if b.checked_in_at is not None:
        row("Checked in", _when(b.checked_in_at, tz))
    if b.checked_out_at is not None:
        row("Checked out", _when(b.checked_out_at, tz))
    if b.deleted:
        row("Deleted", _when(b.deleted_at, tz))
    if b.title:
        row("Title", b.title)
    if b.description:
        row("Notes", b.description)
    zones = ", ".join(b.zones) or "—"
    row("Zones", zones, "dim")
    for attendee in b.attendees:
        flags = [f for f, on in (("checked in", attendee.checked_in), ("visitor expected", attendee.visit_expected)) if on]
        who = attendee.name or attendee.email
        org = f", {attendee.organisation}" if attendee.organisation else ""
        row("Attendee", f"{who} <{attendee.email}>{org}" + (f"  ({', '.join(flags)})" if flags else ""))
    text.append("\nHistory\n", style="bold underline")
    if not b.history:
        text.append("No history recorded.\n", style="dim")
    for entry in b.history:
        text.append(f"{_when(entry.time, tz)}  ", style="bold")
        text.append(STATE_WORDS.get(entry.state, entry.state))
        by = f" by {entry.by}" if entry.by else ""
        source = f" ({entry.source})" if entry.source else ""
        text.append(f"{by}{source}\n", style="dim")
    created = _when(b.created, tz)
    updated = _when(b.updated, tz)
    text.append(f"\nCreated {created} · updated {updated}", style="dim")
    return text


class BookingDetailModal(StafftermModal):
    DEFAULT_CSS = """
    BookingDetailModal > VerticalScroll.dialog-box {
        width: 90;
        max-height: 90%;
    }
    """
    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="booking-detail-close")]

    def __init__(self, booking: Booking, tz: tzinfo, names: Mapping[str, str]) -> None:
        super().__init__()
        self.booking = booking
        self._tz = tz
        self._names = dict(names)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box"):
            yield Static(booking_facts(self.booking, self._tz, self._names), id="booking-facts", markup=False)
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
