"""The demo estate: Acme Corp in London and New York, written out as data, and the zones, rooms,
assets, people and groups built from it. It never changes; ``seed`` plans each day's activity
in it.

Ids are stable so tests and screenshots can rely on them: ``org-acme``, ``bld-lon``,
``bld-nyc``, ``lvl-lon-1``…, ``rm-lon-1-01``…, ``desk-lon-2-01``…, ``park-lon-01``….
"""

from __future__ import annotations

from dataclasses import dataclass

from staffterm.models import (
    Asset,
    Group,
    Room,
    User,
    Zone,
    ZoneKind,
)

DOMAIN = "acme.example"
ORG_ID = "org-acme"
ORG_NAME = "Acme Corp"


@dataclass(frozen=True)
class DemoBuilding:
    id: str
    short: str
    name: str
    timezone: str
    levels: int


BUILDINGS: tuple[DemoBuilding, ...] = (
    DemoBuilding("bld-lon", "lon", "London — Bishopsgate", "Europe/London", 4),
    DemoBuilding("bld-nyc", "nyc", "New York — Hudson Yards", "America/New_York", 3),
)

# (level, name, capacity, features, accessible, bookable)
_ROOMS: dict[str, list[tuple[int, str, int, tuple[str, ...], bool, bool]]] = {
    "lon": [
        (1, "Thames", 8, ("screen", "vc", "whiteboard"), True, True),
        (1, "Fleet", 4, ("screen",), True, True),
        (1, "Walbrook", 6, ("screen", "whiteboard"), True, True),
        (1, "Tyburn", 2, ("phone",), False, True),
        (1, "Wellbeing Room", 2, (), True, False),
        (2, "Bloomsbury", 10, ("screen", "vc", "whiteboard"), False, True),
        (2, "Clerkenwell", 6, ("screen", "vc"), False, True),
        (2, "Shoreditch", 4, ("screen",), False, True),
        (2, "Spitalfields", 2, ("phone",), False, True),
        (2, "Smithfield", 8, ("screen", "whiteboard"), False, True),
        (3, "Greenwich", 12, ("screen", "vc", "whiteboard"), True, True),
        (3, "Richmond", 6, ("screen", "vc"), False, True),
        (3, "Hampstead", 4, ("whiteboard",), False, True),
        (3, "Kew", 2, ("phone",), False, True),
        (3, "Battersea", 8, ("screen", "vc"), False, True),
        (3, "Southwark", 14, ("screen", "vc", "whiteboard", "approval"), True, True),
        (4, "Boardroom", 20, ("screen", "vc", "whiteboard", "approval"), True, True),
        (4, "Monument", 6, ("screen", "vc"), False, True),
        (4, "Barbican", 8, ("screen", "whiteboard"), False, True),
        (4, "Guildhall", 4, ("screen",), False, True),
        (4, "Aldgate", 2, ("phone",), False, True),
    ],
    "nyc": [
        (1, "Hudson", 8, ("screen", "vc", "whiteboard"), True, True),
        (1, "East River", 6, ("screen", "vc"), True, True),
        (1, "Battery", 4, ("screen",), True, True),
        (1, "Quiet Room", 2, (), True, False),
        (2, "Chelsea", 10, ("screen", "vc", "whiteboard"), False, True),
        (2, "Tribeca", 6, ("screen", "vc"), False, True),
        (2, "SoHo", 4, ("screen", "whiteboard"), False, True),
        (2, "Nolita", 2, ("phone",), False, True),
        (2, "Flatiron", 8, ("screen", "vc"), False, True),
        (2, "Gramercy", 4, ("whiteboard",), False, True),
        (3, "Boardroom", 20, ("screen", "vc", "whiteboard", "approval"), True, True),
        (3, "Harlem", 12, ("screen", "vc", "whiteboard"), True, True),
        (3, "Brooklyn", 6, ("screen", "vc"), False, True),
        (3, "Queens", 6, ("screen",), False, True),
        (3, "Bronx", 4, ("screen", "whiteboard"), False, True),
        (3, "Staten", 2, ("phone",), False, True),
        (3, "Liberty", 8, ("screen", "vc"), False, True),
        (3, "Empire", 14, ("screen", "vc", "whiteboard", "approval"), True, True),
        (3, "Chrysler", 4, ("screen",), False, True),
    ],
}

# (name, building short, department, title, manager name, phone)
_PEOPLE: list[tuple[str, str, str, str, str | None, str]] = [
    ("Amelia Hart", "lon", "Executive", "Managing Director", None, "+44 20 7946 0101"),
    ("Priya Shah", "lon", "Reception", "Front of House Lead", "Oliver Grant", "+44 20 7946 0102"),
    ("Oliver Grant", "lon", "Facilities", "Facilities Manager", "Amelia Hart", "+44 20 7946 0103"),
    ("Tom Baker", "lon", "Facilities", "Workplace Coordinator", "Oliver Grant", "+44 20 7946 0104"),
    ("Chloe Evans", "lon", "Engineering", "Head of Engineering", "Amelia Hart", "+44 20 7946 0105"),
    ("James Walker", "lon", "Engineering", "Senior Engineer", "Chloe Evans", "+44 20 7946 0106"),
    ("Sophie Turner", "lon", "Engineering", "Product Designer", "Chloe Evans", "+44 20 7946 0107"),
    ("Harry Patel", "lon", "Sales", "Account Director", "Amelia Hart", "+44 20 7946 0108"),
    ("Grace Kim", "lon", "Finance", "Financial Controller", "Amelia Hart", "+44 20 7946 0109"),
    ("Daniel Okafor", "lon", "People", "HR Business Partner", "Amelia Hart", "+44 20 7946 0110"),
    ("Emily Clarke", "lon", "Marketing", "Marketing Manager", "Harry Patel", "+44 20 7946 0111"),
    ("Michael Chen", "nyc", "Executive", "US General Manager", "Amelia Hart", "+1 212 555 0101"),
    ("Marcus Reid", "nyc", "Reception", "Receptionist", "Sarah Johnson", "+1 212 555 0102"),
    ("Sarah Johnson", "nyc", "Facilities", "Office Manager", "Michael Chen", "+1 212 555 0103"),
    ("David Rodriguez", "nyc", "Engineering", "Engineering Manager", "Chloe Evans", "+1 212 555 0104"),
    ("Aisha Thompson", "nyc", "Engineering", "Software Engineer", "David Rodriguez", "+1 212 555 0105"),
    ("Kevin O'Brien", "nyc", "Sales", "Sales Executive", "Harry Patel", "+1 212 555 0106"),
    ("Ryan Foster", "nyc", "Sales", "Sales Engineer", "Kevin O'Brien", "+1 212 555 0107"),
    ("Laura Martinez", "nyc", "Legal", "Counsel", "Michael Chen", "+1 212 555 0108"),
    ("Natalie Brooks", "nyc", "Marketing", "Events Lead", "Emily Clarke", "+1 212 555 0109"),
]

# (id, name, description, departments or names of the members)
_GROUPS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("grp-reception", "Reception", "Front of house in both buildings", ("Reception",)),
    ("grp-facilities", "Facilities", "Workplace and building services", ("Facilities",)),
    ("grp-engineering", "Engineering", "Product engineering and design", ("Engineering",)),
    ("grp-sales", "Sales", "Sales and account management", ("Sales",)),
    ("grp-leadership", "Leadership", "Office leads", ("Amelia Hart", "Michael Chen", "Chloe Evans", "Harry Patel")),
]


def email_of(name: str, domain: str = DOMAIN) -> str:
    local = ".".join(part for part in name.lower().replace("'", "").split())
    return f"{local}@{domain}"


def building(building_id: str) -> DemoBuilding:
    for b in BUILDINGS:
        if b.id == building_id:
            return b
    raise KeyError(building_id)


def level_id(b: DemoBuilding, level: int) -> str:
    return f"lvl-{b.short}-{level}"


# --------------------------------------------------------------------------- the estate


@dataclass
class DemoEstate:
    zones: list[Zone]
    rooms: list[Room]
    assets: list[Asset]
    users: list[User]
    groups: list[tuple[Group, list[str]]]


def demo_estate() -> DemoEstate:
    zones = [Zone(id=ORG_ID, name=ORG_NAME, kind=ZoneKind.ORG, tags=["org"])]
    rooms: list[Room] = []
    assets: list[Asset] = []
    for b in BUILDINGS:
        zones.append(
            Zone(id=b.id, name=b.name, kind=ZoneKind.BUILDING, parent_id=ORG_ID, timezone=b.timezone, tags=["building"])
        )
        for level in range(1, b.levels + 1):
            zones.append(
                Zone(
                    id=level_id(b, level),
                    name=f"Level {level}",
                    kind=ZoneKind.LEVEL,
                    parent_id=b.id,
                    timezone=b.timezone,
                    tags=["level"],
                )
            )
        counters: dict[int, int] = {}
        for level, name, capacity, features, accessible, bookable in _ROOMS[b.short]:
            counters[level] = counters.get(level, 0) + 1
            room_id = f"rm-{b.short}-{level}-{counters[level]:02d}"
            rooms.append(
                Room(
                    id=room_id,
                    email=f"{room_id}@{DOMAIN}",
                    name=name,
                    zone_ids=[b.id, level_id(b, level)],
                    capacity=capacity,
                    features=list(features),
                    bookable=bookable,
                    accessible=accessible,
                    description="Needs approval from reception" if "approval" in features else "",
                )
            )
        for level, count in ((2, 6), (3, 4)):
            for n in range(1, count + 1):
                desk_id = f"desk-{b.short}-{level}-{n:02d}"
                features = ("dual-monitor",) if n % 2 else ("standing",)
                assets.append(Asset(desk_id, "desk", f"Desk {level}.{n:02d}", (b.id, level_id(b, level)), features))
        for n in range(1, 6):
            features = ("ev-charger",) if n == 1 else ()
            assets.append(Asset(f"park-{b.short}-{n:02d}", "parking", f"Parking bay {n}", (b.id,), features))
        for n in range(1, 4):
            assets.append(Asset(f"locker-{b.short}-1-{n:02d}", "locker", f"Locker {n}", (b.id, level_id(b, 1))))
    users = []
    by_name = {p[0]: p for p in _PEOPLE}
    for name, short, department, title, manager, phone in _PEOPLE:
        office = next(b.name for b in BUILDINGS if b.short == short)
        users.append(
            User(
                id=f"usr-{email_of(name).split('@')[0]}",
                email=email_of(name),
                name=name,
                phone=phone,
                department=department,
                title=title,
                office_location=office,
                manager_email=email_of(by_name[manager][0]) if manager else None,
            )
        )
    groups = []
    for group_id, name, description, members in _GROUPS:
        emails = [u.email for u in users if u.department in members or u.name in members]
        groups.append((Group(id=group_id, name=name, email=f"{group_id[4:]}@{DOMAIN}", description=description), emails))
    return DemoEstate(zones=zones, rooms=rooms, assets=assets, users=users, groups=groups)
