"""What a booking of the local site may not do: clash with another on a shared asset, go over
the per-type limit of concurrent bookings a person holds, or take its asset early at check-in.

Rules follow PlaceOS's Staff API (clashes on shared assets, per-type concurrent limits); a room
booking's clashes are the room's calendar's (``busy``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from staffterm.backends.local.busy import refuse_room_clashes, room_clashes
from staffterm.backends.local.places import require_room
from staffterm.backends.local.records import booking_from_row, room_window
from staffterm.backends.local.store import Session, placeholders
from staffterm.errors import ConflictError, LimitReachedError
from staffterm.models import Booking
from staffterm.rules import ROOM_BOOKING_TYPE, VISITOR_BOOKING_TYPE, overlaps, shares_zone
from staffterm.times import format_local_span, format_local_time, to_epoch


def _live_bookings(
    s: Session, start: datetime, end: datetime, *, booking_type: str, exclude_id: str | None = None
) -> list[Booking]:
    rows = s.conn.execute(
        "SELECT * FROM bookings WHERE type = ? AND deleted = 0 AND rejected = 0 AND checked_out_ts IS NULL "
        "AND start_ts < ? AND end_ts > ? AND id != ? ORDER BY start_ts, id",
        (booking_type, to_epoch(end), to_epoch(start), exclude_id or ""),
    )
    return [booking_from_row(r, s.now) for r in rows]


def refuse_booking_clashes(
    s: Session, booking_type: str, asset_ids: list[str], start: datetime, end: datetime, exclude_id: str | None
) -> None:
    if booking_type == ROOM_BOOKING_TYPE:
        refuse_room_clashes(s, [require_room(s, a) for a in asset_ids], start, end, exclude_booking_id=exclude_id)
        return
    marks = placeholders(len(asset_ids))
    # Per asset, one range of (asset_id, start_ts) bounded at both ends, not its history.
    rows = s.conn.execute(
        "SELECT DISTINCT b.* FROM booking_assets a JOIN bookings b ON b.id = a.booking_id "
        f"WHERE b.type = ? AND a.asset_id IN ({marks}) AND a.start_ts >= ? AND a.start_ts < ? AND a.end_ts > ? "
        "AND b.deleted = 0 AND b.rejected = 0 AND b.checked_out_ts IS NULL AND b.id != ? ORDER BY b.start_ts",
        (booking_type, *asset_ids, *room_window(s.conn, start, end, bookings=True), exclude_id or ""),
    )
    clashes = [booking_from_row(r, s.now) for r in rows]
    if clashes:
        reasons = [_clash_reason(c, asset_ids) for c in clashes]
        hint = "Pick another time." if booking_type == VISITOR_BOOKING_TYPE else "Pick another time or another one."
        raise ConflictError("; ".join(reasons), clashes=clashes, hint=hint)


def _clash_reason(clash: Booking, asset_ids: list[str]) -> str:
    shared = ", ".join(sorted(set(clash.asset_ids) & set(asset_ids)))
    span = format_local_span(clash.start, clash.end, clash.timezone)
    who = clash.user_name or clash.user_email or "someone"
    if clash.type == VISITOR_BOOKING_TYPE:
        return f"{shared} is already expected {span} (host {who})"
    return f"{shared} is already booked {span} for {who}"


def refuse_over_limit(
    s: Session,
    booking_type: str,
    user_email: str,
    zones: list[str],
    start: datetime,
    end: datetime,
    limit_override: int | None,
    exclude_id: str | None,
) -> None:
    limit = limit_override if limit_override is not None else s.config.booking_limits.get(booking_type)
    if limit is None:
        return
    theirs = [
        b
        for b in _live_bookings(s, start, end, booking_type=booking_type, exclude_id=exclude_id)
        if b.user_email == user_email and (not zones or not b.zones or shares_zone(b.zones, zones))
    ]
    if len(theirs) >= limit:
        raise LimitReachedError(
            f"{user_email} already holds {len(theirs)} {booking_type} booking(s) at that time; "
            f"the limit is {limit}",
            limit=limit,
            items=theirs,
            hint="Cancel one of them first, or ask an administrator to override the limit.",
        )


def refuse_early_clash(s: Session, b: Booking) -> None:
    """Checking in early must not take the asset from whoever holds it until the start."""
    if b.type == ROOM_BOOKING_TYPE:
        holders: list[Any] = []
        for asset_id in b.asset_ids:
            holders.extend(room_clashes(s, require_room(s, asset_id), s.now, b.start, exclude_booking_id=b.id))
    else:
        holders = [
            other
            for other in _live_bookings(s, s.now, b.start, booking_type=b.type, exclude_id=b.id)
            if set(other.asset_ids) & set(b.asset_ids) and overlaps(other.start, other.end, s.now, b.start)
        ]
    if holders:
        raise ConflictError(
            f"booking {b.id} cannot be checked in early: its asset is still booked until "
            f"{format_local_time(max(h.end for h in holders), b.timezone)}",
            clashes=holders,
            hint="Check in at the start time instead.",
        )
