"""PlaceOS wire <-> domain conversion (pure functions; no HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from staffterm.backends.placeos import convert as c
from staffterm.errors import UnavailableError
from staffterm.models import (
    Attendee,
    BookingDraft,
    BookingPatch,
    BookingState,
    BusyStatus,
    EventDraft,
    EventPatch,
    EventStatus,
    GuestDraft,
    GuestPatch,
    ResponseStatus,
    Room,
    ZoneKind,
)

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
E0 = int(T0.timestamp())


def ep(hours: float) -> int:
    return E0 + int(hours * 3600)


ROOM_A = Room(id="sys-a", email="ada.room@acme.example", name="Ada", zone_ids=["zone-syd", "zone-syd-l1"])
ROOM_B = Room(id="sys-b", email="babbage.room@acme.example", name="Babbage", zone_ids=["zone-syd", "zone-syd-l2"])
ROOMS = {ROOM_A.email: ROOM_A, ROOM_B.email: ROOM_B}


# --------------------------------------------------------------------------- zones and rooms


@pytest.mark.parametrize(
    ("tags", "kind"),
    [
        (["org"], ZoneKind.ORG),
        (["region"], ZoneKind.REGION),
        (["building", "sydney"], ZoneKind.BUILDING),
        (["Level"], ZoneKind.LEVEL),
        (["area"], ZoneKind.AREA),
        (["catering"], ZoneKind.OTHER),
        ([], ZoneKind.OTHER),
    ],
)
def test_zone_kind_comes_from_tags(tags, kind):
    zone = c.zone_from_wire({"id": "z1", "name": "Z", "tags": tags})
    assert zone.kind == kind
    assert zone.tags == tags


def test_zone_prefers_display_name_and_keeps_only_iana_timezones():
    zone = c.zone_from_wire(
        {"id": "zone-syd", "name": "syd", "display_name": "Sydney HQ", "tags": ["building"],
         "timezone": "Australia/Sydney", "parent_id": "zone-acme", "description": "HQ"}
    )
    assert (zone.name, zone.timezone, zone.parent_id, zone.description) == ("Sydney HQ", "Australia/Sydney", "zone-acme", "HQ")
    level = c.zone_from_wire({"id": "zone-syd-l1", "name": "Level 1", "tags": ["level"], "timezone": "AEST+10"})
    assert level.timezone is None and level.name == "Level 1" and level.parent_id is None
    assert c.zone_from_wire({"id": "z", "name": "", "timezone": ""}).name == "z"


def test_zone_tags_may_arrive_as_a_comma_string():
    assert c.zone_from_wire({"id": "z", "name": "Z", "tags": "building, sydney"}).kind == ZoneKind.BUILDING


def test_room_from_system():
    room = c.room_from_wire(
        {"id": "sys-a", "name": "ada", "display_name": "Ada Lovelace", "email": "Ada.Room@acme.example",
         "zones": ["zone-acme", "zone-syd", "zone-syd-l1"], "capacity": 8, "features": ["vc", "Wheelchair"],
         "bookable": True, "description": "corner"}
    )
    assert room is not None
    assert room.email == "ada.room@acme.example"
    assert room.name == "Ada Lovelace"
    assert room.zone_ids == ["zone-acme", "zone-syd", "zone-syd-l1"]
    assert room.capacity == 8 and room.accessible and room.bookable and room.description == "corner"


def test_room_without_email_is_not_a_room_and_accessible_needs_a_feature():
    assert c.room_from_wire({"id": "sys-sign", "name": "Lobby signage", "email": ""}) is None
    assert c.room_from_wire({"id": "sys-sign", "name": "Lobby signage"}) is None
    room = c.room_from_wire({"id": "s", "name": "S", "email": "s@x.example", "features": ["accessible"], "capacity": None,
                             "bookable": False})
    assert room.accessible and room.capacity == 0 and not room.bookable
    room = c.room_from_wire({"id": "s", "name": "S", "email": "s@x.example", "features": ["vc"], "capacity": "12"})
    assert not room.accessible and room.capacity == 12


def test_a_system_that_needs_approval_carries_the_approval_feature():
    # The local site marks approval rooms with the "approval" feature; the console reads it there.
    room = c.room_from_wire({"id": "s", "name": "Curie", "email": "curie.room@x.example", "features": ["vc"],
                             "approval": True})
    assert room.features == ["vc", "approval"]
    assert c.room_from_wire({"id": "s", "name": "S", "email": "s@x.example", "features": ["Approval"],
                             "approval": True}).features == ["Approval"]
    assert c.room_from_wire({"id": "s", "name": "S", "email": "s@x.example", "approval": False}).features == []


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        "sys-a",
        {"name": "no id", "email": "a@x.example"},
        {"id": ["x"], "email": "a@x.example"},
        {"id": "s", "email": "a@x.example", "capacity": "lots"},
        {"id": "s", "email": "a@x.example", "capacity": [1]},
        {"id": "s", "email": "a@x.example", "features": 3},
        {"id": "s", "email": {"a": 1}},
    ],
)
def test_malformed_systems_raise_unavailable(payload):
    with pytest.raises(UnavailableError, match="PlaceOS sent a malformed room"):
        c.room_from_wire(payload)


def test_malformed_zone():
    with pytest.raises(UnavailableError, match="malformed zone: no id"):
        c.zone_from_wire({"name": "nameless"})


# --------------------------------------------------------------------------- free/busy


def test_availability_rows():
    start, end = T0, T0 + timedelta(hours=10)
    row = {
        "id": "ada.room@acme.example",
        "system": {"id": "sys-a", "name": "Ada"},
        "availability": [
            {"status": "busy", "starts_at": ep(3), "ends_at": ep(4), "timezone": "UTC"},
            {"status": "free", "starts_at": ep(4), "ends_at": ep(5)},
            {"status": "tentative", "starts_at": ep(1), "ends_at": ep(2)},
        ],
    }
    got = c.availability_from_wire(row, start=start, end=end)
    assert got.room_id == "sys-a" and got.email == "ada.room@acme.example"
    assert [(b.status, b.start.hour) for b in got.blocks] == [(BusyStatus.TENTATIVE, 1), (BusyStatus.BUSY, 3)]
    assert got.error is None and got.start == start and got.end == end


def test_availability_room_id_falls_back_to_known_rooms_then_the_calendar():
    row = {"id": "babbage.room@acme.example", "availability": []}
    assert c.availability_from_wire(row, start=T0, end=T0 + timedelta(hours=1), rooms_by_email=ROOMS).room_id == "sys-b"
    assert c.availability_from_wire(row, start=T0, end=T0 + timedelta(hours=1)).room_id == "babbage.room@acme.example"


def test_availability_block_that_ends_before_it_starts_is_malformed():
    row = {"id": "a@x.example", "availability": [{"status": "busy", "starts_at": ep(2), "ends_at": ep(1)}]}
    with pytest.raises(UnavailableError, match="malformed free/busy block"):
        c.availability_from_wire(row, start=T0, end=T0 + timedelta(hours=3))
    with pytest.raises(UnavailableError, match="malformed free/busy block"):
        c.availability_from_wire({"id": "a@x.example", "availability": [{"status": "busy", "starts_at": "soon", "ends_at": ep(1)}]},
                                 start=T0, end=T0 + timedelta(hours=3))


# --------------------------------------------------------------------------- events


def _event(**over):
    data = {
        "id": "evt-1",
        "ical_uid": "uid-1",
        "event_start": ep(9),
        "event_end": ep(10),
        "title": "Standup",
        "body": "notes",
        "host": "Grace.Hopper@acme.example",
        "location": "Ada",
        "attendees": [
            {"name": "Grace Hopper", "email": "grace.hopper@acme.example", "response_status": "accepted", "organizer": True},
            {"name": "Vera Visitor", "email": "vera@partner.example", "visit_expected": True, "checked_in": False,
             "organisation": "Partner", "phone": "+61 2 5550 1234"},
            {"name": "Babbage", "email": "babbage.room@acme.example", "resource": True, "response_status": "tentative"},
        ],
        "private": False,
        "all_day": False,
        "timezone": "Australia/Sydney",
        "status": "confirmed",
        "system": {"id": "sys-a", "email": "ada.room@acme.example", "zones": ["zone-syd"]},
        "mailbox": "ada.room@acme.example",
        "extension_data": {"catering": True},
        "created": "2026-03-01T10:00:00Z",
    }
    data.update(over)
    return data


def test_event_from_wire():
    event = c.event_from_wire(_event(), rooms_by_email=ROOMS)
    assert event.id == "evt-1" and event.ical_uid == "uid-1"
    assert event.start == T0 + timedelta(hours=9) and event.end == T0 + timedelta(hours=10)
    assert event.start.tzinfo is not None
    assert event.calendar_id == "ada.room@acme.example"
    assert event.host == "grace.hopper@acme.example"
    assert event.room_ids == ["sys-a", "sys-b"]
    vera = event.attendees[1]
    assert vera.visit_expected and vera.organisation == "Partner" and vera.response == ResponseStatus.NEEDS_ACTION
    assert event.attendees[0].organizer and event.attendees[0].response == ResponseStatus.ACCEPTED
    assert event.attendees[2].resource and event.attendees[2].response == ResponseStatus.TENTATIVE
    assert event.timezone == "Australia/Sydney" and event.extension_data == {"catering": True}
    assert event.created == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert event.status == EventStatus.CONFIRMED and not event.private


def test_an_approval_room_that_has_not_answered_is_awaiting_approval():
    curie = Room(id="sys-c", email="curie.room@acme.example", name="Curie", features=["vc", "approval"])
    rooms = {**ROOMS, curie.email: curie}
    pending = {"name": "Curie", "email": "curie.room@acme.example", "resource": True, "response_status": "needsAction"}
    event = c.event_from_wire(_event(attendees=[pending], system=None), rooms_by_email=rooms)
    assert event.attendees[0].response == ResponseStatus.TENTATIVE
    # Known only from the system object the event was read through.
    system = {"id": "sys-c", "email": "curie.room@acme.example", "approval": True}
    assert c.event_from_wire(_event(attendees=[pending], system=system)).attendees[0].response == ResponseStatus.TENTATIVE
    # Answered, or a room that needs no approval: the answer stands.
    accepted = {**pending, "response_status": "accepted"}
    assert c.event_from_wire(_event(attendees=[accepted]), rooms_by_email=rooms).attendees[0].response == ResponseStatus.ACCEPTED
    plain = {**pending, "email": "babbage.room@acme.example"}
    assert c.event_from_wire(_event(attendees=[plain]), rooms_by_email=rooms).attendees[0].response == ResponseStatus.NEEDS_ACTION


def test_event_calendar_id_sources_in_order():
    assert c.event_from_wire(_event(mailbox=None, calendar="Room@x.example")).calendar_id == "room@x.example"
    assert c.event_from_wire(_event(mailbox=None), calendar_id="grace.hopper@acme.example").calendar_id == "grace.hopper@acme.example"
    # Without any, the room the event was read through.
    assert c.event_from_wire(_event(mailbox=None)).calendar_id == "ada.room@acme.example"


def test_event_without_known_rooms_keeps_only_the_system():
    assert c.event_from_wire(_event()).room_ids == ["sys-a"]
    assert c.event_from_wire(_event(system=None, system_id=None)).room_ids == []
    assert c.event_from_wire(_event(system=None), rooms_by_email=ROOMS).room_ids == ["sys-b"]


def test_event_end_missing_or_all_day_is_a_day_long():
    no_end = c.event_from_wire(_event(event_end=None))
    assert no_end.end - no_end.start == timedelta(days=1)
    all_day = c.event_from_wire(_event(all_day=True, event_end=ep(9)))
    assert all_day.all_day and all_day.end - all_day.start == timedelta(days=1)
    two_days = c.event_from_wire(_event(all_day=True, event_start=ep(0), event_end=ep(48)))
    assert two_days.end - two_days.start == timedelta(days=2)


def test_event_private_status_recurring():
    event = c.event_from_wire(_event(private=False, visibility="confidential", status="cancelled", recurring_event_id="ser-1"))
    assert event.private and event.status == EventStatus.CANCELLED and event.recurring
    assert c.event_from_wire(_event(status="weird")).status == EventStatus.CONFIRMED
    assert c.event_from_wire(_event(timezone="GMT+10")).timezone is None


@pytest.mark.parametrize(
    ("over", "match"),
    [
        ({"id": None}, "no id"),
        ({"event_start": None}, "no event_start"),
        ({"event_start": "tomorrow"}, "not epoch seconds"),
        ({"event_end": ep(8)}, "ends"),
        ({"attendees": "grace"}, "attendees is not a list"),
        ({"attendees": [{"name": "no email"}]}, "no email"),
        ({"title": ["x"]}, "title is list"),
    ],
)
def test_malformed_events(over, match):
    with pytest.raises(UnavailableError, match=match):
        c.event_from_wire(_event(**over))


def test_event_draft_to_wire():
    draft = EventDraft(
        title="Board", start=T0 + timedelta(hours=1), end=T0 + timedelta(hours=2), host="grace.hopper@acme.example",
        attendees=[Attendee(email="vera@partner.example", name="Vera", visit_expected=True),
                   Attendee(email="old.room@acme.example", resource=True)],
        body="agenda", location="Ada", timezone="Australia/Sydney", private=True, extension_data={"k": 1},
    )
    body = c.event_to_wire(draft, system_id="sys-a", resources=[ROOM_B])
    assert body["event_start"] == ep(1) and body["event_end"] == ep(2)
    assert body["system_id"] == "sys-a" and body["host"] == "grace.hopper@acme.example"
    assert body["timezone"] == "Australia/Sydney" and body["private"] is True and body["all_day"] is False
    assert body["attendees"] == [
        {"name": "Vera", "email": "vera@partner.example", "visit_expected": True},
        {"name": "Babbage", "email": "babbage.room@acme.example", "resource": True},
    ]
    assert body["extension_data"] == {"k": 1} and body["title"] == "Board" and body["body"] == "agenda"


def test_event_patch_to_wire_sends_only_changes():
    assert c.event_to_wire(EventPatch(title="New")) == {"title": "New"}
    body = c.event_to_wire(EventPatch(end=T0 + timedelta(hours=3), attendees=[]), system_id="sys-b")
    assert body == {"event_end": ep(3), "attendees": [], "system_id": "sys-b"}
    accepted = Attendee(email="a@x.example", response=ResponseStatus.ACCEPTED)
    assert c.event_to_wire(EventPatch(attendees=[accepted]))["attendees"] == [
        {"name": "", "email": "a@x.example", "response_status": "accepted"}
    ]


# --------------------------------------------------------------------------- bookings


def _booking(**over):
    data = {
        "id": 42,
        "booking_type": "desk",
        "booking_start": ep(9),
        "booking_end": ep(17),
        "timezone": "Australia/Sydney",
        "asset_id": "desk-1",
        "asset_ids": ["desk-1", "desk-2"],
        "zones": ["zone-syd", "zone-syd-l1"],
        "user_email": "Alan.Turing@acme.example",
        "user_name": "Alan Turing",
        "booked_by_email": "reception@acme.example",
        "booked_by_name": "Reception",
        "title": "Desk",
        "description": "",
        "approved": True,
        "approved_at": ep(1),
        "approver_email": "Boss@acme.example",
        "rejected": False,
        "checked_in": False,
        "deleted": False,
        "process_state": "cleaned",
        "current_state": "reserved",
        "history": [{"state": "reserved", "time": ep(1), "source": "kiosk"}],
        "attendees": [{"name": "Vera", "email": "vera@partner.example", "checked_in": True, "visit_expected": True}],
        "extension_data": {"organisation": "Partner"},
        "created_at": ep(0.5),
        "updated_at": ep(1),
    }
    data.update(over)
    return data


def test_booking_from_wire():
    b = c.booking_from_wire(_booking())
    assert b.id == "42" and b.type == "desk" and b.asset_ids == ["desk-1", "desk-2"]
    assert b.start == T0 + timedelta(hours=9) and b.end == T0 + timedelta(hours=17)
    assert b.user_email == "alan.turing@acme.example" and b.booked_by_email == "reception@acme.example"
    assert b.approved and b.approved_at == T0 + timedelta(hours=1) and b.approver_email == "boss@acme.example"
    assert b.state == BookingState.RESERVED and b.process_state == "cleaned"
    assert b.history[0].state == "reserved" and b.history[0].source == "kiosk"
    assert b.attendees[0].checked_in and b.extension_data == {"organisation": "Partner"}
    assert b.created == T0 + timedelta(minutes=30) and b.timezone == "Australia/Sydney"


def test_booking_asset_name_is_kept_where_the_console_reads_it():
    # PlaceOS's visitor convention: asset_id = the visitor's email, asset_name = their name.
    visit = c.booking_from_wire(_booking(booking_type="visitor", asset_id="jane@x.example", asset_ids=["jane@x.example"],
                                         asset_name="Jane Visitor", extension_data={}))
    assert visit.extension_data == {"asset_name": "Jane Visitor"}
    # A name staffterm stored in extension_data itself wins; no name, no key.
    ours = c.booking_from_wire(_booking(asset_name="Other", extension_data={"asset_name": "Desk 1"}))
    assert ours.extension_data["asset_name"] == "Desk 1"
    assert "asset_name" not in c.booking_from_wire(_booking(asset_name=None)).extension_data


def test_booking_asset_id_fallback_and_unknown_state():
    b = c.booking_from_wire(_booking(asset_ids=None, current_state="teleported"))
    assert b.asset_ids == ["desk-1"] and b.state == BookingState.UNKNOWN


def test_booking_state_is_computed_when_placeos_leaves_it_out():
    now = T0 + timedelta(hours=18)
    assert c.booking_from_wire(_booking(current_state=None), now=now).state == BookingState.NO_SHOW
    checked = _booking(current_state=None, checked_in=True, checked_in_at=ep(9))
    assert c.booking_from_wire(checked, now=T0 + timedelta(hours=10)).state == BookingState.CHECKED_IN
    assert c.booking_from_wire(_booking(current_state=None, rejected=True), now=now).state == BookingState.REJECTED
    deleted = _booking(current_state=None, deleted=True, deleted_at=ep(2))
    assert c.booking_from_wire(deleted, now=now).state == BookingState.CANCELLED


@pytest.mark.parametrize(
    ("over", "match"),
    [
        ({"id": None}, "no id"),
        ({"booking_type": ""}, "no booking_type"),
        ({"asset_id": None, "asset_ids": []}, "no asset_id"),
        ({"booking_start": None}, "no booking_start"),
        ({"booking_end": ep(9)}, "ends"),
        ({"asset_ids": [{"id": 1}]}, "asset_ids holds a dict"),
        ({"history": {"state": "x"}}, "history is not a list"),
        ({"user_email": 5.5j}, "user_email is complex"),
    ],
)
def test_malformed_bookings(over, match):
    with pytest.raises(UnavailableError, match=match):
        c.booking_from_wire(_booking(**over))


def test_booking_draft_and_patch_to_wire():
    draft = BookingDraft(
        type="desk", asset_ids=["desk-3"], start=T0 + timedelta(hours=9), end=T0 + timedelta(hours=17),
        user_email="alan.turing@acme.example", zones=["zone-syd"], timezone="Australia/Sydney", title="Desk",
        attendees=[Attendee(email="v@x.example", name="V", visit_expected=True)], extension_data={"a": 1},
    )
    body = c.booking_draft_to_wire(draft)
    assert body["booking_type"] == "desk" and body["asset_id"] == "desk-3" and body["asset_ids"] == ["desk-3"]
    assert body["booking_start"] == ep(9) and body["booking_end"] == ep(17)
    assert body["user_email"] == "alan.turing@acme.example" and body["timezone"] == "Australia/Sydney"
    assert body["attendees"] == [{"name": "V", "email": "v@x.example", "visit_expected": True}]
    assert "approved" not in body
    assert c.booking_patch_to_wire(BookingPatch(title="x")) == {"title": "x"}
    patch = c.booking_patch_to_wire(BookingPatch(asset_ids=["d9"], start=T0, end=T0 + timedelta(hours=1), user_email="A@x.example"))
    assert patch == {"asset_id": "d9", "asset_ids": ["d9"], "booking_start": E0, "booking_end": ep(1), "user_email": "a@x.example"}


# --------------------------------------------------------------------------- guests


def test_guest_ids_round_trip():
    assert c.parse_guest_id(c.booking_guest_id("42", "Vera@Partner.example")) == (
        "booking", {"booking_id": "42", "email": "vera@partner.example"})
    odd_event = "AAMkAGI2=="
    assert c.parse_guest_id(c.event_guest_id("sys-a", odd_event, "v@x.example")) == (
        "event", {"system_id": "sys-a", "event_id": odd_event, "email": "v@x.example"})
    # A provider event id with a colon in it still parses: the email is split off the end.
    assert c.parse_guest_id("event:sys-a:abc:def:v@x.example")[1]["event_id"] == "abc:def"
    assert c.parse_guest_id("v@x.example") == ("guest", {"id": "v@x.example"})
    assert c.parse_guest_id("17") == ("guest", {"id": "17"})
    assert c.parse_guest_id("booking:42") == ("guest", {"id": "booking:42"})


def test_guest_of_a_visitor_booking():
    booking = _booking(booking_type="visitor", asset_id="vera@partner.example", asset_ids=["vera@partner.example"],
                       checked_in=True, checked_in_at=ep(9.5), current_state="checked_in")
    g = c.guest_from_wire({"id": 7, "email": "Vera@Partner.example", "name": "Vera Visitor", "checked_in": True,
                           "visit_expected": True, "booking": booking})
    assert g.id == "booking:42:vera@partner.example" and g.booking_id == "42" and g.event_id is None
    assert g.host_email == "alan.turing@acme.example" and g.host_name == "Alan Turing"
    assert g.visit_start == T0 + timedelta(hours=9) and g.zone_ids == ["zone-syd", "zone-syd-l1"]
    assert g.checked_in and g.checked_in_at == T0 + timedelta(hours=9, minutes=30)
    assert g.organisation == "Partner"  # from the booking's extension_data


def test_guest_of_a_meeting_and_a_bare_guest():
    g = c.guest_from_wire({"email": "vera@partner.example", "name": "Vera"}, event=_event(), rooms_by_email=ROOMS)
    assert g.id == "event:sys-a:evt-1:vera@partner.example" and g.event_id == "evt-1"
    assert g.host_email == "grace.hopper@acme.example" and g.host_name == "Grace Hopper"
    assert g.zone_ids == ["zone-syd"] and not g.checked_in and g.visit_expected
    cancelled = c.guest_from_wire({"email": "vera@partner.example"}, event=_event(status="cancelled"))
    assert not cancelled.visit_expected
    bare = c.guest_from_wire({"id": 3, "email": "Solo@x.example", "name": "Solo", "phone": "123", "notes": "vip"})
    assert bare.id == "solo@x.example" and bare.booking_id is None and bare.visit_start is None and bare.notes == "vip"


def test_malformed_guest():
    with pytest.raises(UnavailableError, match="malformed guest: no email"):
        c.guest_from_wire({"id": 1, "name": "x"})
    with pytest.raises(UnavailableError, match="malformed booking 9"):
        c.guest_from_wire({"email": "a@x.example", "booking": {"id": 9, "booking_type": "visitor"}})


def test_guest_to_wire():
    draft = GuestDraft(email="V@x.example", name="Vera", host_email="h@x.example", visit_start=T0,
                       visit_end=T0 + timedelta(hours=1), organisation="Partner", extension_data={"a": 1})
    assert c.guest_to_wire(draft) == {"email": "v@x.example", "name": "Vera", "organisation": "Partner", "extension_data": {"a": 1}}
    assert c.guest_to_wire(GuestPatch(phone="", name=" Vee ")) == {"name": "Vee", "phone": ""}


# --------------------------------------------------------------------------- directory


def test_users_in_both_shapes():
    staff = c.user_from_wire({"id": "AAD-1", "name": "Grace Hopper", "email": "Grace.Hopper@acme.example", "phone": "1",
                              "department": "Eng", "title": "Rear Admiral", "photo": "x", "username": "grace",
                              "office_location": "Sydney", "suspended": False, "unmapped": {}})
    assert (staff.id, staff.email, staff.title, staff.office_location) == ("AAD-1", "grace.hopper@acme.example", "Rear Admiral", "Sydney")
    engine = c.user_from_wire({"id": "user-2", "name": "Alan", "email": "alan@acme.example", "department": "Eng",
                               "sys_admin": False, "support": True, "deleted": True, "login_name": "alan"})
    assert engine.id == "user-2" and engine.suspended
    assert c.user_from_wire({"email": "x@acme.example"}).id == "x@acme.example"
    with pytest.raises(UnavailableError, match="malformed person"):
        c.user_from_wire({"id": "u", "name": "no mail"})


def test_groups_and_calendars():
    g = c.group_from_wire({"id": "grp-1", "name": "Reception", "email": "Reception@acme.example", "description": "desk"})
    assert (g.id, g.name, g.email) == ("grp-1", "Reception", "reception@acme.example")
    cal = c.calendar_from_wire({"id": "grace@acme.example", "ref": "AAA", "summary": "Calendar", "primary": True, "can_edit": True})
    assert cal.owner_email == "grace@acme.example" and cal.primary and cal.can_edit and cal.name == "Calendar"
    other = c.calendar_from_wire({"id": "c123", "summary": ""}, owner_email="Grace@acme.example")
    assert other.owner_email == "grace@acme.example" and other.name == "c123" and not other.can_edit
    with pytest.raises(UnavailableError, match="malformed calendar"):
        c.calendar_from_wire(["c123"])


@pytest.mark.parametrize(
    "fn",
    [c.zone_from_wire, c.room_from_wire, c.event_from_wire, c.booking_from_wire, c.guest_from_wire,
     c.user_from_wire, c.group_from_wire, c.calendar_from_wire],
)
@pytest.mark.parametrize("junk", [None, 3, "x", [], {"id": {}}, {"id": True, "email": 1}])
def test_junk_never_escapes_as_a_raw_exception(fn, junk):
    with pytest.raises(UnavailableError, match="PlaceOS sent a malformed"):
        fn(junk)
