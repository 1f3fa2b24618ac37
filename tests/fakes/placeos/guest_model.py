"""How a Guest is rendered, and which bookings/meetings a guest is attending."""

from __future__ import annotations

from typing import Any

from tests.fakes.placeos.event_model import status_for
from tests.fakes.placeos.state import FakeState


def render_guest(guest: dict[str, Any], row: dict[str, Any] | None = None, *, booking: Any = None,
                 event: Any = None) -> dict[str, Any]:
    """Guest JSON; with an attendee row it gains checked_in / visit_expected (and booking or event)."""
    out = dict(guest)
    out["extension_data"] = dict(guest.get("extension_data") or {})
    if row is not None:
        out["checked_in"] = row["checked_in"]
        out["visit_expected"] = row["visit_expected"]
    if booking is not None:
        out["booking"] = booking
    if event is not None:
        out["event"] = event
    return out


def attendances(state: FakeState, guest_id: int) -> list[tuple[dict[str, Any], dict[str, Any] | None,
                                                               dict[str, Any] | None]]:
    """(row, booking, event) for every live booking or meeting the guest is attending, by start time."""
    found = []
    for row in state.attendees:
        if row["guest_id"] != guest_id:
            continue
        if row.get("booking_id") is not None:
            booking = state.bookings.get(row["booking_id"])
            if booking and not booking.get("deleted") and not booking.get("rejected"):
                found.append((row, booking, None))
        elif row.get("event_ref"):
            event = state.events.get(row["event_ref"])
            if event and event_live(state, event):
                found.append((row, None, event))
    return sorted(found, key=lambda item: start_of(item))


def start_of(item: tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]) -> int:
    _row, booking, event = item
    return booking["booking_start"] if booking else event["event_start"]  # type: ignore[index]


def end_of(item: tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]) -> int:
    _row, booking, event = item
    return booking["booking_end"] if booking else event["event_end"]  # type: ignore[index]


def event_calendar(state: FakeState, event: dict[str, Any]) -> str:
    """Meetings with visitors are read from the room's calendar when there is a room."""
    system = state.systems.get(event.get("system_id") or "")
    return system["email"] if system and system.get("email") else event["host"]


def event_live(state: FakeState, event: dict[str, Any]) -> bool:
    return status_for(event, event_calendar(state, event)) != "cancelled"
