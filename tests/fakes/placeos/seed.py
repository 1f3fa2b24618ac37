"""The deterministic demo site: Acme with a Sydney HQ (two levels) and a London office.

Times are laid out on "today" in each building's own timezone, relative to the fake's clock, so
a test frozen at any moment sees the same day's meetings, desk bookings and expected visitors.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes.placeos import booking_model as bm
from tests.fakes.placeos.event_model import build_event, metadata_for
from tests.fakes.placeos.state import FakeState, add_attendee_row, new_guest

SYD, LON = "Australia/Sydney", "Europe/London"
ORG, SYD_B, SYD_L1, SYD_L2, LON_B, LON_L1 = (
    "zone-acme", "zone-syd", "zone-syd-l1", "zone-syd-l2", "zone-lon", "zone-lon-l1")

# (id suffix, name, department, title, admin+support?)
PEOPLE = [
    ("reception", "Rita Reception", "reception@acme.example", "Front of House", "Receptionist", True),
    ("ada", "Ada Lovelace", "ada.lovelace@acme.example", "Engineering", "Engineer", False),
    ("alan", "Alan Turing", "alan.turing@acme.example", "Research", "Researcher", False),
    ("grace", "Grace Hopper", "grace.hopper@acme.example", "Engineering", "Engineering Manager", False),
    ("edsger", "Edsger Dijkstra", "edsger.dijkstra@acme.example", "Research", "Head of Research", False),
    ("barbara", "Barbara Liskov", "barbara.liskov@acme.example", "Engineering", "Architect", False),
    ("donald", "Donald Knuth", "donald.knuth@acme.example", "Publishing", "Editor", False),
    ("margaret", "Margaret Hamilton", "margaret.hamilton@acme.example", "Facilities", "Facilities Lead", False),
    ("linus", "Linus Torvalds", "linus.torvalds@acme.example", "Engineering", "Contractor", False),
]
DELETED_USERS = {"user-linus"}
MANAGERS = {"ada.lovelace": "grace.hopper", "barbara.liskov": "grace.hopper", "alan.turing": "edsger.dijkstra",
            "grace.hopper": "margaret.hamilton", "reception": "margaret.hamilton"}
GROUPS = [
    ("grp-engineering", "Engineering", "Product engineering", ["ada.lovelace", "grace.hopper", "barbara.liskov"]),
    ("grp-research", "Research", "Research lab", ["alan.turing", "edsger.dijkstra"]),
    ("grp-front-desk", "Front Desk", "Reception and facilities", ["reception", "margaret.hamilton"]),
]
# (id suffix, name, level zone, building zone, capacity, features, bookable, approval)
ROOMS = [
    ("ada", "Ada", SYD_L1, SYD_B, 8, ["vc", "whiteboard"], True, False),
    ("babbage", "Babbage", SYD_L1, SYD_B, 4, ["whiteboard"], True, False),
    ("curie", "Curie", SYD_L1, SYD_B, 12, ["vc", "wheelchair"], True, True),
    ("darwin", "Darwin", SYD_L1, SYD_B, 2, [], True, False),
    ("euler", "Euler", SYD_L2, SYD_B, 20, ["vc", "wheelchair", "whiteboard"], True, False),
    ("faraday", "Faraday", SYD_L2, SYD_B, 6, ["whiteboard"], True, False),
    ("gauss", "Gauss", SYD_L2, SYD_B, 4, ["vc"], False, False),
    ("hopper", "Hopper", LON_L1, LON_B, 10, ["vc", "wheelchair"], True, False),
    ("kelvin", "Kelvin", LON_L1, LON_B, 6, ["whiteboard"], True, False),
    ("newton", "Newton", LON_L1, LON_B, 3, [], True, False),
]


def _at(day: date, tz: str, hhmm: str) -> int:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return int(datetime.combine(day, time(hours, minutes), ZoneInfo(tz)).timestamp())


def seed_site(state: FakeState, now_dt: datetime) -> None:
    now = int(now_dt.timestamp())
    created = now - 86_400
    syd_day = now_dt.astimezone(ZoneInfo(SYD)).date()
    lon_day = now_dt.astimezone(ZoneInfo(LON)).date()
    _users(state, created)
    _zones(state, created)
    _systems(state, created)
    _metadata(state, created)
    _events(state, syd_day, lon_day, created)
    _bookings(state, syd_day, created)


def _users(state: FakeState, created: int) -> None:
    for suffix, name, email, department, title, privileged in PEOPLE:
        first, _, last = name.partition(" ")
        state.users[f"user-{suffix}"] = {
            "id": f"user-{suffix}", "email": email, "name": name, "first_name": first, "last_name": last,
            "nickname": first, "phone": f"+61 2 5550 {len(state.users) + 100:04d}", "department": department,
            "title": title, "building": SYD_B, "building_name": "Sydney HQ", "staff_id": f"S{len(state.users) + 1:04d}",
            "card_number": None, "groups": [g[0] for g in GROUPS if email.split("@")[0] in g[3]],
            "sys_admin": privileged, "support": privileged, "login_name": email, "image": None,
            "photo_upload_id": None, "work_preferences": [], "work_overrides": {}, "authority_id": "authority-acme",
            "deleted": f"user-{suffix}" in DELETED_USERS, "created_at": created, "updated_at": created,
        }
    state.passwords["reception@acme.example"] = "correct-horse-battery"
    state.passwords["ada.lovelace@acme.example"] = "analytical-engine"
    for person, manager in MANAGERS.items():
        state.managers[f"{person}@acme.example"] = f"{manager}@acme.example"
    for group_id, name, description, members in GROUPS:
        state.groups[group_id] = {"id": group_id, "name": name, "email": f"{group_id[4:]}@acme.example",
                                  "description": description}
        state.group_members[group_id] = [f"{m}@acme.example" for m in members]


def _zone(state: FakeState, zone_id: str, name: str, tags: list[str], parent: str | None, tz: str | None,
          created: int, **extra: Any) -> None:
    state.zones[zone_id] = {
        "id": zone_id, "name": name, "display_name": name, "description": "", "tags": tags, "location": None,
        "code": zone_id.removeprefix("zone-").upper(), "type": tags[0], "count": 0, "capacity": 0,
        "map_id": None, "timezone": tz, "parent_id": parent, "images": [], "triggers": [], "place_id": None,
        "created_at": created, "updated_at": created, **extra,
    }


def _zones(state: FakeState, created: int) -> None:
    _zone(state, ORG, "Acme", ["org"], None, None, created)
    _zone(state, SYD_B, "Sydney HQ", ["building"], ORG, SYD, created, location="-33.8688,151.2093")
    _zone(state, SYD_L1, "Level 1", ["level"], SYD_B, None, created, map_id="maps/syd-l1.svg")
    _zone(state, SYD_L2, "Level 2", ["level"], SYD_B, None, created, map_id="maps/syd-l2.svg")
    _zone(state, LON_B, "London Office", ["building"], ORG, LON, created, location="51.5072,-0.1276")
    _zone(state, LON_L1, "Level 1", ["level"], LON_B, None, created, map_id="maps/lon-l1.svg")


def _system(state: FakeState, system_id: str, name: str, email: str | None, zones: list[str], created: int,
            **extra: Any) -> None:
    state.systems[system_id] = {
        "id": system_id, "name": name, "display_name": name, "description": "", "email": email, "zones": zones,
        "modules": [], "features": [], "bookable": False, "public": False, "capacity": 0, "map_id": None,
        "code": None, "type": None, "images": [], "timezone": None, "approval": False, "support_url": "",
        "timetable_url": None, "room_booking_url": None, "camera_url": None, "camera_snapshot_urls": [],
        "installed_ui_devices": 0, "orientation": "unused", "signage": False, "version": 1,
        "created_at": created, "updated_at": created, **extra,
    }


def _systems(state: FakeState, created: int) -> None:
    for suffix, name, level, building, capacity, features, bookable, approval in ROOMS:
        _system(state, f"sys-{suffix}", name, f"{suffix}.room@acme.example", [ORG, building, level], created,
                capacity=capacity, features=features, bookable=bookable, approval=approval,
                map_id=f"room-{suffix}", display_name=f"{name} ({capacity})")
    _system(state, "sys-lobby-signage", "Lobby Signage", None, [ORG, SYD_B], created, signage=True,
            type="signage")


def _meta(state: FakeState, parent: str, name: str, details: Any, description: str, created: int) -> None:
    state.metadata.setdefault(parent, {})[name] = {
        "name": name, "description": description, "details": details, "parent_id": parent, "schema_id": None,
        "editors": [], "modified_by_id": "user-reception", "created_at": created, "updated_at": created,
    }


def _metadata(state: FakeState, created: int) -> None:
    desks = [{"id": f"desk-l1-{n:02d}", "map_id": f"desk-l1-{n:02d}", "name": f"Desk 1.{n:02d}",
              "bookable": n != 6, "groups": ["grp-engineering"] if n == 5 else [],
              "features": ["monitor", "standing"] if n <= 2 else ["monitor"]} for n in range(1, 7)]
    _meta(state, SYD_L1, "desks", desks, "Desks on Level 1", created)
    _meta(state, SYD_B, "settings", {"timezone": SYD, "visitor_space": "Reception, Level 1",
                                     "phone": "+61 2 5550 0000", "address": "1 Harbour St, Sydney NSW",
                                     "booking_details": {"desk": {"max_days": 14}}, "currency": "AUD"},
          "Building settings", created)
    _meta(state, LON_B, "settings", {"timezone": LON, "visitor_space": "Ground floor desk",
                                     "phone": "+44 20 5550 0000", "currency": "GBP"}, "Building settings", created)


def _people(state: FakeState) -> dict[str, dict[str, Any]]:
    return {u["email"].split("@")[0].split(".")[0]: u for u in state.users.values()}


def _events(state: FakeState, syd_day: date, lon_day: date, created: int) -> None:
    people = _people(state)
    plan = [  # (room, host, title, day, tz, start, end, extras)
        ("ada", "ada", "Weekly sync", syd_day, SYD, "09:00", "10:00", {"attendees": ["alan", "grace"]}),
        ("ada", "alan", "1:1", syd_day, SYD, "11:00", "11:30", {"private": True, "attendees": ["edsger"]}),
        ("ada", "grace", "Client visit", syd_day, SYD, "14:00", "15:00",
         {"visitor": ("Sam Client", "sam.client@partner.example"), "ext": {"catering": True, "notes": "Tea for 4"}}),
        ("babbage", "edsger", "Design review", syd_day, SYD, "10:00", "11:00", {"attendees": ["barbara"]}),
        ("babbage", "barbara", "Standup", syd_day, SYD, "15:00", "15:15", {"cancelled": True}),
        ("curie", "barbara", "Board prep", syd_day, SYD, "13:00", "14:00", {"attendees": ["donald"]}),
        ("euler", "donald", "All hands", syd_day, SYD, "09:30", "11:30", {"attendees": ["ada", "alan", "grace"]}),
        ("faraday", "margaret", "Lunch and learn", syd_day, SYD, "12:00", "13:00", {}),
        ("hopper", "grace", "London standup", lon_day, LON, "10:00", "10:30", {}),
        ("kelvin", "edsger", "Planning", lon_day, LON, "14:00", "15:30", {"attendees": ["alan"]}),
    ]
    for room, host, title, day, tz, start, end, extra in plan:
        attendees = [{"name": people[p]["name"], "email": people[p]["email"]} for p in extra.get("attendees", [])]
        if "visitor" in extra:
            name, email = extra["visitor"]
            attendees.append({"name": name, "email": email, "visit_expected": True})
        body = {"title": title, "event_start": _at(day, tz, start), "event_end": _at(day, tz, end),
                "system_id": f"sys-{room}", "attendees": attendees, "private": extra.get("private", False),
                "timezone": tz, "body": f"{title} agenda"}
        event = build_event(state, body, host=people[host], creator=people[host]["email"], now=created,
                            default_tz=tz)
        if extra.get("cancelled"):
            event["status"] = "cancelled"
        state.events[event["id"]] = event
        meta = metadata_for(state, event, event["system_id"], created, create=True)
        assert meta is not None
        meta["ext_data"] = dict(extra.get("ext", {}))
        for raw in attendees:
            if raw.get("visit_expected"):
                guest = new_guest(state, {"email": raw["email"], "name": raw["name"], "organisation": "Partner Co"},
                                  created)
                add_attendee_row(state, guest, event_ref=event["id"], system_id=event["system_id"])


def _bookings(state: FakeState, day: date, created: int) -> None:
    people = _people(state)
    level = [ORG, SYD_B, SYD_L1]
    plan: list[dict[str, Any]] = [
        {"booking_type": "desk", "asset_id": "desk-l1-01", "who": "ada", "start": "09:00", "end": "17:00",
         "zones": level, "title": "Desk 1.01", "approved": True},
        {"booking_type": "desk", "asset_id": "desk-l1-02", "who": "alan", "start": "09:00", "end": "17:00",
         "zones": level, "title": "Desk 1.02"},
        {"booking_type": "parking", "asset_id": "park-b1-07", "who": "grace", "start": "08:00", "end": "18:00",
         "zones": [ORG, SYD_B], "title": "Parking B1.07", "approved": True,
         "extension_data": {"plate_number": "GRACE1"}},
        {"booking_type": "visitor", "visitor": ("Jane Visitor", "jane.visitor@example.com", "Example Pty"),
         "who": "ada", "start": "10:00", "end": "11:00", "zones": level, "title": "Interview"},
        {"booking_type": "visitor", "visitor": ("Omar Guest", "omar.guest@example.org", "Guest Org"),
         "who": "alan", "start": "13:00", "end": "14:00", "zones": level, "title": "Research chat"},
        {"booking_type": "visitor", "visitor": ("Li Wei", "li.wei@example.net", "Supplier Ltd"),
         "who": "grace", "start": "08:30", "end": "12:00", "zones": level, "title": "Supplier workshop",
         "checked_in": True},
    ]
    for item in plan:
        host = people[item["who"]]
        booking = bm.blank_booking(state.next_id("booking", 1001), created)
        booking.update(
            booking_type=item["booking_type"], booking_start=_at(day, SYD, item["start"]),
            booking_end=_at(day, SYD, item["end"]), timezone=SYD, zones=list(item["zones"]),
            user_id=host["id"], user_email=host["email"], user_name=host["name"], title=item["title"],
            department=host["department"], booked_by_id=host["id"], booked_by_email=host["email"],
            booked_by_name=host["name"], booked_from="seed", extension_data=dict(item.get("extension_data", {})))
        visitor = item.get("visitor")
        asset = visitor[1] if visitor else item["asset_id"]
        booking.update(asset_id=asset, asset_ids=[asset], asset_name=visitor[0] if visitor else None)
        booking["history"] = [{"state": "reserved", "time": created, "source": "seed"}]
        if item.get("approved"):
            booking.update(approved=True, approved_at=created, approver_id="user-reception",
                           approver_name="Rita Reception", approver_email="reception@acme.example")
        if item.get("checked_in"):
            booking.update(checked_in=True, checked_in_at=booking["booking_start"])
            booking["history"].append({"state": "checked_in", "time": booking["booking_start"], "source": "kiosk"})
        state.bookings[booking["id"]] = booking
        if visitor:
            name, email, org = visitor
            guest = new_guest(state, {"email": email, "name": name, "organisation": org,
                                      "phone": "+61 400 000 000"}, created)
            add_attendee_row(state, guest, booking_id=booking["id"], checked_in=bool(item.get("checked_in")))


def seed_day_bounds(now_dt: datetime, tz: str = SYD) -> tuple[int, int]:
    """Epoch bounds of the seed's "today" in a building's timezone (handy in tests)."""
    day = now_dt.astimezone(ZoneInfo(tz)).date()
    start = datetime.combine(day, time(0), ZoneInfo(tz))
    return int(start.timestamp()), int((start + timedelta(days=1)).timestamp())
