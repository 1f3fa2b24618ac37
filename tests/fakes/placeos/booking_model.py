"""PlaceOS bookings: the model rules (states, history, clashes, limits) and the JSON staff-api renders.

The state machine follows PlaceOS::Model::Booking: ``current_state`` is computed from the
timestamps and the clock, and saving appends the current state to ``history`` when it changed.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tests.fakes.placeos.state import TENANT_ID, FakeState
from tests.fakes.placeos.wire import overlaps

INPUT_KEYS = (
    "booking_type", "booking_start", "booking_end", "timezone", "asset_id", "asset_ids", "asset_name",
    "user_id", "user_email", "user_name", "zones", "process_state", "department", "title", "description",
    "extension_data", "images", "induction", "permission", "recurrence_type", "recurrence_days",
    "recurrence_nth_of_month", "recurrence_interval", "recurrence_end", "all_day", "approved", "checked_in",
    "parent_id",
)
# The keys PUT/PATCH /bookings/{id} copies from the body, and nothing else: PlaceOS/staff-api
# src/controllers/bookings.cr, update (the `{% for key in [...] %}` list). `extension_data` is merged
# and `attendees` replaced separately; `user_id` and `user_name` follow a changed `user_email` from the
# directory. Anything else in the body (approved, checked_in, timezone, user_name, instance, ...) is
# read into the `changes` model and dropped without a word.
UPDATABLE = (
    "asset_id", "asset_ids", "zones", "booking_start", "booking_end", "all_day", "title", "description", "images",
    "induction", "recurrence_end", "recurrence_interval", "recurrence_nth_of_month", "recurrence_days",
    "recurrence_type", "permission", "user_email",
)
# A change to any of these is a change of the booked slot: only then is the clash check run
# (PlaceOS/models src/placeos-models/booking.cr, slot_changed?).
SLOT_KEYS = (
    "booking_start", "booking_end", "asset_id", "asset_ids", "recurrence_type", "recurrence_days",
    "recurrence_interval", "recurrence_end", "recurrence_nth_of_month",
)
INDUCTIONS = ("tentative", "accepted", "declined")
PERMISSIONS = ("private", "open", "public")
RECURRENCES = ("none", "daily", "weekly", "monthly")


def blank_booking(booking_id: int, now: int) -> dict[str, Any]:
    return {
        "id": booking_id, "tenant_id": TENANT_ID, "booking_type": None, "booking_start": None,
        "booking_end": None, "timezone": None, "asset_id": None, "asset_ids": [], "asset_name": None,
        "user_id": None, "user_email": None, "user_name": None, "zones": [], "process_state": None,
        "last_changed": now, "approved": False, "approved_at": None, "rejected": False, "rejected_at": None,
        "approver_id": None, "approver_name": None, "approver_email": None, "department": None,
        "title": None, "description": None, "checked_in": False, "checked_in_at": None,
        "checked_out_at": None, "deleted": False, "deleted_at": None, "booked_by_id": None,
        "booked_by_email": None, "booked_by_name": None, "booked_from": None, "extension_data": {},
        "history": [], "parent_id": None, "event_id": None, "images": [], "induction": "tentative",
        "permission": "private", "recurrence_type": "none", "recurrence_days": 127,
        "recurrence_nth_of_month": 1, "recurrence_interval": 1, "recurrence_end": None, "all_day": False,
        "created": now, "created_at": now, "updated_at": now,
    }


def validate(booking: dict[str, Any]) -> list[tuple[str, str]]:
    """The model validations that matter to a client: required fields, times, assets, enums, timezone."""
    failures: list[tuple[str, str]] = []
    for key in ("booking_type", "booking_start", "booking_end"):
        if booking.get(key) in (None, ""):
            failures.append((key, "is required"))
    for key in ("booking_start", "booking_end"):
        value = booking.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            failures.append((key, "must be an integer (epoch seconds)"))
    if not booking.get("asset_ids"):
        failures.append(("asset_id", "is required"))
    elif len(set(booking["asset_ids"])) != len(booking["asset_ids"]):
        failures.append(("asset_ids", "must be unique"))
    start, end = booking.get("booking_start"), booking.get("booking_end")
    if isinstance(start, int) and isinstance(end, int) and end <= start:
        failures.append(("booking_end", "must be after booking_start"))
    tz = booking.get("timezone")
    if tz:
        try:
            ZoneInfo(str(tz))
        except (ZoneInfoNotFoundError, ValueError):
            failures.append(("timezone", "must be a valid IANA timezone"))
    if booking.get("recurrence_type") not in RECURRENCES:
        failures.append(("recurrence_type", f"must be one of {', '.join(RECURRENCES)}"))
    elif booking["recurrence_type"] != "none" and not tz:
        failures.append(("timezone", "required for recurring bookings"))
    if booking.get("induction") not in INDUCTIONS:
        failures.append(("induction", f"must be one of {', '.join(INDUCTIONS)}"))
    if booking.get("permission") not in PERMISSIONS:
        failures.append(("permission", f"must be one of {', '.join(PERMISSIONS)}"))
    if not isinstance(booking.get("zones"), list) or not all(isinstance(z, str) for z in booking["zones"]):
        failures.append(("zones", "must be a list of zone ids"))
    if not isinstance(booking.get("extension_data"), dict):
        failures.append(("extension_data", "must be an object"))
    return failures


def apply_fields(booking: dict[str, Any], data: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Copy the given keys, keeping asset_id and asset_ids in sync like the model's update_assets."""
    for key in keys:
        if key in data:
            value = data[key]
            if key in ("induction", "permission", "recurrence_type") and isinstance(value, str):
                value = value.lower()
            booking[key] = value
    if "asset_ids" in data and isinstance(data["asset_ids"], list) and data["asset_ids"]:
        booking["asset_ids"] = [str(a) for a in data["asset_ids"]]
        booking["asset_id"] = booking["asset_ids"][0]
    elif data.get("asset_id"):
        booking["asset_id"] = str(data["asset_id"])
        booking["asset_ids"] = [booking["asset_id"]] + [a for a in booking["asset_ids"][1:] if a != data["asset_id"]]
    if booking.get("user_email"):
        booking["user_email"] = str(booking["user_email"]).strip().lower()


# -- state machine ---------------------------------------------------------------------------------

def _cancelled(b: dict[str, Any]) -> bool:
    deleted_at = b.get("deleted_at")
    return deleted_at is not None and (b["booking_start"] > deleted_at
                                       or (b["booking_end"] > deleted_at and b["checked_in"]))


def current_state(b: dict[str, Any], now: int) -> str:
    """PlaceOS::Model::Booking#booking_current_state, evaluated against the fake's clock."""
    end = b["booking_end"]
    checked_in_at, checked_out_at = b.get("checked_in_at"), b.get("checked_out_at")
    deleted_at, rejected_at = b.get("deleted_at"), b.get("rejected_at")
    if (end > now and not b["checked_in"] and checked_in_at is None and deleted_at is None
            and rejected_at is None and checked_out_at is None):
        return "reserved"
    if checked_in_at and b["checked_in"] and checked_out_at is None and end > now and not _cancelled(b):
        return "checked_in"
    if checked_out_at is not None and end >= checked_out_at:
        return "checked_out"
    if not checked_in_at and not _cancelled(b) and (end < now or (deleted_at is not None and end >= deleted_at)):
        return "no_show"
    if rejected_at is not None and b["booking_start"] > rejected_at:
        return "rejected"
    if _cancelled(b):
        return "cancelled"
    if checked_out_at is None and checked_in_at and end < now:
        return "ended"
    return "unknown"


def save(b: dict[str, Any], now: int, source: str | None = None) -> None:
    """Before-save hook: stamp and append the current state to history when it changed."""
    b["updated_at"] = now
    state = current_state(b, now)
    history = b.setdefault("history", [])
    if state != "unknown" and (not history or history[-1]["state"] != state):
        history.append({"state": state, "time": now, "source": source})


# -- clashes and limits ----------------------------------------------------------------------------

def _holds_slot(b: dict[str, Any]) -> bool:
    return not (b.get("deleted") or b.get("rejected") or b.get("checked_out_at"))


def clashing(state: FakeState, b: dict[str, Any], *, start: int | None = None,
             end: int | None = None) -> list[dict[str, Any]]:
    """Same type, overlapping time, a shared asset, still holding its slot. Visitors never clash."""
    if not _holds_slot(b) or str(b["booking_type"]).lower() == "visitor":
        return []
    start = b["booking_start"] if start is None else start
    end = b["booking_end"] if end is None else end
    assets = set(b["asset_ids"])
    return [other for other in sorted(state.bookings.values(), key=lambda o: o["id"])
            if other["id"] != b.get("id") and other["booking_type"] == b["booking_type"] and _holds_slot(other)
            and overlaps(start, end, other["booking_start"], other["booking_end"])
            and assets & set(other["asset_ids"])]


def _same_person(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.get("user_email") and b.get("user_email"):
        return a["user_email"].lower() == b["user_email"].lower()
    return bool(a.get("user_id")) and a.get("user_id") == b.get("user_id")


def concurrent(state: FakeState, b: dict[str, Any]) -> list[dict[str, Any]]:
    """The user's other bookings of this type at the same time sharing a zone (for booking limits)."""
    zones = set(b.get("zones") or [])
    return [other for other in sorted(state.bookings.values(), key=lambda o: o["id"])
            if other["id"] != b.get("id") and other["booking_type"] == b["booking_type"]
            and _holds_slot(other) and _same_person(other, b)
            and overlaps(b["booking_start"], b["booking_end"], other["booking_start"], other["booking_end"])
            and (not zones or not other.get("zones") or zones & set(other["zones"]))]


# -- rendering -------------------------------------------------------------------------------------

def render_attendee_row(state: FakeState, row: dict[str, Any]) -> dict[str, Any]:
    guest = state.guests.get(row["guest_id"], {})
    return {
        "id": row["id"], "tenant_id": TENANT_ID, "guest_id": row["guest_id"], "booking_id": row.get("booking_id"),
        "event_id": None, "checked_in": row["checked_in"], "visit_expected": row["visit_expected"],
        "email": guest.get("email"), "name": guest.get("name"), "preferred_name": guest.get("preferred_name"),
        "phone": guest.get("phone"), "organisation": guest.get("organisation"), "notes": guest.get("notes"),
        "photo": guest.get("photo"),
    }


def render_booking(state: FakeState, b: dict[str, Any], now: int, *, with_links: bool = True) -> dict[str, Any]:
    out = {key: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v) for key, v in b.items()}
    out["history"] = [dict(h) for h in b.get("history", [])]
    out["current_state"] = current_state(b, now)
    out["instance"] = b.get("instance")
    out["attendees"] = [render_attendee_row(state, r) for r in state.attendee_rows(booking_id=b["id"])]
    out["linked_event"] = None
    if b.get("event_id") is not None:
        for meta in state.event_metadata.values():
            if meta["id"] == b["event_id"]:
                out["linked_event"] = {k: v for k, v in meta.items() if k != "ext_data"}
    children = [c for c in state.bookings.values() if c.get("parent_id") == b["id"]]
    out["linked_bookings"] = [render_booking(state, c, now, with_links=False) for c in children] if with_links else []
    parent = state.bookings.get(b.get("parent_id") or -1)
    out["linked_parent_booking"] = render_booking(state, parent, now, with_links=False) if parent and with_links else None
    return out


def changed_payload(b: dict[str, Any], action: str, **extra: Any) -> dict[str, Any]:
    """The staff/booking/changed signal body."""
    return {
        "action": action, "id": b["id"], "instance": b.get("instance"), "booking_type": b["booking_type"],
        "booking_start": b["booking_start"], "booking_end": b["booking_end"], "timezone": b.get("timezone"),
        "resource_id": b["asset_id"], "resource_ids": list(b["asset_ids"]), "user_id": b.get("user_id"),
        "user_email": b.get("user_email"), "user_name": b.get("user_name"), "zones": list(b.get("zones") or []),
        "process_state": b.get("process_state"), "last_changed": b.get("last_changed"),
        "approver_name": b.get("approver_name"), "approver_email": b.get("approver_email"),
        "title": b.get("title"), "checked_in": b["checked_in"], "description": b.get("description"),
        "extension_data": dict(b.get("extension_data") or {}), "booked_by_email": b.get("booked_by_email"),
        "booked_by_name": b.get("booked_by_name"), "induction": b.get("induction"), **extra,
    }


# -- occurrences of a booking (PlaceOS::Model::BookingInstance) -----------------------------------
# A request naming an ``instance`` (path /instance/{n}, /{action}/{n} or ?instance=n) acts on one
# occurrence: PlaceOS/staff-api src/controllers/bookings.cr, find_booking sets booking.instance and
# hydrates it from the occurrence's row; saving such a booking writes only the occurrence's row
# (PlaceOS/models booking.cr, save!/as_instance), never the series.

# Always written to a new or existing occurrence row (as_instance).
_OCCURRENCE_STATE = ("booking_start", "booking_end", "checked_in", "checked_in_at", "checked_out_at", "deleted",
                     "deleted_at", "process_state")
# Kept on the occurrence only when the save changed them (as_instance: `if self.x_changed?`).
_APPROVAL = ("approved", "approved_at", "rejected", "rejected_at", "approver_id", "approver_name", "approver_email")


def occurrence(state: FakeState, b: dict[str, Any], instance: int) -> dict[str, Any]:
    """The booking as seen at one occurrence (find_booking + BookingInstance#hydrate_booking)."""
    row = state.booking_instances.get((b["id"], instance))
    out = {key: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v) for key, v in b.items()}
    out["instance"] = instance
    if row is None:
        # No row yet: as_instance starts it at the occurrence with the series' length and the
        # series' check-in state, and an empty history.
        length = b["booking_end"] - b["booking_start"]
        out.update(booking_start=instance, booking_end=instance + length, history=[])
        return out
    for key in _OCCURRENCE_STATE:
        out[key] = row[key]
    out["history"] = [dict(h) for h in row.get("history", [])]
    if isinstance(row.get("extension_data"), dict) and row["extension_data"]:
        out["extension_data"] = dict(row["extension_data"])  # a snapshot replaces the series' data wholesale
    if row.get("approved") is not None or row.get("rejected") is not None:
        for key in _APPROVAL:
            out[key] = row.get(key) or (False if key in ("approved", "rejected") else None)
    if row.get("asset_ids"):
        out["asset_ids"] = list(row["asset_ids"])
        out["asset_id"] = row.get("asset_id") or row["asset_ids"][0]
    return out


def save_occurrence(state: FakeState, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Booking#save! on an instance: only the occurrence's fields reach its row; the rest is lost."""
    key = (after["id"], after["instance"])
    row = state.booking_instances.get(key) or {"id": after["id"], "instance_start": after["instance"],
                                               "extension_data": None, "asset_ids": None, "asset_id": None,
                                               **{k: None for k in _APPROVAL}}
    for name in (*_OCCURRENCE_STATE, "history"):
        row[name] = after.get(name)
    if after.get("extension_data") != before.get("extension_data"):
        row["extension_data"] = dict(after.get("extension_data") or {})
    for name in _APPROVAL:
        if after.get(name) != before.get(name):
            row[name] = after.get(name)
    if after.get("asset_ids") != before.get("asset_ids") or after.get("asset_id") != before.get("asset_id"):
        row["asset_ids"], row["asset_id"] = list(after["asset_ids"]), after["asset_id"]
    state.booking_instances[key] = row
