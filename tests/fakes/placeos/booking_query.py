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
    """Every booking matching the request's filters, by start time (paging is left to the caller)."""
    principal = ctx.principal
    assert principal is not None
    event_ref, ical_uid = ctx.q("event_id"), ctx.q("ical_uid")
    linked = event_ref is not None or ical_uid is not None
    booking_type = ctx.q("type")
    if booking_type is None and not linked:
        raise unprocessable("missing required parameter 'type'", "type")
    start = ctx.epoch_q("period_start", None if linked else ctx.now)
    end = ctx.epoch_q("period_end", None if linked else ctx.now + 3600)
    zones = ctx.list_q("zones")
    email, user = ctx.q("email"), ctx.q("user")
    include_booked_by = bool(ctx.bool_q("include_booked_by", False))
    if user == "current" or (user is None and email is None and not zones and not linked):
        user, email = principal.user_id, principal.email  # no narrowing: the caller's own bookings
    email = email.lower() if email else None
    checked_in = ctx.bool_q("checked_in")
    checked_out = ctx.bool_q("checked_out")
    include_checked_out = bool(ctx.bool_q("include_checked_out", False)) or checked_in is False or bool(checked_out)
    deleted = ctx.bool_q("deleted")
    include_deleted = bool(ctx.bool_q("include_deleted", False))
    approved, rejected = ctx.bool_q("approved"), ctx.bool_q("rejected")
    created_before, created_after = ctx.epoch_q("created_before"), ctx.epoch_q("created_after")
    ext_filter = parse_extension_filter(ctx.q("extension_data") or "")
    process_state, department = ctx.q("state"), ctx.q("department")
    permission = (ctx.q("permission") or "").lower() or None
    metadata_ids = _metadata_ids(ctx, event_ref, ical_uid) if linked else set()

    def keep(b: dict[str, Any]) -> bool:
        if booking_type is not None and b["booking_type"] != booking_type:
            return False
        if start is not None and end is not None and not overlaps(start, end, b["booking_start"], b["booking_end"]):
            return False
        if linked and b.get("event_id") not in metadata_ids:
            return False
        if zones and not set(zones) & set(b.get("zones") or []):
            return False
        if user is not None or email is not None:
            mine = (user is not None and b.get("user_id") == user) or (email is not None and b.get("user_email") == email)
            if include_booked_by:
                mine = mine or (user is not None and b.get("booked_by_id") == user) or (
                    email is not None and (b.get("booked_by_email") or "").lower() == email)
            if not mine:
                return False
        if deleted is True and not b["deleted"]:
            return False
        if deleted is not True and b["deleted"] and not include_deleted:
            return False
        if for_booked and (b["deleted"] or b["rejected"] or b.get("checked_out_at")):
            return False
        if b.get("checked_out_at") and not include_checked_out:
            return False
        if checked_in is True and not b["checked_in"]:
            return False
        if checked_in is False and not (b.get("checked_out_at") and not b["checked_in"]):
            return False
        if checked_out is not None and bool(b.get("checked_out_at")) != checked_out:
            return False
        if approved is not None and b["approved"] != approved:
            return False
        if rejected is not None and b["rejected"] != rejected:
            return False
        if created_before is not None and not b["created"] < created_before:
            return False
        if created_after is not None and not b["created"] > created_after:
            return False
        if process_state is not None and b.get("process_state") != process_state:
            return False
        if department is not None and b.get("department") != department:
            return False
        if permission is not None and b.get("permission") != permission:
            return False
        return all(_ext_matches(b.get("extension_data") or {}, k, v) for k, v in ext_filter)

    return sorted((b for b in ctx.state.bookings.values() if keep(b)), key=lambda b: (b["booking_start"], b["id"]))
