"""A room clash, refused in the same words on every backend.

Each backend finds what is in a room's way its own way (the local site in SQLite, PlaceOS from
the room's calendar); how the clash is put to the operator is one thing: the room, when, and the
meeting's title masked if it is private, in the building's time zone.
"""

from __future__ import annotations

from collections.abc import Sequence

from staffterm.errors import ConflictError
from staffterm.models import Booking, Event, Room
from staffterm.times import format_local_span


def describe_clash(item: Event | Booking, tz_name: str | None) -> str:
    span = format_local_span(item.start, item.end, tz_name)
    if isinstance(item, Event):
        return f"{span} ({item.display_title(masked=True)})"
    return f"{span} (booking {item.id}{', ' + item.title if item.title else ''})"


def room_clash_error(found: Sequence[tuple[Room, str | None, Sequence[Event | Booking]]]) -> ConflictError | None:
    """The refusal for rooms already taken (each with its time zone and what is in the way), or
    None when nothing is."""
    everything: list[Event | Booking] = []
    reasons: list[str] = []
    for room, tz_name, items in found:
        if items:
            described = "; ".join(describe_clash(c, tz_name) for c in items)
            reasons.append(f"{room.name} ({room.id}) is already booked {described}")
            everything.extend(items)
    if not everything:
        return None
    return ConflictError(
        "; ".join(reasons),
        clashes=everything,
        hint="Pick another time or room; the room timeline shows what is free.",
    )
