"""GET /bookings filtering: the query parameters staff-api understands, applied to the store."""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.placeos.wire import Ctx, bad_request, overlaps, unprocessable


def parse_extension_filter(raw: str) -> list[tuple[str, str]]:
    """``{key:value,key2:value}`` (braces optional) -> [(key, value)], as Booking.is_extension_data reads it."""
    pairs = []
    for entry in raw.strip().strip("{}").split(","):
        if not entry.strip():
            continue
        key, sep, value = entry.partition(":")
        if not sep or not key.strip():
            raise bad_request(f"invalid extension_data filter entry {entry!r}: expected key:value", "extension_data")
        pairs.append((key.strip().strip('"'), value.strip().strip('"')))
    return pairs


def _ext_matches(data: dict[str, Any], key: str, value: str) -> bool:
    if key not in data:
        return False
    actual = data[key]
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = value
    return actual == parsed or str(actual) == value


def _metadata_ids(ctx: Ctx, event_ref: str | None, ical_uid: str | None) -> set[int]:
    ids: set[int] = set()
    for (event_id, _system), meta in ctx.state.event_metadata.items():
        if event_ref is not None and (event_ref == event_id or event_ref == str(meta["id"])):
            ids.add(meta["id"])
        if ical_uid is not None and meta.get("ical_uid") == ical_uid:
            ids.add(meta["id"])
    return ids


def linked_metadata_id(ctx: Ctx) -> int | None:
    """POST /bookings?event_id=|ical_uid= links the booking to the event's metadata (422 if none)."""
    event_ref, ical_uid = ctx.q("event_id"), ctx.q("ical_uid")
    if event_ref is None and ical_uid is None:
        return None
    ids = _metadata_ids(ctx, event_ref, ical_uid)
    if not ids:
        raise unprocessable("no event metadata found to link this booking to", "event_id" if event_ref else "ical_uid")
    return min(ids)


def query_bookings(ctx: Ctx, *, for_booked: bool = False) -> list[dict[str, Any]]:
    """Every booking matching the request's filters, by start time (paging is left to the caller).

    Exactly the parameters of PlaceOS/staff-api src/controllers/bookings.cr, index (and booked, which
    calls index with deleted/rejected/checked-out forced off), with the scopes of PlaceOS/models
    src/placeos-models/booking.cr. Any other parameter -- ``asset_id`` among them, though the Staff
    API driver sends it -- is ignored: the answer comes back unfiltered.
    """
    principal = ctx.principal
    assert principal is not None
    event_ref, ical_uid = ctx.q("event_id") or None, ctx.q("ical_uid") or None
    linked = event_ref is not None or ical_uid is not None
    booking_type = ctx.q("type")
    start = ctx.epoch_q("period_start", ctx.now)
    end = ctx.epoch_q("period_end", ctx.now + 3600)
    if not linked and not (booking_type or "").strip():
        raise unprocessable("missing required parameter 'type'", "type")
    zones = ctx.list_q("zones")
    email, user = ctx.q("email"), ctx.q("user")
    include_booked_by = bool(ctx.bool_q("include_booked_by", False))
    group_event_join = False
    if linked:
        # The event branch replaces the window, zones and owner filters altogether.
        zones, email, user = [], None, None
    elif user == "current" or (user is None and not zones and email is None):
        user, email = principal.user_id, principal.email  # no narrowing: the caller's own bookings
    if not linked and booking_type == "group-event" and zones:
        group_event_join = True  # by_user_or_email(..., include_open_permission, include_public_permission)
    email = email.lower() if email else None
    # is_checked_in: true -> checked_in; false -> "checked_out_at IS NOT NULL AND checked_in = false",
    # i.e. *checked out*, not "not yet checked in".
    checked_in = ctx.bool_q("checked_in")
    if for_booked:
        include_checked_out, checked_out, include_deleted, deleted, rejected = False, False, False, False, False
    else:
        include_checked_out = bool(ctx.bool_q("include_checked_out", False))
        checked_out = bool(ctx.bool_q("checked_out", False))
        include_deleted = bool(ctx.bool_q("include_deleted", False))
        deleted = bool(ctx.bool_q("deleted", False))
        rejected = ctx.bool_q("rejected")
    approved = ctx.bool_q("approved")
    # is_created_before / is_created_after compare last_changed (set at creation and when a move
    # resets the booking), not the creation time.
    created_before, created_after = ctx.epoch_q("created_before"), ctx.epoch_q("created_after")
    ext_filter = parse_extension_filter(ctx.q("extension_data") or "")
    process_state, department = ctx.q("state"), ctx.q("department")
    permission = (ctx.q("permission") or "").lower() or None
    metadata_ids = _metadata_ids(ctx, event_ref, ical_uid) if linked else set()

    def owned(b: dict[str, Any]) -> bool:
        """Booking.by_user_or_email: user id or email; with include_booked_by the booker (by id when a
        user id is given, else by email); group events joinable through zones also match."""
        if group_event_join and b.get("permission") in ("open", "public"):
            return True
        if user is not None and b.get("user_id") == user:
            return True
        if email is not None and (b.get("user_email") or "").lower() == email:
            return True
        if include_booked_by:
            if user is not None:
                return b.get("booked_by_id") == user
            return email is not None and (b.get("booked_by_email") or "").lower() == email
        return False

    def keep(b: dict[str, Any]) -> bool:
        if booking_type is not None and b["booking_type"] != booking_type:
            return False
        if not linked and not overlaps(start, end, b["booking_start"], b["booking_end"]):
            return False
        if linked and b.get("event_id") not in metadata_ids:
            return False
        if zones and not set(zones) & set(b.get("zones") or []):
            return False
        if (user is not None or email is not None) and not owned(b):
            return False
        if not include_deleted and b["deleted"] != deleted:
            return False
        if not include_checked_out and (b.get("checked_out_at") is not None) != checked_out:
            return False
        if checked_in is True and not b["checked_in"]:
            return False
        if checked_in is False and not (b.get("checked_out_at") is not None and not b["checked_in"]):
            return False
        if approved is not None and b["approved"] != approved:
            return False
        if rejected is not None and b["rejected"] != rejected:
            return False
        if created_before is not None and not (b.get("last_changed") or 0) < created_before:
            return False
        if created_after is not None and not (b.get("last_changed") or 0) > created_after:
            return False
        if process_state is not None and b.get("process_state") != process_state:
            return False
        if department is not None and b.get("department") != department:
            return False
        if permission is not None and b.get("permission") != permission:
            return False
        return all(_ext_matches(b.get("extension_data") or {}, k, v) for k, v in ext_filter)

    return sorted((b for b in ctx.state.bookings.values() if keep(b)), key=lambda b: (b["booking_start"], b["id"]))
