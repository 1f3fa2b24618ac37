"""PlaceOS bookings and guests <-> Booking / BookingDraft / BookingPatch / Guest.

A Guest's ``id`` names the visit, so a check-in knows which PlaceOS route to call:
``booking:<booking_id>:<email>`` (a visitor booking) or ``event:<system_id>:<event_id>:<email>``
(a meeting guest); a guest with no visit in view is named by its email.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# The visit ids are shared with every provider whose visits are meetings (backends/guest_ids.py).
from staffterm.backends.guest_ids import booking_guest_id, event_guest_id, parse_guest_id  # noqa: F401
from staffterm.backends.placeos.convert_common import (
    build,
    ext_data,
    from_epoch,
    malformed,
    opt_epoch,
    require_mapping,
    str_list,
    to_epoch,
    valid_timezone,
    wire_bool,
    wire_email,
    wire_id,
    wire_text,
)
from staffterm.backends.placeos.convert_events import (
    attendee_to_wire,
    attendees_from_wire,
    event_from_wire,
)
from staffterm.models import (
    Asset,
    Booking,
    BookingDraft,
    BookingPatch,
    BookingState,
    EventStatus,
    Guest,
    GuestDraft,
    GuestPatch,
    HistoryEntry,
    Room,
)
from staffterm.rules import booking_state

# --------------------------------------------------------------------------- bookings


def _history(data: Mapping[str, Any]) -> list[HistoryEntry]:
    raw = data.get("history") or []
    if not isinstance(raw, list):
        raise malformed("booking", "history is not a list")
    out: list[HistoryEntry] = []
    for item in raw:
        item = require_mapping(item, "booking history entry")
        state = wire_text(item, "state", "booking history entry")
        if not state or item.get("time") is None:
            continue
        source = item.get("source")
        by = item.get("by") or item.get("user_email")
        out.append(
            build(
                HistoryEntry,
                "booking history entry",
                state=state,
                time=from_epoch(item.get("time"), "time", "booking history entry"),
                source=str(source) if source else None,
                by=str(by) if by else None,
            )
        )
    return out


def _booking_state(value: Any) -> BookingState | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return BookingState(value.strip().lower())
    except ValueError:
        return BookingState.UNKNOWN


def booking_from_wire(data: Any, *, now: datetime | None = None) -> Booking:
    """A PlaceOS booking -> Booking. ``current_state`` is PlaceOS's own; when a reply lacks it
    (older servers, clash lists) it is computed with PlaceOS's rules at ``now``."""
    data = require_mapping(data, "booking")
    booking_id = wire_id(data, "booking")
    thing = f"booking {booking_id}"
    kind = wire_text(data, "booking_type", thing).strip()
    if not kind:
        raise malformed(thing, "no booking_type")
    asset_ids = str_list(data, "asset_ids", thing)
    if not asset_ids:
        single = wire_text(data, "asset_id", thing).strip()
        asset_ids = [single] if single else []
    if not asset_ids:
        raise malformed(thing, "no asset_id")
    start = from_epoch(data.get("booking_start"), "booking_start", thing)
    end = from_epoch(data.get("booking_end"), "booking_end", thing)
    if end <= start:
        raise malformed(thing, f"it ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    checked_in_at = opt_epoch(data, "checked_in_at", thing)
    checked_out_at = opt_epoch(data, "checked_out_at", thing)
    deleted_at = opt_epoch(data, "deleted_at", thing)
    state = _booking_state(data.get("current_state"))
    if state is None:
        state = booking_state(
            start=start,
            end=end,
            now=now or datetime.now(UTC),
            checked_in=wire_bool(data, "checked_in"),
            checked_in_at=checked_in_at,
            checked_out_at=checked_out_at,
            rejected=wire_bool(data, "rejected"),
            deleted=wire_bool(data, "deleted"),
            deleted_at=deleted_at,
        )
    process_state = data.get("process_state")
    approver = wire_email(data, "approver_email", thing)
    extension = ext_data(data)
    asset_name = data.get("asset_name")
    if isinstance(asset_name, str) and asset_name.strip():
        # PlaceOS names a visitor booking's asset (the visitor) in asset_name; the console reads
        # names from extension_data, where staffterm's own bookings keep them. Only a label: a
        # garbled one is dropped, not a reason to hide the booking.
        extension.setdefault("asset_name", asset_name.strip())
    return build(
        Booking,
        thing,
        id=booking_id,
        type=kind,
        asset_ids=asset_ids,
        zones=str_list(data, "zones", thing),
        user_email=wire_email(data, "user_email", thing),
        user_name=wire_text(data, "user_name", thing),
        booked_by_email=wire_email(data, "booked_by_email", thing),
        booked_by_name=wire_text(data, "booked_by_name", thing),
        start=start,
        end=end,
        timezone=valid_timezone(data.get("timezone")),
        title=wire_text(data, "title", thing),
        description=wire_text(data, "description", thing),
        all_day=wire_bool(data, "all_day"),
        checked_in=wire_bool(data, "checked_in"),
        checked_in_at=checked_in_at,
        checked_out_at=checked_out_at,
        approved=wire_bool(data, "approved"),
        approved_at=opt_epoch(data, "approved_at", thing),
        rejected=wire_bool(data, "rejected"),
        rejected_at=opt_epoch(data, "rejected_at", thing),
        approver_email=approver.lower() or None,
        deleted=wire_bool(data, "deleted"),
        deleted_at=deleted_at,
        state=state,
        process_state=str(process_state) if process_state not in (None, "") else None,
        attendees=attendees_from_wire(data, thing),
        history=_history(data),
        extension_data=extension,
        created=opt_epoch(data, "created_at", thing),
        updated=opt_epoch(data, "updated_at", thing),
    )


def desks_from_wire(row: Any) -> list[Asset]:
    """The bookable desks of one ``GET /metadata/{zone}/children?name=desks`` row
    (``{zone, metadata: {desks: {details: [desk, …]}}}``), filed under the level and its building.

    A desk list is edited by hand in PlaceOS's backoffice: an entry that is not a desk object, has
    no id, or is marked ``bookable: false`` is left out rather than failing the whole list."""
    if not isinstance(row, Mapping):
        return []
    zone = row.get("zone")
    metadata = row.get("metadata")
    if not isinstance(zone, Mapping) or not isinstance(metadata, Mapping):
        return []
    entry = metadata.get("desks")
    details = entry.get("details") if isinstance(entry, Mapping) else None
    if not isinstance(details, list):
        return []
    level = str(zone.get("id") or "").strip()
    parent = str(zone.get("parent_id") or "").strip()
    zone_ids = tuple(z for z in (parent, level) if z)
    desks: list[Asset] = []
    for desk in details:
        if not isinstance(desk, Mapping) or desk.get("bookable") is False:
            continue
        desk_id = desk.get("id")
        if not isinstance(desk_id, str) or not desk_id.strip():
            continue
        name = desk.get("name")
        features = desk.get("features")
        desks.append(
            Asset(
                id=desk_id.strip(),
                type="desk",
                name=name.strip() if isinstance(name, str) and name.strip() else desk_id.strip(),
                zone_ids=zone_ids,
                features=tuple(f for f in features if isinstance(f, str)) if isinstance(features, list) else (),
            )
        )
    return desks


def booking_draft_to_wire(draft: BookingDraft) -> dict[str, Any]:
    body: dict[str, Any] = {
        "booking_type": draft.type,
        "asset_id": draft.asset_ids[0],
        "asset_ids": list(draft.asset_ids),
        "booking_start": to_epoch(draft.start),
        "booking_end": to_epoch(draft.end),
        "zones": list(draft.zones),
        "title": draft.title,
        "description": draft.description,
        "all_day": draft.all_day,
        "attendees": [attendee_to_wire(a) for a in draft.attendees],
        "extension_data": dict(draft.extension_data),
    }
    if draft.timezone:
        body["timezone"] = draft.timezone
    if draft.user_email:
        body["user_email"] = draft.user_email.strip().lower()
    if draft.user_name:
        body["user_name"] = draft.user_name
    if draft.approved:
        body["approved"] = True
    return body


def booking_patch_to_wire(patch: BookingPatch) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if patch.asset_ids is not None:
        if not patch.asset_ids:
            raise ValueError("a booking needs at least one asset")
        body["asset_id"] = patch.asset_ids[0]
        body["asset_ids"] = list(patch.asset_ids)
    if patch.zones is not None:
        body["zones"] = list(patch.zones)
    if patch.start is not None:
        body["booking_start"] = to_epoch(patch.start)
    if patch.end is not None:
        body["booking_end"] = to_epoch(patch.end)
    for name in ("title", "description", "user_name"):
        value = getattr(patch, name)
        if value is not None:
            body[name] = value
    if patch.user_email is not None:
        body["user_email"] = patch.user_email.strip().lower()
    if patch.attendees is not None:
        body["attendees"] = [attendee_to_wire(a) for a in patch.attendees]
    if patch.extension_data is not None:
        body["extension_data"] = dict(patch.extension_data)
    return body


# --------------------------------------------------------------------------- guests


def guest_from_wire(
    data: Any,
    *,
    booking: Mapping[str, Any] | None = None,
    event: Mapping[str, Any] | None = None,
    rooms_by_email: Mapping[str, Room] | None = None,
    now: datetime | None = None,
) -> Guest:
    """A PlaceOS guest (optionally with the ``booking`` or ``event`` it is attending, either
    embedded as PlaceOS returns it or passed in) -> Guest whose id names the visit."""
    data = require_mapping(data, "guest")
    email = wire_email(data, "email", "guest")
    if not email:
        raise malformed("guest", "no email")
    booking = booking if booking is not None else data.get("booking")
    event = event if event is not None else data.get("event")
    fields: dict[str, Any] = {
        "email": email,
        "name": wire_text(data, "name", "guest") or wire_text(data, "preferred_name", "guest"),
        "phone": wire_text(data, "phone", "guest"),
        "organisation": wire_text(data, "organisation", "guest"),
        "notes": wire_text(data, "notes", "guest"),
        "checked_in": wire_bool(data, "checked_in"),
        "visit_expected": wire_bool(data, "visit_expected", True),
        "extension_data": ext_data(data),
    }
    if isinstance(booking, Mapping) and booking:
        visit = booking_from_wire(booking, now=now)
        fields.update(
            id=booking_guest_id(visit.id, email),
            host_email=visit.user_email,
            host_name=visit.user_name,
            visit_start=visit.start,
            visit_end=visit.end,
            zone_ids=list(visit.zones),
            booking_id=visit.id,
        )
        attendee = next((a for a in visit.attendees if a.email == email), None)
        if "checked_in" not in data:
            # The guest's own attendee row says whether they are in; without one, a visitor
            # booking is checked in when its visitor is (PlaceOS keeps the two in step).
            if attendee is not None:
                fields["checked_in"] = attendee.checked_in
            else:
                fields["checked_in"] = visit.checked_in and visit.checked_out_at is None and visit.type == "visitor"
        if visit.checked_in_at is not None and (fields["checked_in"] or visit.type == "visitor"):
            fields["checked_in_at"] = visit.checked_in_at
            fields["checked_out_at"] = None if fields["checked_in"] else visit.checked_out_at
        if visit.deleted or visit.rejected:
            fields["visit_expected"] = False
        if not fields["organisation"]:
            fields["organisation"] = str(visit.extension_data.get("organisation") or "")
        if not fields["phone"]:
            fields["phone"] = str(visit.extension_data.get("phone") or "")
    elif isinstance(event, Mapping) and event:
        meeting = event_from_wire(event, rooms_by_email=rooms_by_email)
        system_id = meeting.room_ids[0] if meeting.room_ids else ""
        system = event.get("system")
        zone_ids = str_list(system, "zones", "guest") if isinstance(system, Mapping) else []
        if not zone_ids and rooms_by_email:
            for room in rooms_by_email.values():
                if room.id == system_id:
                    zone_ids = list(room.zone_ids)
                    break
        host = meeting.host
        host_name = next((a.name for a in meeting.attendees if a.email == host and host), "")
        fields.update(
            id=event_guest_id(system_id, meeting.id, email),
            host_email=host,
            host_name=host_name,
            visit_start=meeting.start,
            visit_end=meeting.end,
            zone_ids=zone_ids,
            event_id=meeting.id,
        )
        attendee = next((a for a in meeting.attendees if a.email == email), None)
        if attendee is not None and "checked_in" not in data:
            fields["checked_in"] = attendee.checked_in
        if meeting.status == EventStatus.CANCELLED:
            fields["visit_expected"] = False
    else:
        fields["id"] = email
    return build(Guest, "guest", **fields)


def guest_to_wire(item: GuestDraft | GuestPatch) -> dict[str, Any]:
    """The guest record's own fields (POST/PATCH ``/guests``); host and visit times belong to
    the visit (a visitor booking), not to the guest."""
    body: dict[str, Any] = {}
    if isinstance(item, GuestDraft):
        body.update(email=item.email, name=item.name)
    elif item.name is not None:
        body["name"] = item.name.strip()
    for key in ("phone", "organisation", "notes"):
        value = getattr(item, key)
        if value is not None and (value or isinstance(item, GuestPatch)):
            body[key] = value.strip()
    if item.extension_data:
        body["extension_data"] = dict(item.extension_data)
    return body
