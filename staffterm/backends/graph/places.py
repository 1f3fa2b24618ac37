"""The estate from the Places API (api-reference/v1.0/api/place-list.md): rooms, room lists and,
where the tenant has them, buildings and floors, every page followed.

Zones: buildings and their floors (resources/building.md, floor.md: a floor's ``parentId`` is
its building); room lists are zones too — the building level in a tenant without buildings in
Places (the older, still common set-up), an area beside the buildings otherwise. A room is in
its floor (``parentId``, resources/room.md) and that floor's building, else in the building
whose name its free-text ``building`` field carries, and in every room list that lists it
(rooms of a list are read by the list's emailAddress, "not by its id", place-list.md).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from staffterm.backends.graph.convert import building_zone, floor_zone, room_from_wire, room_list_zone
from staffterm.errors import InvalidInputError, NotFoundError, PermissionDeniedError, StafftermError
from staffterm.models import Room, Zone

if TYPE_CHECKING:
    from staffterm.backends.graph.backend_core import GraphCore

ROOMS = "/places/microsoft.graph.room"
ROOM_LISTS = "/places/microsoft.graph.roomList"
BUILDINGS = "/places/microsoft.graph.building"
FLOORS = "/places/microsoft.graph.floor"


async def _optional(core: GraphCore, path: str) -> list[Any]:
    """Buildings and floors exist only where the tenant set up the newer Places hierarchy (and the
    Places list API is documented for the global cloud only): a tenant without them has none."""
    try:
        return await core.all_pages(path)
    except (InvalidInputError, NotFoundError) as exc:
        core.warn(f"no {path.rsplit('.', 1)[-1]}s from the Places API ({exc.message}); using room lists")
        return []


async def read_estate(core: GraphCore) -> tuple[dict[str, Zone], dict[str, Room]]:
    raw_rooms, raw_lists, raw_buildings, raw_floors = await asyncio.gather(
        core.all_pages(ROOMS), core.all_pages(ROOM_LISTS), _optional(core, BUILDINGS), _optional(core, FLOORS))
    buildings = core.convert_rows(raw_buildings, building_zone, "building")
    floors = core.convert_rows(raw_floors, floor_zone, "floor")
    lists = core.convert_rows(raw_lists, lambda r: room_list_zone(r, as_building=not buildings), "room list")
    members = await asyncio.gather(*(_list_members(core, z.id) for z in lists))
    in_lists: dict[str, list[str]] = {}
    for zone, emails in zip(lists, members, strict=True):
        for email in emails:
            in_lists.setdefault(email, []).append(zone.id)
    floor_parent = {f.id: f.parent_id for f in floors}
    building_by_name = {b.name.lower(): b.id for b in buildings}

    def convert(row: Any) -> Room:
        zone_ids: list[str] = []
        parent = str(row.get("parentId") or "") if isinstance(row, dict) else ""
        if parent in floor_parent:
            if floor_parent[parent]:
                zone_ids.append(str(floor_parent[parent]))
            zone_ids.append(parent)
        elif isinstance(row, dict) and str(row.get("building") or "").lower() in building_by_name:
            zone_ids.append(building_by_name[str(row["building"]).lower()])
        email = str(row.get("emailAddress") or "").lower() if isinstance(row, dict) else ""
        return room_from_wire(row, [*zone_ids, *in_lists.get(email, [])])

    rooms = core.convert_rows(raw_rooms, convert, "room")
    zones = {z.id: z for z in [*buildings, *floors, *lists]}
    zones = await with_time_zones(core, zones, rooms)
    return zones, {r.email: r for r in rooms}


async def with_time_zones(core: GraphCore, zones: dict[str, Zone], rooms: list[Room]) -> dict[str, Zone]:
    """Each zone's time zone: that of the working hours of one of its room mailboxes.

    Places carries no time zone (resources/building.md, floor.md, roomlist.md). getSchedule
    returns each schedule's ``workingHours`` with its ``timeZone`` (calendar-getschedule.md,
    resources/workinghours.md), which Exchange sets from the mailbox's regional settings: one
    getSchedule call over the next 15 minutes, with one room per zone, reads them all, with
    the Calendars.Read permission free/busy needs anyway (mailboxSettings would need
    MailboxSettings.Read, which the app registration steps do not grant). A zone whose rooms say
    nothing takes the tenant's ``time_zone`` setting.
    """
    from datetime import timedelta

    from staffterm.backends.graph.freebusy import plan_calls, run_schedules
    from staffterm.backends.graph.windows_zones import iana_zone

    fallback = getattr(core.settings, "time_zone", None)
    sample: dict[str, str] = {}  # zone id -> the room mailbox asked for it
    for room in sorted(rooms, key=lambda r: r.email):
        for zone_id in room.zone_ids:
            sample.setdefault(zone_id, room.email)
    found: dict[str, str] = {}
    emails = sorted(set(sample.values()))
    if emails:
        start = core.clock.now()
        calls = plan_calls(emails)
        kwargs = {"sleep": core._sleep} if core._sleep is not None else {}
        try:
            await run_schedules(core.http, calls, start, start + timedelta(minutes=15), 15, **kwargs)
        except StafftermError as exc:
            core.warn(f"the rooms' time zones could not be read ({exc.message})")
            calls = []
        for call in calls:
            for info in call.value or []:
                if not isinstance(info, dict):
                    continue
                hours = info.get("workingHours") if isinstance(info.get("workingHours"), dict) else {}
                zone_name = (hours.get("timeZone") or {}).get("name") if isinstance(hours.get("timeZone"), dict) else None
                iana = iana_zone(zone_name)
                if iana:
                    found[str(info.get("scheduleId") or "").lower()] = iana
    out: dict[str, Zone] = {}
    missing: list[str] = []
    for zone_id, zone in zones.items():
        tz = found.get(sample.get(zone_id, "")) or fallback
        if tz is None:
            missing.append(zone.name)
        out[zone_id] = zone.model_copy(update={"timezone": tz}) if tz else zone
    if missing and emails:
        core.warn(f"no time zone for {len(missing)} zone(s) (first: {missing[0]}); "
                  "set time_zone in the tenant's settings")
    return out


async def _list_members(core: GraphCore, list_email: str) -> list[str]:
    try:
        rows = await core.all_pages(f"/places/{quote(list_email, safe='@.')}/microsoft.graph.roomList/rooms")
    except (NotFoundError, PermissionDeniedError) as exc:
        core.warn(f"the rooms of room list {list_email} could not be read: {exc.message}")
        return []
    except StafftermError:
        raise
    return [str(r.get("emailAddress")).lower() for r in rows if isinstance(r, dict) and r.get("emailAddress")]
