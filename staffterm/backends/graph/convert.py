"""Graph's wire shapes (Places API, getSchedule, directory) to staffterm's models.

Rooms are keyed by their mailbox address (lower case): the Places ``id`` "is not immutable and
can change" with the mailbox or tenant configuration (resources/room.md), the address is what
getSchedule, attendees and calendarView take anyway.

The fields follow resources/room.md; place-list.md's own sample differs (capacity as a string,
``displayDevice``, ``isWheelchairAccessible``), so both spellings are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from staffterm.errors import UnavailableError
from staffterm.models import BusyBlock, BusyStatus, Calendar, Group, Room, RoomAvailability, User, Zone, ZoneKind

# availabilityView digits (resources/scheduleinformation.md): 0 free, 1 tentative, 2 busy,
# 3 out of office, 4 working elsewhere. Anything else is unknown, and unknown is never free.
VIEW_DIGITS = {"0": BusyStatus.FREE, "1": BusyStatus.TENTATIVE, "2": BusyStatus.BUSY, "3": BusyStatus.OOF,
               "4": BusyStatus.ELSEWHERE}
# scheduleItem.status (resources/scheduleitem.md); the concept page capitalises them, so compared
# in lower case. "unknown" is shown busy: the room's calendar could not say it is free.
ITEM_STATUS = {"free": BusyStatus.FREE, "tentative": BusyStatus.TENTATIVE, "busy": BusyStatus.BUSY,
               "oof": BusyStatus.OOF, "workingelsewhere": BusyStatus.ELSEWHERE, "unknown": BusyStatus.BUSY}
UNKNOWN_TITLE = "status unknown"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _int(value: Any) -> int:
    try:
        return max(0, int(str(value).strip()))
    except (TypeError, ValueError):
        return 0


def parse_dtz(value: Any, what: str = "time") -> datetime:
    """A ``dateTimeTimeZone`` ({dateTime without offset, timeZone}) as an aware datetime. We ask
    for UTC (``Prefer: outlook.timezone="UTC"``); an IANA name is read too."""
    if not isinstance(value, dict) or not isinstance(value.get("dateTime"), str):
        raise UnavailableError(f"Microsoft Graph sent a {what} that is not a dateTimeTimeZone: {value!r}")
    text = value["dateTime"].strip()
    head, dot, fraction = text.partition(".")
    if dot:
        text = f"{head}.{fraction[:6]}"  # Graph sends seven fractional digits
    try:
        moment = datetime.fromisoformat(text.rstrip("Z"))
    except ValueError:
        raise UnavailableError(f"Microsoft Graph sent an unreadable {what}: {value['dateTime']!r}") from None
    if moment.tzinfo is not None:
        return moment
    name = str(value.get("timeZone") or "UTC")
    if name.upper() in ("UTC", "Z", "ETC/UTC", "COORDINATED UNIVERSAL TIME") or name == "tzone://Microsoft/Utc":
        return moment.replace(tzinfo=UTC)
    try:
        return moment.replace(tzinfo=ZoneInfo(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise UnavailableError(f"Microsoft Graph sent a {what} in a time zone we cannot read: {name!r}",
                               hint='We ask for UTC (Prefer: outlook.timezone="UTC"); this reply ignored it.') from None


def to_dtz(moment: datetime) -> dict[str, str]:
    """An aware datetime as a ``dateTimeTimeZone`` in UTC."""
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- places


def building_zone(data: Any) -> Zone:
    if not isinstance(data, dict) or not data.get("id"):
        raise UnavailableError(f"Microsoft Graph sent a building without an id: {data!r}")
    return Zone(id=str(data["id"]), name=_text(data.get("displayName")) or str(data["id"]), kind=ZoneKind.BUILDING,
                tags=["building", *[str(t) for t in data.get("tags") or []]], description=_address(data.get("address")))


def floor_zone(data: Any) -> Zone:
    if not isinstance(data, dict) or not data.get("id"):
        raise UnavailableError(f"Microsoft Graph sent a floor without an id: {data!r}")
    return Zone(id=str(data["id"]), name=_text(data.get("displayName")) or _text(data.get("label")) or str(data["id"]),
                kind=ZoneKind.LEVEL, parent_id=str(data["parentId"]) if data.get("parentId") else None,
                tags=["level"], description=_text(data.get("label")))


def room_list_zone(data: Any, *, as_building: bool) -> Zone:
    """A room list: the building level where a tenant has no buildings in Places, else an area."""
    if not isinstance(data, dict) or not data.get("emailAddress"):
        raise UnavailableError(f"Microsoft Graph sent a room list without an emailAddress: {data!r}")
    email = str(data["emailAddress"]).lower()
    return Zone(id=email, name=_text(data.get("displayName")) or email,
                kind=ZoneKind.BUILDING if as_building else ZoneKind.AREA, tags=["roomlist"],
                description=_address(data.get("address")))


def _address(address: Any) -> str:
    if not isinstance(address, dict):
        return ""
    parts = [address.get(k) for k in ("street", "city", "state", "postalCode", "countryOrRegion")]
    return ", ".join(str(p) for p in parts if p)


def room_features(data: dict[str, Any]) -> list[str]:
    features = [str(t).strip() for t in data.get("tags") or [] if str(t).strip()]
    devices = {"audio": data.get("audioDeviceName"), "video": data.get("videoDeviceName"),
               "display": data.get("displayDeviceName", data.get("displayDevice"))}
    features += [name for name, device in devices.items() if _text(device)]
    return list(dict.fromkeys(features))


def room_from_wire(data: Any, zone_ids: Sequence[str] = ()) -> Room:
    if not isinstance(data, dict) or not _text(data.get("emailAddress")):
        raise UnavailableError(f"Microsoft Graph sent a room without an emailAddress: {str(data)[:200]}")
    email = _text(data["emailAddress"]).lower()
    accessible = bool(data.get("isWheelChairAccessible", data.get("isWheelchairAccessible")))
    devices = [f"{kind}: {_text(data.get(key))}" for kind, key in
               (("audio", "audioDeviceName"), ("video", "videoDeviceName"), ("display", "displayDeviceName"))
               if _text(data.get(key))]
    where = " · ".join(p for p in (_text(data.get("building")), _text(data.get("floorLabel")),
                                   _text(data.get("label"))) if p)
    return Room(
        id=email, email=email, name=_text(data.get("displayName")) or email, zone_ids=list(dict.fromkeys(zone_ids)),
        capacity=_int(data.get("capacity")), features=room_features(data),
        # bookingType "reserved": "first-come, first-served", not reservable (resources/room.md).
        bookable=str(data.get("bookingType") or "standard").lower() != "reserved",
        accessible=accessible, description=" — ".join(p for p in (where, ", ".join(devices)) if p),
    )


# --------------------------------------------------------------------------- free/busy


def availability_from_schedule(info: Any, room_id: str, start: datetime, end: datetime,
                               interval: int) -> RoomAvailability:
    """One ``scheduleInformation``: its items where given, and every slot of ``availabilityView``
    that no item covers (a calendar sharing only free/busy may still list items; the view is the
    authority on each slot)."""
    email = str(info.get("scheduleId") or room_id).lower() if isinstance(info, dict) else room_id
    if not isinstance(info, dict):
        return RoomAvailability(room_id=room_id, email=email, start=start, end=end,
                                error="Microsoft Graph sent no schedule for this room")
    error = info.get("error")
    if isinstance(error, dict) and not info.get("availabilityView"):
        return RoomAvailability(room_id=room_id, email=email, start=start, end=end,
                                error=_text(error.get("message")) or "Microsoft Graph could not read this calendar")
    blocks: list[BusyBlock] = []
    for item in info.get("scheduleItems") or []:
        if not isinstance(item, dict):
            continue
        status = ITEM_STATUS.get(str(item.get("status") or "unknown").lower(), BusyStatus.BUSY)
        if status == BusyStatus.FREE:
            continue
        begin, finish = parse_dtz(item.get("start"), "start"), parse_dtz(item.get("end"), "end")
        if finish <= begin:
            continue
        private = bool(item.get("isPrivate"))
        unknown = str(item.get("status") or "").lower() not in ITEM_STATUS or str(item.get("status")).lower() == "unknown"
        # A room that puts the organiser's name in the subject shows just that: it is what the
        # room's calendar shares, not a private meeting's title (those come with isPrivate).
        title = None if private else (_text(item.get("subject")) or (UNKNOWN_TITLE if unknown else None))
        blocks.append(BusyBlock(start=begin, end=finish, status=status, title=title, private=private))
    blocks += _uncovered_slots(str(info.get("availabilityView") or ""), blocks, start, end, interval)
    blocks.sort(key=lambda b: (b.start, b.end))
    return RoomAvailability(room_id=room_id, email=email, start=start, end=end, blocks=blocks)


def _uncovered_slots(view: str, blocks: list[BusyBlock], start: datetime, end: datetime,
                     interval: int) -> list[BusyBlock]:
    out: list[BusyBlock] = []
    step = timedelta(minutes=interval)
    for index, digit in enumerate(view):
        slot_start = start + index * step
        if slot_start >= end:
            break
        status = VIEW_DIGITS.get(digit)
        if status == BusyStatus.FREE:
            continue
        slot_end = min(slot_start + step, end)
        if any(b.start <= slot_start and slot_end <= b.end for b in blocks):
            continue
        block = BusyBlock(start=slot_start, end=slot_end, status=status or BusyStatus.BUSY,
                          title=None if status is not None else UNKNOWN_TITLE)
        if out and out[-1].end == block.start and out[-1].status == block.status and out[-1].title == block.title:
            out[-1] = out[-1].model_copy(update={"end": block.end})
        else:
            out.append(block)
    return out


# --------------------------------------------------------------------------- directory


def user_from_wire(data: Any) -> User:
    if not isinstance(data, dict) or not data.get("id"):
        raise UnavailableError(f"Microsoft Graph sent a user without an id: {str(data)[:200]}")
    email = _text(data.get("mail")) or _text(data.get("userPrincipalName"))
    phones = data.get("businessPhones") or []
    return User(id=str(data["id"]), email=email.lower(), name=_text(data.get("displayName")),
                phone=_text(phones[0]) if phones else _text(data.get("mobilePhone")),
                department=_text(data.get("department")), title=_text(data.get("jobTitle")),
                office_location=_text(data.get("officeLocation")),
                suspended=data.get("accountEnabled") is False)


def group_from_wire(data: Any) -> Group:
    if not isinstance(data, dict) or not data.get("id"):
        raise UnavailableError(f"Microsoft Graph sent a group without an id: {str(data)[:200]}")
    return Group(id=str(data["id"]), name=_text(data.get("displayName")) or str(data["id"]),
                 email=_text(data.get("mail")).lower(), description=_text(data.get("description")))


def calendar_from_wire(data: Any) -> Calendar:
    if not isinstance(data, dict) or not data.get("id"):
        raise UnavailableError(f"Microsoft Graph sent a calendar without an id: {str(data)[:200]}")
    owner = data.get("owner") if isinstance(data.get("owner"), dict) else {}
    return Calendar(id=str(data["id"]), name=_text(data.get("name")), owner_email=_text(owner.get("address")).lower(),
                    primary=bool(data.get("isDefaultCalendar")), can_edit=bool(data.get("canEdit")))
