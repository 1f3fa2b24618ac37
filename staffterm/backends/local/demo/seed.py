"""A day of activity on the demo estate (``estate``): meetings, guests and bookings for each building.

They are generated from the date alone (``random.Random`` seeded with the date's ordinal), so the
same date always gives the same day, in each building's own time zone. Nothing here touches a
database: the local backend stores what this returns.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from staffterm.backends.local.demo.estate import BUILDINGS, DemoBuilding, DemoEstate, demo_estate, email_of
from staffterm.models import (
    Attendee,
    Booking,
    Event,
    Guest,
    HistoryEntry,
    ResponseStatus,
    Room,
)
from staffterm.times import local_date, local_moment

MEET_URL = "https://meet.acme.example/"
DAY_START = 8 * 60  # minutes after local midnight
DAY_END = 18 * 60

# (name, organisation, mail domain)
_VISITORS: list[tuple[str, str, str]] = [
    ("Olivia Bennett", "Northwind Traders", "northwind.example"),
    ("Lucas Meyer", "Contoso Ltd", "contoso.example"),
    ("Hannah Lewis", "Fabrikam", "fabrikam.example"),
    ("Noah Williams", "Tailspin Toys", "tailspin.example"),
    ("Isabella Rossi", "Globex", "globex.example"),
    ("Ethan Brown", "Initech", "initech.example"),
    ("Mia Johansson", "Wide World Importers", "wideworld.example"),
    ("Leo Dubois", "Adventure Works", "adventure-works.example"),
    ("Zara Ahmed", "Litware", "litware.example"),
    ("Samuel Green", "Proseware", "proseware.example"),
    ("Ava Nguyen", "Woodgrove Bank", "woodgrove.example"),
    ("Jacob Cohen", "Lamna Healthcare", "lamna.example"),
    ("Ella Murphy", "Alpine Ski House", "alpineskihouse.example"),
    ("Henry Wilson", "Coho Winery", "cohowinery.example"),
    ("Lily Tanaka", "Fourth Coffee", "fourthcoffee.example"),
    ("Oscar Novak", "Trey Research", "treyresearch.example"),
    ("Ruby Singh", "Blue Yonder Airlines", "blueyonder.example"),
    ("Max Fischer", "Humongous Insurance", "humongous.example"),
]

_TITLES = [
    "Weekly team sync", "Project kickoff", "Design review", "Quarterly planning", "Client pitch",
    "1:1", "Sprint retrospective", "Budget review", "Hiring panel", "Vendor briefing",
    "Product demo", "Architecture review", "Board prep", "All-hands rehearsal", "Customer workshop",
    "Partner catch-up", "Onboarding session", "Legal review", "Marketing stand-up", "Incident review",
]  # fmt: skip

# Per building: how many meetings get external guests, and how many visitor bookings.
_GUEST_MEETINGS = {"lon": 4, "nyc": 3}
_VISITOR_BOOKINGS = 2


@dataclass
class DemoDay:
    building_id: str
    day: date
    events: list[Event] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)
    guests: list[Guest] = field(default_factory=list)


def local_dates(now: datetime) -> dict[str, date]:
    """Today's date in each demo building's own time zone."""
    return {b.id: local_date(now, b.timezone) for b in BUILDINGS}


def demo_day(day: date, building_id: str) -> DemoDay:
    return demo_days(day)[building_id]


def demo_days(day: date) -> dict[str, DemoDay]:
    """Every building's activity for ``day`` (dates are local to each building)."""
    rng = random.Random(day.toordinal())
    estate = demo_estate()
    visitors = list(_VISITORS)
    rng.shuffle(visitors)
    visitor_stream = iter(visitors)
    return {b.id: _plan(rng, day, b, estate, visitor_stream) for b in BUILDINGS}


class _Planner:
    """Builds one building's day; holds the shared bits so helpers stay short."""

    def __init__(self, rng: random.Random, day: date, b: DemoBuilding, estate: DemoEstate) -> None:
        self.rng = rng
        self.day = day
        self.b = b
        self.stamp = day.strftime("%Y%m%d")
        self.booked_at = local_moment(day - timedelta(days=1), time(16, 0), b.timezone)
        office = b.name
        self.locals = [u for u in estate.users if u.office_location == office]
        self.hosts = [u for u in self.locals if u.department != "Reception"]
        self.everyone = [u for u in estate.users if u.department != "Reception"]
        self.plan = DemoDay(building_id=b.id, day=day)
        self._serial = {"evt": 0, "bk": 0, "gst": 0}

    def next_id(self, prefix: str) -> str:
        self._serial[prefix] += 1
        return f"{prefix}-{self.stamp}-{self.b.short}-{self._serial[prefix]:02d}"

    def at(self, minutes: int) -> datetime:
        return local_moment(self.day, time(minutes // 60, minutes % 60), self.b.timezone)

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _plan(
    rng: random.Random, day: date, b: DemoBuilding, estate: DemoEstate, visitors: Iterator[tuple[str, str, str]]
) -> DemoDay:
    p = _Planner(rng, day, b, estate)
    rooms = [r for r in estate.rooms if r.bookable and b.id in r.zone_ids]
    approval = [r for r in rooms if "approval" in r.features]
    others = [r for r in rooms if "approval" not in r.features]
    rng.shuffle(others)
    # Half the ordinary rooms stay free all day; three are busy across 10:00 local.
    busy = others[: len(others) // 2]
    anchors = {r.id for r in busy[:3]}
    for room in approval + busy:
        _plan_room(p, room, anchored=room.id in anchors)
    _plan_meeting_guests(p, estate, visitors)
    _plan_visitor_bookings(p, visitors)
    _plan_asset_bookings(p, estate)
    return p.plan


def _plan_room(p: _Planner, room: Room, *, anchored: bool) -> None:
    rng = p.rng
    cursor = DAY_START
    planned: list[Event] = []
    for n in range(5):
        if n == 0 and anchored:
            start, length = rng.choice([9 * 60, 9 * 60 + 30]), rng.choice([90, 120])
        else:
            start, length = cursor + rng.choice([0, 30, 30, 60, 90]), rng.choice([30, 45, 60, 60, 90, 120])
        if start + length > DAY_END:
            break
        cursor = start + length
        host = rng.choice(p.hosts)
        colleagues = [u for u in p.everyone if u.email != host.email]
        invited = rng.sample(colleagues, k=min(rng.randint(1, 4), max(room.capacity - 1, 0)))
        online = rng.random() < 0.4
        private = rng.random() < 0.15
        title = rng.choice(_TITLES)
        needs_approval = "approval" in room.features
        response = ResponseStatus.TENTATIVE if needs_approval and start >= 12 * 60 else ResponseStatus.ACCEPTED
        attendees = [Attendee(email=host.email, name=host.name, organizer=True, response=ResponseStatus.ACCEPTED)]
        attendees += [
            Attendee(email=u.email, name=u.name, response=rng.choice([ResponseStatus.ACCEPTED, ResponseStatus.NEEDS_ACTION]))
            for u in invited
        ]
        attendees.append(Attendee(email=room.email, name=room.name, resource=True, response=response))
        planned.append(
            Event(
                id=p.next_id("evt"),
                calendar_id=host.email,
                ical_uid=p.uid(),
                title=title,
                host=host.email,
                attendees=attendees,
                location=room.name,
                room_ids=[room.id],
                start=p.at(start),
                end=p.at(start + length),
                timezone=p.b.timezone,
                private=private,
                online_meeting_url=f"{MEET_URL}{p.b.short}-{rng.getrandbits(32):08x}" if online else None,
                online_meeting_provider="acme-meet" if online else None,
                created=p.booked_at,
                updated=p.booked_at,
            )
        )
    if planned and "approval" in room.features:
        # Every approval room has at least one request waiting for reception.
        last = planned[-1]
        planned[-1] = last.model_copy(
            update={
                "attendees": [
                    a.model_copy(update={"response": ResponseStatus.TENTATIVE}) if a.resource else a
                    for a in last.attendees
                ]
            }
        )
    p.plan.events.extend(planned)


def _guest_fields(p: _Planner, visitor: tuple[str, str, str]) -> dict[str, str]:
    name, organisation, domain = visitor
    if p.b.short == "lon":
        phone = f"+44 7700 900{p.rng.randint(100, 999)}"
    else:
        phone = f"+1 212 555 01{p.rng.randint(10, 99)}"
    return {"email": email_of(name, domain), "name": name, "organisation": organisation, "phone": phone}


def _plan_meeting_guests(p: _Planner, estate: DemoEstate, visitors: Iterator[tuple[str, str, str]]) -> None:
    capacity = {r.id: r.capacity for r in estate.rooms}
    candidates = [
        e
        for e in p.plan.events
        if not e.private and capacity[e.room_ids[0]] >= 4 and e.start >= p.at(9 * 60)
    ]
    chosen = p.rng.sample(candidates, k=min(_GUEST_MEETINGS[p.b.short], len(candidates)))
    chosen.sort(key=lambda e: (e.start, e.id))
    for index, event in enumerate(chosen):
        count = 2 if index == 0 else 1
        extra: list[Attendee] = []
        for _ in range(count):
            fields = _guest_fields(p, next(visitors))
            extra.append(Attendee(response=ResponseStatus.ACCEPTED, visit_expected=True, **fields))
            host_name = next((a.name for a in event.attendees if a.organizer), "")
            p.plan.guests.append(
                Guest(
                    id=p.next_id("gst"),
                    host_email=event.host,
                    host_name=host_name,
                    visit_start=event.start,
                    visit_end=event.end,
                    zone_ids=[z for z in _room_zones(estate, event.room_ids[0])],
                    event_id=event.id,
                    **fields,
                )
            )
        position = p.plan.events.index(event)
        people = [a for a in event.attendees if not a.resource]
        rooms = [a for a in event.attendees if a.resource]
        p.plan.events[position] = event.model_copy(update={"attendees": people + extra + rooms})


def _room_zones(estate: DemoEstate, room_id: str) -> list[str]:
    return next(r.zone_ids for r in estate.rooms if r.id == room_id)


def _plan_visitor_bookings(p: _Planner, visitors: Iterator[tuple[str, str, str]]) -> None:
    starts = [p.rng.choice([10 * 60 + 30, 11 * 60]), p.rng.choice([14 * 60, 15 * 60])]
    for start in starts[:_VISITOR_BOOKINGS]:
        fields = _guest_fields(p, next(visitors))
        host = p.rng.choice(p.hosts)
        length = p.rng.choice([60, 90])
        booking = Booking(
            id=p.next_id("bk"),
            type="visitor",
            asset_ids=[fields["email"]],
            zones=[p.b.id],
            user_email=host.email,
            user_name=host.name,
            booked_by_email=host.email,
            booked_by_name=host.name,
            start=p.at(start),
            end=p.at(start + length),
            timezone=p.b.timezone,
            title=f"Visit: {fields['name']}",
            approved=True,
            approved_at=p.booked_at,
            approver_email=host.email,
            attendees=[Attendee(visit_expected=True, response=ResponseStatus.ACCEPTED, **fields)],
            history=[HistoryEntry(state="reserved", time=p.booked_at, source="demo", by=host.email)],
            extension_data={"asset_name": fields["name"], "organisation": fields["organisation"], "phone": fields["phone"]},
            created=p.booked_at,
            updated=p.booked_at,
        )
        p.plan.bookings.append(booking)
        p.plan.guests.append(
            Guest(
                id=p.next_id("gst"),
                host_email=host.email,
                host_name=host.name,
                visit_start=booking.start,
                visit_end=booking.end,
                zone_ids=[p.b.id],
                booking_id=booking.id,
                **fields,
            )
        )


def _plan_asset_bookings(p: _Planner, estate: DemoEstate) -> None:
    mine = [a for a in estate.assets if p.b.id in a.zone_ids]
    plan = [
        ("desk", p.rng.randint(4, 6), 8 * 60 + 30, 17 * 60 + 30),
        ("parking", p.rng.randint(2, 3), 8 * 60, 18 * 60),
        ("locker", 1, 8 * 60, 18 * 60),
    ]
    people = list(p.locals)
    for kind, count, start, end in plan:
        spots = p.rng.sample([a for a in mine if a.type == kind], k=count)
        users = p.rng.sample(people, k=count)
        for index, (asset, user) in enumerate(zip(spots, users, strict=True)):
            # Parking needs facilities' approval: the first request of the day is still waiting.
            approved = not (kind == "parking" and index == 0)
            p.plan.bookings.append(
                Booking(
                    id=p.next_id("bk"),
                    type=kind,
                    asset_ids=[asset.id],
                    zones=list(asset.zone_ids),
                    user_email=user.email,
                    user_name=user.name,
                    booked_by_email=user.email,
                    booked_by_name=user.name,
                    start=p.at(start),
                    end=p.at(end),
                    timezone=p.b.timezone,
                    title=asset.name,
                    approved=approved,
                    approved_at=p.booked_at if approved else None,
                    approver_email="oliver.grant@acme.example" if approved and kind == "parking" else None,
                    history=[HistoryEntry(state="reserved", time=p.booked_at, source="demo", by=user.email)],
                    created=p.booked_at,
                    updated=p.booked_at,
                )
            )
