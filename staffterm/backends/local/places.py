"""Zones, rooms and assets of the local site (read side)."""

from __future__ import annotations

from collections.abc import Sequence

from staffterm.backends.coerce import check_capacity
from staffterm.backends.local.store import (
    Asset,
    Session,
    all_assets,
    all_rooms,
    all_zones,
    dumps,
    find_room,
    find_zone,
    room_from_row,
)
from staffterm.errors import InvalidInputError, NotFoundError
from staffterm.models import Room, Zone, ZoneKind

_KIND_ORDER = {kind.value: i for i, kind in enumerate(ZoneKind)}


def _clean_query(query: str | None) -> str | None:
    if query is None:
        return None
    text = query.strip().lower()
    return text or None


def list_zones(
    s: Session,
    *,
    parent_id: str | None = None,
    kind: str | None = None,
    tags: Sequence[str] = (),
    query: str | None = None,
) -> list[Zone]:
    if kind is not None and kind not in _KIND_ORDER:
        known = ", ".join(_KIND_ORDER)
        raise InvalidInputError(f"unknown zone kind {kind!r} (one of: {known})", field="kind")
    if parent_id is not None and find_zone(s.conn, parent_id) is None:
        raise NotFoundError(f"no zone with id {parent_id!r}")
    text = _clean_query(query)
    wanted_tags = {t.lower() for t in tags}
    zones = [
        z
        for z in all_zones(s.conn)
        if (parent_id is None or z.parent_id == parent_id)
        and (kind is None or z.kind == kind)
        and wanted_tags <= {t.lower() for t in z.tags}
        and (text is None or text in z.name.lower())
    ]
    zones.sort(key=lambda z: (_KIND_ORDER.get(z.kind.value, 99), z.parent_id or "", z.name.lower(), z.id))
    return zones


def get_zone(s: Session, zone_id: str) -> Zone:
    zone = find_zone(s.conn, zone_id)
    if zone is None:
        raise NotFoundError(f"no zone with id {zone_id!r}", hint="List zones with `staffterm zones`.")
    return zone


def require_room(s: Session, room_id: str) -> Room:
    if not isinstance(room_id, str) or not room_id.strip():
        raise InvalidInputError("a room id is empty", field="room_ids")
    room = find_room(s.conn, room_id)
    if room is None:
        raise NotFoundError(f"no room with id or email {room_id!r}", hint="List rooms with `staffterm rooms`.")
    return room


def zone_and_descendants(s: Session, zone_id: str) -> set[str]:
    """The zone's id and the ids of every zone beneath it (a building holds its levels)."""
    # Walked in SQL rather than by loading every zone; UNION (not UNION ALL) drops ids already
    # found, so a cycle in the parents ends the walk.
    rows = s.conn.execute(
        "WITH RECURSIVE below(id) AS (SELECT ? UNION SELECT z.id FROM zones z JOIN below ON z.parent_id = below.id) "
        "SELECT id FROM below",
        (zone_id,),
    )
    return {row[0] for row in rows}


def list_rooms(
    s: Session,
    *,
    zone_id: str | None = None,
    capacity: int | None = None,
    features: Sequence[str] = (),
    bookable: bool | None = None,
    query: str | None = None,
) -> list[Room]:
    check_capacity(capacity)
    if zone_id is None:
        candidates = all_rooms(s.conn)
    else:
        get_zone(s, zone_id)
        # Only the zone's rooms are read, through the room_zones index (schema step 2): a
        # level's free/busy must not load the whole estate.
        within = sorted(zone_and_descendants(s, zone_id))
        candidates = [
            room_from_row(row)
            for row in s.conn.execute(
                "SELECT * FROM rooms WHERE id IN (SELECT room_id FROM room_zones WHERE zone_id IN "
                "(SELECT value FROM json_each(?))) ORDER BY id",
                (dumps(within),),
            )
        ]
    text = _clean_query(query)
    rooms = [
        r
        for r in candidates
        if (capacity is None or r.capacity >= capacity)
        and r.has_features(list(features))
        and (bookable is None or r.bookable == bookable)
        and (text is None or text in r.name.lower() or text in r.email or text in r.id.lower())
    ]
    return rooms


def rooms_for(s: Session, room_ids: Sequence[str] = (), zone_id: str | None = None) -> list[Room]:
    """The named rooms plus every room of the zone; every room when neither is given."""
    if not room_ids and zone_id is None:
        return all_rooms(s.conn)
    found: dict[str, Room] = {}
    for room_id in room_ids:
        room = require_room(s, room_id)
        found.setdefault(room.id, room)
    if zone_id is not None:
        for room in list_rooms(s, zone_id=zone_id):
            found.setdefault(room.id, room)
    return list(found.values())


def room_timezone(s: Session, room: Room) -> str | None:
    """The IANA zone of the building a room is in (the first zone on its path with one)."""
    for zone_id in room.zone_ids:
        zone = find_zone(s.conn, zone_id)
        if zone is not None and zone.timezone:
            return zone.timezone
    return None


def list_assets(s: Session, *, type: str | None = None, zone_id: str | None = None) -> list[Asset]:
    within: set[str] | None = None
    if zone_id is not None:
        get_zone(s, zone_id)
        within = zone_and_descendants(s, zone_id)
    return [
        a
        for a in all_assets(s.conn)
        if (type is None or a.type == type) and (within is None or within.intersection(a.zone_ids))
    ]
