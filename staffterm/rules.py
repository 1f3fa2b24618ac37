"""Booking rules every provider shares, after PlaceOS's Staff API (placeos.md §1.6, §1.7): a
booking's state from its facts, when a check-in is refused, which rooms need approval. The local
site enforces them; the PlaceOS backend reads a booking's state with them.

Pure functions of the stored facts and "now": no database, no clock of their own. (The desk's own
policy, checked before anything is sent — horizons, lengths, e-mail syntax — is a use-case
rule and lives in ``services/booking_rules.py``.)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from staffterm.models import BookingState, Room
from staffterm.times import format_local_span, format_local_time

# Booking types whose assets must be listed in the ``assets`` table with the same type.
ASSET_BOOKING_TYPES: dict[str, str] = {
    "desk": "a desk",
    "parking": "a parking space",
    "locker": "a locker",
}
ROOM_BOOKING_TYPE = "room"
VISITOR_BOOKING_TYPE = "visitor"
APPROVAL_FEATURE = "approval"


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals: a meeting ending at 10:00 does not clash with one starting at 10:00."""
    return a_start < b_end and b_start < a_end


def booking_state(
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    checked_in: bool,
    checked_in_at: datetime | None,
    checked_out_at: datetime | None,
    rejected: bool,
    deleted: bool,
    deleted_at: datetime | None,
) -> BookingState:
    """PlaceOS's computed ``current_state`` of a booking at ``now``."""
    if deleted:
        # Deleted before it began (or walked out of early) is a cancellation; deleted after
        # the start without anyone turning up is a no-show.
        if deleted_at is None or deleted_at <= start or checked_in_at is not None:
            return BookingState.CANCELLED
        return BookingState.NO_SHOW
    if rejected:
        return BookingState.REJECTED
    if checked_out_at is not None:
        return BookingState.CHECKED_OUT if checked_out_at <= end else BookingState.ENDED
    if now >= end:
        return BookingState.ENDED if checked_in_at is not None else BookingState.NO_SHOW
    if checked_in:
        return BookingState.CHECKED_IN
    return BookingState.RESERVED


def check_in_refusal(
    *,
    what: str,
    start: datetime,
    end: datetime,
    now: datetime,
    early_seconds: int,
    checked_out_at: datetime | None,
    tz_name: str | None,
) -> str | None:
    """Why a check-in is not allowed now, in words for the desk; ``None`` when it is allowed."""
    if checked_out_at is not None:
        when = format_local_time(checked_out_at, tz_name)
        return f"{what} was already checked out ({when}); it cannot be checked in again"
    if now >= end:
        return f"{what} ended ({format_local_span(start, end, tz_name)}); it can no longer be checked in"
    opens = start - timedelta(seconds=early_seconds)
    if now < opens:
        minutes = early_seconds // 60
        opening = format_local_time(opens, tz_name)
        return (
            f"too early to check in {what}: check-in opens at {opening} "
            f"({minutes} minutes before the start)"
        )
    return None


def room_requires_approval(room: Room, flagged: bool = False) -> bool:
    """A room needs approval when it carries the "approval" feature or the per-room setting."""
    return flagged or any(f.lower() == APPROVAL_FEATURE for f in room.features)


def shares_zone(a: Iterable[str], b: Iterable[str]) -> bool:
    return bool(set(a) & set(b))
