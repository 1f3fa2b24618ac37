"""PlaceOS wire format <-> staffterm domain models (pure functions, no I/O).

The wire side is what the Staff API and the engine API send and accept (placeos.md §1.7, §2):
epoch seconds, ``booking_type``, ``event_start``, ``system`` objects. Anything PlaceOS sends
that cannot become a model (a missing id, no start, end before start, a list where a string
belongs) raises ``UnavailableError("PlaceOS sent a malformed <thing>: ...")``: the server is at
fault, not the operator, and a raw ``KeyError``/``ValidationError`` would tell them nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from staffterm.backends.placeos.convert_bookings import (
    booking_draft_to_wire,
    booking_from_wire,
    booking_guest_id,
    booking_patch_to_wire,
    desks_from_wire,
    event_guest_id,
    guest_from_wire,
    guest_to_wire,
    parse_guest_id,
)
from staffterm.backends.placeos.convert_common import (
    APPROVAL_FEATURE,
    build,
    from_epoch,
    malformed,
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
    attendee_from_wire,
    attendee_to_wire,
    event_from_wire,
    event_system_id,
    event_to_wire,
)
from staffterm.models import (
    BusyBlock,
    BusyStatus,
    Calendar,
    Group,
    Room,
    RoomAvailability,
    User,
    Zone,
    ZoneKind,
)

# Zone tags in hierarchy order; the first a zone carries decides its kind.
ZONE_KIND_TAGS: tuple[tuple[str, ZoneKind], ...] = (
    ("org", ZoneKind.ORG),
    ("region", ZoneKind.REGION),
    ("building", ZoneKind.BUILDING),
    ("level", ZoneKind.LEVEL),
    ("area", ZoneKind.AREA),
)
_ACCESSIBLE_WORDS = ("wheelchair", "accessib")


# --------------------------------------------------------------------------- zones and rooms


def zone_kind(tags: Sequence[str]) -> ZoneKind:
    lowered = {t.lower() for t in tags}
    for tag, kind in ZONE_KIND_TAGS:
        if tag in lowered:
            return kind
    return ZoneKind.OTHER


def zone_from_wire(data: Any) -> Zone:
    data = require_mapping(data, "zone")
    zone_id = wire_id(data, "zone")
    tags = str_list(data, "tags", "zone")
    name = wire_text(data, "display_name", "zone").strip() or wire_text(data, "name", "zone").strip() or zone_id
    parent = data.get("parent_id")
    return build(
        Zone,
        "zone",
        id=zone_id,
        name=name,
        kind=zone_kind(tags),
        parent_id=str(parent) if isinstance(parent, (str, int)) and str(parent).strip() else None,
        timezone=valid_timezone(data.get("timezone")),
        tags=tags,
        description=wire_text(data, "description", "zone"),
    )


def is_accessible(features: Sequence[str]) -> bool:
    return any(word in f.lower() for f in features for word in _ACCESSIBLE_WORDS)


def room_from_wire(data: Any) -> Room | None:
    """An engine system -> Room; ``None`` for a system without a mailbox (signage, a panel):
    without a calendar it cannot be booked or shown on a free/busy board."""
    data = require_mapping(data, "room")
    room_id = wire_id(data, "room")
    email = wire_email(data, "email", "room")
    if not email:
        return None
    features = str_list(data, "features", "room")
    if wire_bool(data, "approval") and APPROVAL_FEATURE not in {f.lower() for f in features}:
        features.append(APPROVAL_FEATURE)
    capacity = data.get("capacity")
    if capacity is None or capacity == "":
        capacity = 0
    if isinstance(capacity, bool) or not isinstance(capacity, (int, float, str)):
        raise malformed("room", f"capacity of {room_id} is {type(capacity).__name__}")
    try:
        seats = max(int(capacity), 0)
    except ValueError:
        raise malformed("room", f"capacity of {room_id} is {capacity!r}") from None
    name = wire_text(data, "display_name", "room").strip() or wire_text(data, "name", "room").strip() or email
    return build(
        Room,
        "room",
        id=room_id,
        email=email,
        name=name,
        zone_ids=str_list(data, "zones", "room"),
        capacity=seats,
        features=features,
        bookable=wire_bool(data, "bookable", True),
        accessible=is_accessible(features),
        description=wire_text(data, "description", "room"),
    )


def _busy_status(value: Any) -> BusyStatus | None:
    text = value.strip().lower() if isinstance(value, str) else "busy"
    if text == "free":
        return None
    try:
        return BusyStatus(text)
    except ValueError:
        # Unknown statuses are treated as busy: showing a room free when it is not is worse.
        return BusyStatus.BUSY


def availability_from_wire(
    data: Any,
    *,
    start: datetime,
    end: datetime,
    rooms_by_email: Mapping[str, Room] | None = None,
) -> RoomAvailability:
    """One ``/calendars/free_busy`` row -> RoomAvailability (free blocks dropped)."""
    data = require_mapping(data, "free/busy row")
    calendar = wire_id(data, "free/busy row").lower()
    system = data.get("system")
    room_id = None
    if isinstance(system, Mapping) and system.get("id"):
        room_id = str(system["id"])
    elif rooms_by_email and calendar in rooms_by_email:
        room_id = rooms_by_email[calendar].id
    raw_blocks = data.get("availability") or []
    if not isinstance(raw_blocks, list):
        raise malformed("free/busy row", f"availability of {calendar} is not a list")
    blocks: list[BusyBlock] = []
    for raw in raw_blocks:
        raw = require_mapping(raw, "free/busy block")
        status = _busy_status(raw.get("status"))
        if status is None:
            continue
        b_start = from_epoch(raw.get("starts_at"), "starts_at", "free/busy block")
        b_end = from_epoch(raw.get("ends_at"), "ends_at", "free/busy block")
        if b_end <= b_start:
            raise malformed("free/busy block", f"{calendar} has a block ending before it starts")
        blocks.append(BusyBlock(start=b_start, end=b_end, status=status))
    blocks.sort(key=lambda b: (b.start, b.end))
    return build(
        RoomAvailability, "free/busy row", room_id=room_id or calendar, email=calendar, start=start, end=end, blocks=blocks
    )


# --------------------------------------------------------------------------- directory


def user_from_wire(data: Any) -> User:
    """A Staff API User (``/people``) or an engine User (``/users``) -> User."""
    data = require_mapping(data, "person")
    email = wire_email(data, "email", "person")
    if not email:
        raise malformed("person", "no email")
    raw_id = data.get("id")
    user_id = str(raw_id).strip() if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) else ""
    name = wire_text(data, "name", "person") or " ".join(
        p for p in (wire_text(data, "first_name", "person"), wire_text(data, "last_name", "person")) if p
    )
    manager = data.get("manager_email")
    return build(
        User,
        "person",
        id=user_id or email,
        email=email,
        name=name or wire_text(data, "nickname", "person"),
        phone=wire_text(data, "phone", "person"),
        department=wire_text(data, "department", "person"),
        title=wire_text(data, "title", "person"),
        office_location=wire_text(data, "office_location", "person"),
        manager_email=str(manager).strip().lower() if isinstance(manager, str) and manager.strip() else None,
        suspended=wire_bool(data, "suspended") or wire_bool(data, "deleted"),
    )


def group_from_wire(data: Any) -> Group:
    data = require_mapping(data, "group")
    group_id = wire_id(data, "group")
    return build(
        Group,
        "group",
        id=group_id,
        name=wire_text(data, "name", "group") or wire_text(data, "email", "group") or group_id,
        email=wire_email(data, "email", "group"),
        description=wire_text(data, "description", "group"),
    )


def calendar_from_wire(data: Any, *, owner_email: str = "") -> Calendar:
    """``{id, ref, summary, primary, can_edit}``; on O365 the id is the owner's mailbox."""
    data = require_mapping(data, "calendar")
    calendar_id = wire_id(data, "calendar")
    owner = calendar_id.lower() if "@" in calendar_id else owner_email.strip().lower()
    return build(
        Calendar,
        "calendar",
        id=calendar_id,
        name=wire_text(data, "summary", "calendar") or wire_text(data, "name", "calendar") or calendar_id,
        owner_email=owner,
        primary=wire_bool(data, "primary"),
        can_edit=wire_bool(data, "can_edit"),
    )


__all__ = [
    "attendee_from_wire",
    "attendee_to_wire",
    "availability_from_wire",
    "booking_draft_to_wire",
    "booking_from_wire",
    "booking_guest_id",
    "booking_patch_to_wire",
    "calendar_from_wire",
    "desks_from_wire",
    "event_from_wire",
    "event_guest_id",
    "event_system_id",
    "event_to_wire",
    "from_epoch",
    "group_from_wire",
    "guest_from_wire",
    "guest_to_wire",
    "malformed",
    "parse_guest_id",
    "room_from_wire",
    "to_epoch",
    "user_from_wire",
    "valid_timezone",
    "zone_from_wire",
]
