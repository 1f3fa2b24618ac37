"""The deterministic demo tenant: Acme, with a Sydney head office (two floors) and a London office.

Meetings are laid out on "today" in each building's zone relative to the fake's clock, through
the same create path a client uses, so the rooms' copies and replies are the real ones.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes.graph.state import TENANT_DOMAIN, GraphState

SYD, LON = "Australia/Sydney", "Europe/London"
SYD_WIN, LON_WIN = "AUS Eastern Standard Time", "GMT Standard Time"

# (alias, name, department, title, office, zone)
PEOPLE = [
    ("reception", "Rita Reception", "Front of House", "Receptionist", "Sydney HQ", SYD_WIN),
    ("ada.lovelace", "Ada Lovelace", "Engineering", "Engineer", "Sydney HQ", SYD_WIN),
    ("alan.turing", "Alan Turing", "Research", "Researcher", "London", LON_WIN),
    ("grace.hopper", "Grace Hopper", "Engineering", "Engineering Manager", "Sydney HQ", SYD_WIN),
    ("edsger.dijkstra", "Edsger Dijkstra", "Research", "Head of Research", "London", LON_WIN),
    ("barbara.liskov", "Barbara Liskov", "Engineering", "Architect", "Sydney HQ", SYD_WIN),
    ("donald.knuth", "Donald Knuth", "Publishing", "Editor", "London", LON_WIN),
    ("margaret.hamilton", "Margaret Hamilton", "Facilities", "Facilities Lead", "Sydney HQ", SYD_WIN),
]
MANAGERS = {"ada.lovelace": "grace.hopper", "barbara.liskov": "grace.hopper", "alan.turing": "edsger.dijkstra",
            "grace.hopper": "margaret.hamilton", "reception": "margaret.hamilton"}
GROUPS = [
    ("Engineering", "Product engineering", ["ada.lovelace", "grace.hopper", "barbara.liskov"]),
    ("Research", "Research lab", ["alan.turing", "edsger.dijkstra"]),
    ("Front Desk", "Reception and facilities", ["reception", "margaret.hamilton"]),
]
BUILDINGS = [("syd", "Sydney HQ", "1 Harbour St", "Sydney", "NSW", "2000", "AU", SYD_WIN),
             ("lon", "London Office", "10 Strand", "London", "", "WC2N 5HR", "GB", LON_WIN)]
FLOORS = [("syd-1", "syd", "Level 1", 1), ("syd-2", "syd", "Level 2", 2), ("lon-1", "lon", "First floor", 1)]
# (alias, name, building, floor id, floor number, capacity, features, bookingType, av)
ROOMS = [
    ("room.ada", "Ada", "syd", "syd-1", 1, 8, ["whiteboard"], "standard", True),
    ("room.babbage", "Babbage", "syd", "syd-1", 1, 4, ["whiteboard"], "standard", False),
    ("room.curie", "Curie", "syd", "syd-1", 1, 12, ["wheelchair"], "standard", True),
    ("room.darwin", "Darwin", "syd", "syd-1", 1, 2, [], "standard", False),
    ("room.euler", "Euler", "syd", "syd-2", 2, 20, ["whiteboard", "wheelchair"], "standard", True),
    ("room.faraday", "Faraday", "syd", "syd-2", 2, 6, ["whiteboard"], "standard", False),
    ("room.gauss", "Gauss", "syd", "syd-2", 2, 4, [], "reserved", True),
    ("room.hopper", "Hopper", "lon", "lon-1", 1, 10, ["wheelchair"], "standard", True),
    ("room.kelvin", "Kelvin", "lon", "lon-1", 1, 6, ["whiteboard"], "standard", False),
    ("room.newton", "Newton", "lon", "lon-1", 1, 3, [], "standard", False),
]


def oid(kind: str, key: str) -> str:
    """Stable directory/place ids (GUIDs, like the real ones) derived from a readable key."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"fake-graph:{kind}:{key}"))


def email(alias: str) -> str:
    return f"{alias}@{TENANT_DOMAIN}"


def seed_tenant(state: GraphState, now: datetime) -> None:
    _directory(state)
    _places(state)
    _meetings(state, now)


def _directory(state: GraphState) -> None:
    for alias, name, department, title, office, zone in PEOPLE:
        given, _, surname = name.partition(" ")
        user_id = oid("user", alias)
        state.users[user_id] = {
            "id": user_id, "displayName": name, "givenName": given, "surname": surname, "jobTitle": title,
            "mail": email(alias), "userPrincipalName": email(alias), "officeLocation": office,
            "businessPhones": [f"+61 2 5550 {len(state.users):04d}"], "mobilePhone": None, "preferredLanguage": "en-AU",
        }
        state.user_extra[user_id] = {"department": department, "accountEnabled": True}
        state.mailbox_zones[email(alias)] = zone
    for alias, manager in MANAGERS.items():
        state.managers[oid("user", alias)] = oid("user", manager)
    for name, description, members in GROUPS:
        group_id = oid("group", name)
        nickname = name.lower().replace(" ", "-")
        state.groups[group_id] = {"id": group_id, "displayName": name, "description": description,
                                  "mail": email(nickname), "mailNickname": nickname, "mailEnabled": True,
                                  "securityEnabled": True, "groupTypes": ["Unified"], "visibility": "Private"}
        state.group_members[group_id] = [oid("user", m) for m in members]


def _address(street: str, city: str, region: str, code: str, country: str) -> dict[str, str]:
    return {"street": street, "city": city, "state": region, "postalCode": code, "countryOrRegion": country}


def _places(state: GraphState) -> None:
    for key, name, street, city, region, code, country, _zone in BUILDINGS:
        state.places[oid("building", key)] = {
            "@odata.type": "#microsoft.graph.building", "id": oid("building", key), "displayName": name,
            "address": _address(street, city, region, code, country), "geoCoordinates": None, "phone": None,
            "label": key.upper(), "tags": [], "isWheelChairAccessible": True, "parentId": None,
        }
        list_email = email(f"rooms.{key}")
        state.places[oid("roomlist", key)] = {
            "@odata.type": "#microsoft.graph.roomList", "id": oid("roomlist", key), "displayName": name,
            "emailAddress": list_email, "address": _address(street, city, region, code, country),
            "geoCoordinates": None, "phone": None,
        }
        state.room_list_members[list_email] = []
    for key, building, label, number in FLOORS:
        state.places[oid("floor", key)] = {
            "@odata.type": "#microsoft.graph.floor", "id": oid("floor", key), "displayName": label, "label": label,
            "sortOrder": number, "parentId": oid("building", building), "tags": [], "isWheelChairAccessible": True,
        }
    buildings = {b[0]: b for b in BUILDINGS}
    for alias, name, building, floor, number, capacity, features, booking, av in ROOMS:
        _, bname, street, city, region, code, country, zone = buildings[building]
        room_id = oid("room", alias)
        state.places[room_id] = {
            "@odata.type": "#microsoft.graph.room", "id": room_id, "emailAddress": email(alias),
            "displayName": f"{name} ({bname})", "nickname": name, "label": f"{number}.{name[:2].upper()}",
            "address": _address(street, city, region, code, country), "geoCoordinates": None, "phone": None,
            "building": bname, "floorNumber": number, "floorLabel": dict((f[0], f[2]) for f in FLOORS)[floor],
            "capacity": capacity, "bookingType": booking, "isWheelChairAccessible": "wheelchair" in features,
            "audioDeviceName": "Ceiling array" if av else None, "videoDeviceName": "Teams Room camera" if av else None,
            "displayDeviceName": "75in display" if av else None, "tags": [f for f in features if f != "wheelchair"],
            "parentId": oid("floor", floor),
        }
        state.room_list_members[email(f"rooms.{building}")].append(email(alias))
        state.mailbox_zones[email(alias)] = zone


def _at(day: date, tz: str, hhmm: str) -> datetime:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), ZoneInfo(tz))


def _dtz(moment: datetime) -> dict[str, Any]:
    return {"dateTime": moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def _meetings(state: GraphState, now: datetime) -> None:
    from tests.fakes.graph.events_store import create_event

    syd_day = now.astimezone(ZoneInfo(SYD)).date()
    lon_day = now.astimezone(ZoneInfo(LON)).date()
    plan = [
        ("grace.hopper", "Sprint planning", syd_day, SYD, "09:00", "10:00", "room.euler", ["ada.lovelace"], True),
        ("ada.lovelace", "Design review", syd_day, SYD, "11:00", "12:00", "room.ada", ["barbara.liskov"], False),
        ("reception", "Visitor briefing", syd_day, SYD, "14:00", "14:30", "room.curie", [], False),
        ("edsger.dijkstra", "Reading group", lon_day, LON, "10:00", "11:30", "room.hopper", ["alan.turing"], False),
    ]
    for organizer, subject, day, tz, start, end, room, people, online in plan:
        begin, finish = _at(day, tz, start), _at(day, tz, end)
        attendees = [{"emailAddress": {"address": email(p)}, "type": "required"} for p in people]
        attendees.append({"emailAddress": {"address": email(room)}, "type": "resource"})
        create_event(state, email(organizer), {
            "subject": subject, "start": _dtz(begin), "end": _dtz(finish), "attendees": attendees,
            "location": {"displayName": room, "locationEmailAddress": email(room)}, "isOnlineMeeting": online,
        }, now - timedelta(days=1), defer_rooms=False)
    # Ada is out of office in the afternoon (a free/busy "3" in her availabilityView).
    create_event(state, email("ada.lovelace"), {
        "subject": "Dentist", "showAs": "oof", "sensitivity": "private",
        "start": _dtz(_at(syd_day, SYD, "15:00")), "end": _dtz(_at(syd_day, SYD, "17:00")),
    }, now - timedelta(days=1), defer_rooms=False)
