"""The PlaceOS backend against the in-repo fake PlaceOS (httpx MockTransport; no network)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from staffterm.backends.placeos.backend import NO_ROW, PlaceOSBackend
from staffterm.capabilities import Capability
from staffterm.clock import FrozenClock
from staffterm.config.providers import PlaceOSSettings
from staffterm.errors import (
    AuthError,
    ConfigError,
    ConflictError,
    InvalidInputError,
    LimitReachedError,
    NotFoundError,
    NotSupportedError,
    PermissionDeniedError,
    UnavailableError,
)
from staffterm.models import (
    Attendee,
    Booking,
    BookingDraft,
    BookingPatch,
    BookingQuery,
    BookingState,
    BusyStatus,
    EventDraft,
    EventPatch,
    EventStatus,
    GuestDraft,
    GuestPatch,
    ResponseStatus,
    ZoneKind,
)
from tests.fakes.placeos.server import FakePlaceOS

SYD = ZoneInfo("Australia/Sydney")
DAY = datetime(2026, 3, 2, tzinfo=SYD).date()
NOW = datetime(2026, 3, 2, 9, 45, tzinfo=SYD).astimezone(UTC)


def syd(hhmm: str, day: int = 0) -> datetime:
    h, m = (int(p) for p in hhmm.split(":"))
    return datetime(2026, 3, 2 + day, h, m, tzinfo=SYD).astimezone(UTC)


DAY_START, DAY_END = syd("00:00"), syd("00:00", 1)


def settings(**over) -> PlaceOSSettings:
    data = {"provider": "placeos", "base_url": "https://placeos.test", "api_key": FakePlaceOS.API_KEY}
    data.update(over)
    return PlaceOSSettings.model_validate({k: v for k, v in data.items() if v is not None})


async def _no_sleep(_seconds: float) -> None:
    return None


def make_backend(fake: FakePlaceOS, tmp_path, transport=None, **over) -> PlaceOSBackend:
    return PlaceOSBackend(
        "acme",
        settings(**over),
        clock=FrozenClock(NOW),
        transport=transport or fake.transport(),
        token_dir=tmp_path / "tokens",
        sleep=_no_sleep,
    )


@pytest.fixture
def fake() -> FakePlaceOS:
    return FakePlaceOS(now=NOW)


@pytest.fixture
async def backend(fake, tmp_path):
    b = make_backend(fake, tmp_path)
    async with b:
        yield b
    assert not fake.server_errors, fake.server_errors


def requests_to(fake: FakePlaceOS, path: str, method: str = "GET") -> list[httpx.Request]:
    return [r for r in fake.requests if r.url.path == path and r.method == method]


# --------------------------------------------------------------------------- shape


def test_capabilities_are_everything_placeos_has_but_mail():
    caps = PlaceOSBackend.capabilities
    assert PlaceOSBackend.provider == "placeos"
    assert Capability.MAIL not in caps and Capability.OUTBOX not in caps
    assert caps == frozenset(Capability) - {Capability.MAIL, Capability.OUTBOX}


def test_settings_without_a_url_are_a_config_error():
    with pytest.raises(ConfigError):
        PlaceOSBackend("acme", None)


async def test_raw_clients_and_request_stats(backend):
    assert backend.request_stats() == (0, 0)
    systems = await backend.engine.all_systems()
    assert any(s["id"] == "sys-lobby-signage" for s in systems)
    assert (await backend.staff.health())["commit"]


# --------------------------------------------------------------------------- zones and rooms


async def test_list_zones_asks_once_per_hierarchy_tag(backend, fake):
    zones = await backend.list_zones()
    ids = [z.id for z in zones]
    assert ids[0] == "zone-acme"
    assert set(ids) == {"zone-acme", "zone-syd", "zone-lon", "zone-syd-l1", "zone-syd-l2", "zone-lon-l1"}
    asked = sorted(r.url.params.get("tags") for r in requests_to(fake, "/api/engine/v2/zones"))
    assert asked == ["building", "level", "org", "region"]
    by_id = {z.id: z for z in zones}
    assert by_id["zone-syd"].kind == ZoneKind.BUILDING and by_id["zone-syd"].timezone == "Australia/Sydney"
    assert by_id["zone-syd-l1"].kind == ZoneKind.LEVEL and by_id["zone-syd-l1"].timezone is None
    assert by_id["zone-syd-l1"].parent_id == "zone-syd"


async def test_list_zones_filters(backend):
    levels = await backend.list_zones(parent_id="zone-syd", kind="level")
    assert [z.id for z in levels] == ["zone-syd-l1", "zone-syd-l2"]
    assert [z.id for z in await backend.list_zones(tags=["building"])] == ["zone-lon", "zone-syd"]
    with pytest.raises(InvalidInputError):
        await backend.list_zones(kind="planet")


async def test_a_plain_user_key_can_list_zones(fake, tmp_path):
    async with make_backend(fake, tmp_path, api_key=FakePlaceOS.USER_KEY) as b:
        assert len(await b.list_zones()) == 6


async def test_get_zone(backend):
    assert (await backend.get_zone("zone-lon")).timezone == "Europe/London"
    with pytest.raises(NotFoundError, match="no zone"):
        await backend.get_zone("zone-mars")


async def test_list_rooms_and_filters(backend):
    rooms = await backend.list_rooms()
    assert len(rooms) == 10  # the signage system has no mailbox: not a room
    assert "sys-lobby-signage" not in {r.id for r in rooms}
    assert {r.id for r in await backend.list_rooms(zone_id="zone-syd-l1")} == {"sys-ada", "sys-babbage", "sys-curie", "sys-darwin"}
    assert {r.id for r in await backend.list_rooms(capacity=12)} == {"sys-curie", "sys-euler"}
    assert {r.id for r in await backend.list_rooms(features=["vc", "wheelchair"])} == {"sys-curie", "sys-euler", "sys-hopper"}
    assert [r.id for r in await backend.list_rooms(bookable=False)] == ["sys-gauss"]
    curie = next(r for r in rooms if r.id == "sys-curie")
    assert curie.accessible and curie.email == "curie.room@acme.example" and "zone-syd" in curie.zone_ids
    # Approval rooms carry the "approval" feature (PlaceOS has no such feature to filter on).
    assert "approval" in curie.features
    assert [r.id for r in await backend.list_rooms(features=["approval", "vc"])] == ["sys-curie"]
    with pytest.raises(InvalidInputError):
        await backend.list_rooms(capacity=-1)


async def test_an_unfiltered_room_list_is_the_room_index_a_filtered_one_is_not(backend, fake, tmp_path):
    # Free/busy maps mailboxes to rooms through the index: listing every room fills it, so the
    # console's estate read and its first free/busy cost one systems listing, not two.
    await backend.list_rooms(zone_id="zone-syd-l1")
    await backend.free_busy(DAY_START, DAY_END, zone_id="zone-syd-l1")
    assert len(requests_to(fake, "/api/engine/v2/systems")) == 2  # the filtered list did not count

    fresh = FakePlaceOS(now=NOW)
    async with make_backend(fresh, tmp_path / "other") as other:
        await other.list_rooms()
        found = await other.free_busy(DAY_START, DAY_END, zone_id="zone-syd-l1")
        assert {a.room_id for a in found} == {"sys-ada", "sys-babbage", "sys-curie", "sys-darwin"}
        assert len(requests_to(fresh, "/api/engine/v2/systems")) == 1


async def test_get_room_by_id_or_email(backend):
    assert (await backend.get_room("sys-ada")).email == "ada.room@acme.example"
    assert (await backend.get_room("Ada.Room@acme.example")).id == "sys-ada"
    with pytest.raises(NotFoundError):
        await backend.get_room("sys-nowhere")
    with pytest.raises(NotFoundError):
        await backend.get_room("nobody.room@acme.example")


async def test_a_garbled_system_is_skipped_with_a_warning(backend, fake):
    seen: list[str] = []
    backend.warning_sink = seen.append
    good = fake.state.systems["sys-ada"]
    fake.fail_next("GET", "/api/engine/v2/systems", 200, body=[good, {"id": "sys-bad", "email": "b@x.example", "capacity": "lots"}])
    rooms = await backend.list_rooms()
    assert [r.id for r in rooms] == ["sys-ada"]
    assert seen and "malformed room" in seen[0]


# --------------------------------------------------------------------------- free/busy


async def test_free_busy_of_a_zone_is_one_request(backend, fake):
    await backend.list_rooms()
    before = len(requests_to(fake, "/api/staff/v1/calendars/free_busy"))
    found = await backend.free_busy(DAY_START, DAY_END, zone_id="zone-syd-l1")
    calls = requests_to(fake, "/api/staff/v1/calendars/free_busy")
    assert len(calls) - before == 1
    assert calls[-1].url.params["zone_ids"] == "zone-syd-l1"
    by_room = {a.room_id: a for a in found}
    assert set(by_room) == {"sys-ada", "sys-babbage", "sys-curie", "sys-darwin"}
    ada = by_room["sys-ada"]
    assert ada.email == "ada.room@acme.example" and ada.error is None
    assert [(b.start, b.end) for b in ada.blocks] == [
        (syd("09:00"), syd("10:00")), (syd("11:00"), syd("11:30")), (syd("14:00"), syd("15:00"))]
    assert all(b.status == BusyStatus.BUSY for b in ada.blocks)
    # The cancelled stand-up does not block Babbage.
    assert [(b.start, b.end) for b in by_room["sys-babbage"].blocks] == [(syd("10:00"), syd("11:00"))]
    assert by_room["sys-darwin"].blocks == []


async def test_free_busy_of_rooms_is_one_request_with_system_ids(backend, fake):
    found = await backend.free_busy(DAY_START, DAY_END, room_ids=["sys-euler", "faraday.room@acme.example", "sys-nowhere"])
    calls = requests_to(fake, "/api/staff/v1/calendars/free_busy")
    assert len(calls) == 1
    # An id PlaceOS does not know is not sent (it would fail the whole call) but reported.
    assert calls[0].url.params["system_ids"].split(",") == ["sys-euler", "sys-faraday"]
    assert [a.room_id for a in found] == ["sys-euler", "sys-faraday", "sys-nowhere"]
    assert [(b.start, b.end) for b in found[0].blocks] == [(syd("09:30"), syd("11:30"))]
    assert found[0].error is None and found[1].error is None
    assert "no room" in found[2].error


async def test_free_busy_room_left_out_of_the_reply_gets_an_error(backend, fake):
    row = {"id": "euler.room@acme.example", "system": {"id": "sys-euler"},
           "availability": [{"status": "busy", "starts_at": int(syd("09:30").timestamp()),
                             "ends_at": int(syd("11:30").timestamp()), "timezone": "Australia/Sydney"}]}
    fake.fail_next("GET", "/api/staff/v1/calendars/free_busy", 200, body=[row])
    found = await backend.free_busy(DAY_START, DAY_END, room_ids=["sys-euler", "sys-faraday"])
    assert found[0].error is None and len(found[0].blocks) == 1
    assert found[1].room_id == "sys-faraday" and found[1].error == NO_ROW


async def test_free_busy_garbled_row_is_an_error_on_that_room_only(backend, fake):
    rows = [{"id": "euler.room@acme.example", "system": {"id": "sys-euler"}, "availability": "busy all day"},
            {"id": "faraday.room@acme.example", "system": {"id": "sys-faraday"}, "availability": []}]
    fake.fail_next("GET", "/api/staff/v1/calendars/free_busy", 200, body=rows)
    found = await backend.free_busy(DAY_START, DAY_END, room_ids=["sys-euler", "sys-faraday"])
    assert "malformed" in found[0].error and found[1].error is None


async def test_free_busy_window_under_five_minutes_is_refused_before_calling(backend, fake):
    with pytest.raises(InvalidInputError, match="5 minutes"):
        await backend.free_busy(NOW, NOW + timedelta(minutes=4), zone_id="zone-syd-l1")
    assert not requests_to(fake, "/api/staff/v1/calendars/free_busy")
    with pytest.raises(InvalidInputError):
        await backend.free_busy(NOW, NOW - timedelta(hours=1), zone_id="zone-syd-l1")


async def test_free_busy_partial_result_marks_the_calendars_and_warns(backend, fake):
    seen: list[str] = []
    backend.warning_sink = seen.append
    fake.partial_calendars = {"ada.room@acme.example": "limit", "babbage.room@acme.example": "issue"}
    found = {a.room_id: a for a in await backend.free_busy(DAY_START, DAY_END, zone_id="zone-syd-l1")}
    assert found["sys-ada"].error == "could not be read (rate-limited)"
    assert found["sys-babbage"].error == "could not be read (failed)"
    assert found["sys-curie"].error is None
    assert len(seen) == 1 and "ada.room@acme.example" in seen[0] and "babbage.room@acme.example" in seen[0]


# --------------------------------------------------------------------------- events


async def test_list_events_of_a_room_by_id_or_email(backend, fake):
    events = await backend.list_events("sys-ada", DAY_START, DAY_END)
    assert [e.title for e in events] == ["Weekly sync", "1:1", "Client visit"]
    assert all(e.calendar_id == "ada.room@acme.example" and "sys-ada" in e.room_ids for e in events)
    assert requests_to(fake, "/api/staff/v1/events")[-1].url.params["system_ids"] == "sys-ada"
    assert [e.id for e in await backend.list_events("ada.room@acme.example", DAY_START, DAY_END)] == [e.id for e in events]
    private = events[1]
    assert private.private and private.display_title(masked=True) == "Private meeting"
    visit = events[2]
    assert any(a.visit_expected and a.email == "sam.client@partner.example" for a in visit.attendees)
    assert visit.extension_data.get("catering") is True


async def test_list_events_cancelled_only_on_request(backend):
    assert [e.title for e in await backend.list_events("sys-babbage", DAY_START, DAY_END)] == ["Design review"]
    everything = await backend.list_events("sys-babbage", DAY_START, DAY_END, include_cancelled=True)
    assert [(e.title, e.status) for e in everything] == [
        ("Design review", EventStatus.CONFIRMED), ("Standup", EventStatus.CANCELLED)]


async def test_list_events_of_a_person(backend, fake):
    events = await backend.list_events("grace.hopper@acme.example", DAY_START, DAY_END)
    assert "Client visit" in [e.title for e in events]
    assert requests_to(fake, "/api/staff/v1/events")[-1].url.params["calendars"] == "grace.hopper@acme.example"
    assert all(e.start < DAY_END for e in events)


async def test_get_event(backend):
    first = (await backend.list_events("sys-ada", DAY_START, DAY_END))[0]
    again = await backend.get_event("sys-ada", first.id)
    assert again.id == first.id and again.title == "Weekly sync"
    with pytest.raises(NotFoundError):
        await backend.get_event("sys-ada", "evt-missing")


async def test_create_event_in_a_room_calendar(backend, fake):
    draft = EventDraft(title="Walk-in chat", start=syd("16:00"), end=syd("16:30"), host="ada.lovelace@acme.example",
                       attendees=[Attendee(email="alan.turing@acme.example", name="Alan Turing")])
    event = await backend.create_event("sys-darwin", draft)
    assert event.room_ids[0] == "sys-darwin" and event.host == "ada.lovelace@acme.example"
    body = requests_to(fake, "/api/staff/v1/events", "POST")[-1]
    assert b'"system_id":"sys-darwin"' in body.content.replace(b" ", b"")
    busy = await backend.free_busy(syd("16:00"), syd("17:00"), room_ids=["sys-darwin"])
    assert [(b.start, b.end) for b in busy[0].blocks] == [(syd("16:00"), syd("16:30"))]


async def test_create_event_is_filed_in_the_rooms_building_zone(backend, fake):
    start = datetime(2026, 3, 2, 16, 0, tzinfo=ZoneInfo("Europe/London"))
    event = await backend.create_event("sys-newton", EventDraft(title="Tea", start=start, end=start + timedelta(hours=1)))
    assert event.timezone == "Europe/London"
    sent = requests_to(fake, "/api/staff/v1/events", "POST")[-1]
    assert b'"timezone":"Europe/London"' in sent.content.replace(b" ", b"")


async def test_create_event_in_a_person_calendar_books_the_first_room(backend):
    draft = EventDraft(title="Offsite", start=syd("16:00"), end=syd("17:00"), room_ids=["faraday.room@acme.example", "sys-darwin"])
    event = await backend.create_event("grace.hopper@acme.example", draft)
    assert event.host == "grace.hopper@acme.example"
    assert event.room_ids[0] == "sys-faraday" and "sys-darwin" in event.room_ids
    assert any(a.resource and a.email == "darwin.room@acme.example" for a in event.attendees)


async def test_create_event_refuses_an_unbookable_room(backend, fake):
    draft = EventDraft(title="x", start=syd("16:00"), end=syd("17:00"))
    with pytest.raises(InvalidInputError, match="cannot be booked"):
        await backend.create_event("sys-gauss", draft)
    assert not requests_to(fake, "/api/staff/v1/events", "POST")


async def test_create_event_again_with_the_same_key_returns_the_first(backend, fake):
    draft = EventDraft(title="Once", start=syd("16:00"), end=syd("16:30"))
    first = await backend.create_event("sys-darwin", draft, idempotency_key="key-evt-1")
    second = await backend.create_event("sys-darwin", draft, idempotency_key="key-evt-1")
    assert first.id == second.id
    assert len(requests_to(fake, "/api/staff/v1/events", "POST")) == 1


async def test_update_event_moves_rooms_with_old_room_in_query(backend, fake):
    event = (await backend.list_events("sys-faraday", DAY_START, DAY_END))[0]
    moved = await backend.update_event("sys-faraday", event.id, EventPatch(room_ids=["sys-darwin"], end=syd("13:30")))
    patch = requests_to(fake, f"/api/staff/v1/events/{event.id}", "PATCH")[-1]
    assert patch.url.params["system_id"] == "sys-faraday"
    assert b'"system_id":"sys-darwin"' in patch.content.replace(b" ", b"")
    assert moved.room_ids[0] == "sys-darwin" and moved.end == syd("13:30")
    assert moved.calendar_id == "darwin.room@acme.example"
    assert await backend.list_events("sys-faraday", DAY_START, DAY_END) == []
    assert [e.id for e in await backend.list_events("sys-darwin", DAY_START, DAY_END)] == [event.id]


async def test_update_event_times_and_title(backend):
    event = (await backend.list_events("sys-curie", DAY_START, DAY_END))[0]
    changed = await backend.update_event("sys-curie", event.id, EventPatch(title="Board prep (long)", end=syd("14:30")))
    assert changed.title == "Board prep (long)" and changed.end == syd("14:30") and changed.start == syd("13:00")
    with pytest.raises(InvalidInputError):
        await backend.update_event("sys-curie", event.id, EventPatch(end=syd("12:00")))


async def test_delete_and_decline_event(backend):
    sync, one_on_one, _ = await backend.list_events("sys-ada", DAY_START, DAY_END)
    await backend.delete_event("sys-ada", sync.id)
    await backend.decline_event("sys-ada", one_on_one.id, comment="Room closed for cleaning")
    left = await backend.list_events("sys-ada", DAY_START, DAY_END)
    assert [e.title for e in left] == ["Client visit"]


async def test_cancelling_through_a_rooms_calendar_cancels_the_hosts_meeting(backend, fake):
    # A DELETE on the room's mailbox would only drop the room's copy: the host would keep the
    # meeting and nobody would be told. Cancelling deletes the organiser's meeting instead.
    sync, _, visit = await backend.list_events("sys-ada", DAY_START, DAY_END)
    await backend.delete_event("sys-ada", sync.id)
    deleted = requests_to(fake, f"/api/staff/v1/events/{sync.id}", "DELETE")
    assert [dict(r.url.params) for r in deleted] == [{"calendar": "ada.lovelace@acme.example", "notify": "true"}]
    assert sync.id not in fake.state.events  # gone for everyone, not just from the room
    # A comment travels as the cancellation's message: PlaceOS takes one only on a decline,
    # which from the organiser's calendar cancels the meeting for everyone.
    await backend.delete_event("ada.room@acme.example", visit.id, comment="Fire drill")
    declined = requests_to(fake, f"/api/staff/v1/events/{visit.id}/decline", "POST")
    assert len(declined) == 1 and declined[0].url.params["calendar"] == "grace.hopper@acme.example"
    assert declined[0].content == b"Fire drill"
    assert fake.state.events[visit.id]["status"] == "cancelled"
    assert [e.title for e in await backend.list_events("sys-ada", DAY_START, DAY_END)] == ["1:1"]


async def test_cancelling_someone_elses_meeting_without_the_right_says_what_to_do(fake, tmp_path):
    async with make_backend(fake, tmp_path, api_key=FakePlaceOS.USER_KEY) as b:  # Ada, not an admin
        review = next(e for e in await b.list_events("sys-babbage", DAY_START, DAY_END) if e.title == "Design review")
        with pytest.raises(PermissionDeniedError, match="edsger.dijkstra@acme.example") as caught:
            await b.delete_event("sys-babbage", review.id)
        assert "decline" in caught.value.hint.lower()
    assert fake.state.events[review.id]["status"] == "confirmed"
    assert "removed_from" not in fake.state.events[review.id]


async def test_approve_and_reject_event_on_behalf_of_the_room(backend):
    board = (await backend.list_events("sys-curie", DAY_START, DAY_END))[0]
    approved = await backend.approve_event("sys-curie", board.id)
    room = next(a for a in approved.attendees if a.email == "curie.room@acme.example")
    assert room.response == ResponseStatus.ACCEPTED
    rejected = await backend.reject_event("curie.room@acme.example", board.id)
    room = next(a for a in rejected.attendees if a.email == "curie.room@acme.example")
    assert room.response == ResponseStatus.DECLINED


# --------------------------------------------------------------------------- bookings


def _window() -> BookingQuery:
    return BookingQuery(start=DAY_START, end=DAY_END)


async def test_query_bookings_of_every_type_asks_per_type(backend, fake):
    found = await backend.query_bookings(BookingQuery(start=DAY_START, end=DAY_END, zone_ids=["zone-syd"]))
    types = sorted(r.url.params["type"] for r in requests_to(fake, "/api/staff/v1/bookings"))
    assert types == sorted(["desk", "parking", "locker", "visitor", "room", "asset-request", "group-event"])
    assert {b.type for b in found} == {"desk", "parking", "visitor"}
    assert [b.start for b in found] == sorted(b.start for b in found)
    assert all(isinstance(b, Booking) and b.id.isdigit() for b in found)


async def test_query_bookings_filters(backend):
    desks = await backend.query_bookings(BookingQuery(start=DAY_START, end=DAY_END, type="desk", zone_ids=["zone-syd-l1"]))
    assert {b.asset_id for b in desks} == {"desk-l1-01", "desk-l1-02"}
    only = await backend.query_bookings(
        BookingQuery(start=DAY_START, end=DAY_END, type="desk", zone_ids=["zone-syd-l1"], asset_ids=["desk-l1-02"]))
    assert [b.user_email for b in only] == ["alan.turing@acme.example"]
    pending = await backend.query_bookings(
        BookingQuery(start=DAY_START, end=DAY_END, type="desk", zone_ids=["zone-syd-l1"], approved=False))
    assert [b.asset_id for b in pending] == ["desk-l1-02"]
    mine = await backend.query_bookings(BookingQuery(start=DAY_START, end=DAY_END, type="parking", user_email="grace.hopper@acme.example"))
    assert [b.extension_data.get("plate_number") for b in mine] == ["GRACE1"]


def _desk(asset: str = "desk-l1-03", who: str = "barbara.liskov@acme.example", **over) -> BookingDraft:
    data = {"type": "desk", "asset_ids": [asset], "start": syd("10:00"), "end": syd("16:00"), "user_email": who,
            "zones": ["zone-acme", "zone-syd", "zone-syd-l1"], "timezone": "Australia/Sydney", "title": "Desk"}
    data.update(over)
    return BookingDraft.model_validate(data)


async def test_create_get_update_delete_booking(backend, fake):
    made = await backend.create_booking(_desk(), booked_by="ignored@acme.example")
    assert made.asset_ids == ["desk-l1-03"] and made.user_email == "barbara.liskov@acme.example"
    assert made.booked_by_email == "reception@acme.example"  # PlaceOS: the signed-in account
    assert made.state == BookingState.RESERVED
    assert (await backend.get_booking(made.id)).id == made.id
    moved = await backend.update_booking(made.id, BookingPatch(asset_ids=["desk-l1-04"], end=syd("17:00"), title="Moved"))
    assert moved.asset_ids == ["desk-l1-04"] and moved.end == syd("17:00") and moved.title == "Moved"
    with pytest.raises(InvalidInputError):
        await backend.update_booking(made.id, BookingPatch(end=syd("09:00")))
    await backend.delete_booking(made.id)
    assert (await backend.get_booking(made.id)).deleted
    with pytest.raises(NotFoundError, match="no booking"):
        await backend.get_booking("999999")


async def test_create_booking_again_with_the_same_key_returns_the_first(backend, fake):
    first = await backend.create_booking(_desk(), idempotency_key="key-bk-1")
    second = await backend.create_booking(_desk(), idempotency_key="key-bk-1")
    assert first.id == second.id
    assert len(requests_to(fake, "/api/staff/v1/bookings", "POST")) == 1


async def test_booking_clash_is_a_conflict_with_the_clashing_bookings(backend):
    with pytest.raises(ConflictError) as caught:
        await backend.create_booking(_desk("desk-l1-01"))
    clashes = caught.value.clashes
    assert clashes and isinstance(clashes[0], Booking) and clashes[0].asset_id == "desk-l1-01"


async def test_booking_limit_is_reached_unless_overridden(backend, fake):
    fake.booking_limits = {"desk": 1}
    with pytest.raises(LimitReachedError) as caught:
        await backend.create_booking(_desk(who="ada.lovelace@acme.example"))
    assert caught.value.limit == 1
    made = await backend.create_booking(_desk(who="ada.lovelace@acme.example"), limit_override=2)
    assert made.user_email == "ada.lovelace@acme.example"


async def test_approve_reject_state_and_check_in(backend):
    desks = await backend.query_bookings(BookingQuery(start=DAY_START, end=DAY_END, type="desk", zone_ids=["zone-syd-l1"]))
    pending = next(b for b in desks if not b.approved)
    approved = await backend.approve_booking(pending.id, approver="whoever@acme.example")
    assert approved.approved and approved.approver_email == "reception@acme.example"
    checked = await backend.check_in_booking(pending.id)
    assert checked.checked_in and checked.state == BookingState.CHECKED_IN
    out = await backend.check_out_booking(pending.id)
    assert not out.checked_in and out.checked_out_at is not None
    cleaned = await backend.set_booking_state(pending.id, "cleaned")
    assert cleaned.process_state == "cleaned"
    with pytest.raises(InvalidInputError):
        await backend.set_booking_state(pending.id, " ")
    other = next(b for b in desks if b.approved)
    rejected = await backend.reject_booking(other.id)
    assert rejected.rejected


async def test_check_in_too_early_is_invalid_input_with_the_reason(backend):
    # A refusal of the booking's own state, as the local site says it: nothing is in the way.
    made = await backend.create_booking(_desk(start=syd("15:00"), end=syd("16:00")))
    with pytest.raises(InvalidInputError, match="(?i)early"):
        await backend.check_in_booking(made.id)


async def test_check_in_too_early_says_when_check_in_opens_in_the_buildings_time(backend, fake):
    fake.early_checkin = 1800
    made = await backend.create_booking(_desk(start=syd("15:00"), end=syd("16:00")))
    with pytest.raises(InvalidInputError) as caught:
        await backend.check_in_booking(made.id)
    message = str(caught.value)
    assert "too early to check in" in message and "14:30" in message and "30 minutes" in message
    assert not (await backend.get_booking(made.id)).checked_in


async def test_desks_are_listed_from_each_levels_desks_metadata(backend, fake):
    desks = await backend.list_assets(zone_id="zone-syd")
    assert [d.id for d in desks] == ["desk-l1-01", "desk-l1-02", "desk-l1-03", "desk-l1-04", "desk-l1-05"]  # 1.06 is not bookable
    first = desks[0]
    assert (first.type, first.name, first.features) == ("desk", "Desk 1.01", ("monitor", "standing"))
    assert set(first.zone_ids) == {"zone-syd", "zone-syd-l1"}
    assert [d.id for d in await backend.list_assets(type="desk", zone_id="zone-syd-l1")] == [d.id for d in desks]
    assert await backend.list_assets(type="desk", zone_id="zone-lon") == []
    assert [r.url.params["name"] for r in requests_to(fake, "/api/engine/v2/metadata/zone-syd/children")] == ["desks"]
    with pytest.raises(NotSupportedError):
        await backend.list_assets(type="parking", zone_id="zone-syd")  # typed by id: PlaceOS keeps no bay list we can read


async def test_a_desk_booked_without_zones_is_filed_under_its_level_and_building(backend, fake):
    made = await backend.create_booking(_desk(zones=[], timezone=None))
    stored = fake.state.bookings[int(made.id)]
    assert {"zone-syd", "zone-syd-l1"} <= set(stored["zones"]) and stored["timezone"] == "Australia/Sydney"
    found = await backend.query_bookings(BookingQuery(start=DAY_START, end=DAY_END, type="desk", zone_ids=["zone-syd"]))
    assert made.id in {b.id for b in found}
    # An id no desk list knows is sent as given (PlaceOS decides).
    odd = await backend.create_booking(_desk("hot-desk-9", zones=[], timezone=None))
    assert fake.state.bookings[int(odd.id)]["zones"] == []


# --------------------------------------------------------------------------- guests


async def test_query_guests_of_today_in_a_building(backend):
    guests = await backend.query_guests(start=DAY_START, end=DAY_END, zone_id="zone-syd")
    by_email = {g.email: g for g in guests}
    assert {"jane.visitor@example.com", "omar.guest@example.org", "li.wei@example.net", "sam.client@partner.example"} <= set(by_email)
    jane = by_email["jane.visitor@example.com"]
    assert jane.id == f"booking:{jane.booking_id}:jane.visitor@example.com"
    assert jane.host_email == "ada.lovelace@acme.example" and jane.visit_start == syd("10:00")
    assert not jane.checked_in and jane.visit_expected
    assert by_email["li.wei@example.net"].checked_in
    sam = by_email["sam.client@partner.example"]
    assert sam.id.startswith("event:sys-ada:") and sam.event_id and sam.host_email == "grace.hopper@acme.example"
    assert sam.visit_start == syd("14:00")
    assert [g.visit_start for g in guests] == sorted(g.visit_start for g in guests)
    only = await backend.query_guests(start=DAY_START, end=DAY_END, zone_id="zone-syd", query="omar")
    assert [g.email for g in only] == ["omar.guest@example.org"]


async def test_search_guests_without_a_window(backend, fake):
    found = await backend.query_guests(query="Jane")
    assert [g.email for g in found] == ["jane.visitor@example.com"]
    assert requests_to(fake, "/api/staff/v1/guests")[-1].url.params["q"] == "jane"


async def test_get_guest_by_visit_id_or_email(backend):
    guests = {g.email: g for g in await backend.query_guests(start=DAY_START, end=DAY_END, zone_id="zone-syd")}
    for guest in guests.values():
        again = await backend.get_guest(guest.id)
        assert again.id == guest.id and again.visit_start == guest.visit_start
    bare = await backend.get_guest("jane.visitor@example.com")
    assert bare.email == "jane.visitor@example.com"
    with pytest.raises(NotFoundError):
        await backend.get_guest("booking:999999:nobody@example.com")


async def test_check_in_and_out_a_visitor_booking_guest(backend, fake):
    jane = next(g for g in await backend.query_guests(start=DAY_START, end=DAY_END, zone_id="zone-syd")
                if g.email == "jane.visitor@example.com")
    checked = await backend.check_in_guest(jane.id)
    assert checked.checked_in and checked.id == jane.id and checked.checked_in_at == NOW
    path = f"/api/staff/v1/bookings/{jane.booking_id}/guests/jane.visitor@example.com/check_in"
    assert requests_to(fake, path, "POST")[-1].url.params["state"] == "true"
    assert (await backend.get_booking(jane.booking_id)).checked_in
    out = await backend.check_out_guest(jane.id)
    assert not out.checked_in and out.checked_in_at == NOW and out.checked_out_at == NOW
    assert requests_to(fake, path, "POST")[-1].url.params["state"] == "false"
    # The visitor booking is checked out with its visitor.
    assert (await backend.get_booking(jane.booking_id)).state == BookingState.CHECKED_OUT


async def test_check_in_a_meeting_guest(backend, fake):
    sam = next(g for g in await backend.query_guests(start=DAY_START, end=DAY_END, zone_id="zone-syd")
               if g.email == "sam.client@partner.example")
    checked = await backend.check_in_guest(sam.id)
    assert checked.checked_in
    call = [r for r in fake.requests if r.url.path.endswith("/guests/sam.client@partner.example/check_in")][-1]
    assert call.url.path == f"/api/staff/v1/events/{sam.event_id}/guests/sam.client@partner.example/check_in"
    assert call.url.params["system_id"] == "sys-ada"


async def test_check_in_by_bare_email_finds_todays_visit(backend):
    checked = await backend.check_in_guest("jane.visitor@example.com")
    assert checked.checked_in and checked.id.startswith("booking:")


async def test_register_a_walk_in_guest(backend, fake):
    draft = GuestDraft(email="New.Person@Example.com", name="New Person", host_email="alan.turing@acme.example",
                       visit_start=syd("10:00"), visit_end=syd("11:00"), organisation="Newco", phone="+61 400 111 222",
                       zone_ids=["zone-acme", "zone-syd", "zone-syd-l1"], notes="parcel")
    guest = await backend.create_guest(draft, idempotency_key="walk-in-1")
    assert guest.id == f"booking:{guest.booking_id}:new.person@example.com"
    assert guest.host_email == "alan.turing@acme.example" and guest.host_name == "Alan Turing"
    assert guest.organisation == "Newco" and guest.visit_start == syd("10:00")
    booking = await backend.get_booking(guest.booking_id)
    assert booking.type == "visitor" and booking.asset_ids == ["new.person@example.com"] and booking.approved
    assert booking.user_email == "alan.turing@acme.example" and booking.title == "Visitor: New Person"
    assert [(a.email, a.visit_expected) for a in booking.attendees] == [("new.person@example.com", True)]
    assert booking.extension_data["organisation"] == "Newco"
    # PlaceOS's visitor convention names the visitor in the booking's asset_name.
    assert fake.state.bookings[int(guest.booking_id)]["asset_name"] == "New Person"
    again = await backend.create_guest(draft, idempotency_key="walk-in-1")
    assert again.id == guest.id
    listed = await backend.query_guests(start=DAY_START, end=DAY_END, zone_id="zone-syd")
    assert guest.id in {g.id for g in listed}


async def test_register_an_existing_guest_again_updates_the_record(backend):
    draft = GuestDraft(email="jane.visitor@example.com", name="Jane Visitor", host_email="grace.hopper@acme.example",
                       visit_start=syd("15:00"), visit_end=syd("16:00"), phone="+61 400 999 999", zone_ids=["zone-syd"])
    guest = await backend.create_guest(draft)
    assert guest.host_email == "grace.hopper@acme.example" and guest.phone == "+61 400 999 999"


async def test_register_a_guest_for_an_unknown_host_is_refused(backend, fake):
    draft = GuestDraft(email="x@example.com", name="X", host_email="nobody@acme.example",
                       visit_start=syd("15:00"), visit_end=syd("16:00"))
    with pytest.raises(InvalidInputError, match="directory"):
        await backend.create_guest(draft)
    assert not requests_to(fake, "/api/staff/v1/bookings", "POST")


async def test_update_guest_record_and_visit(backend):
    guests = {g.email: g for g in await backend.query_guests(start=DAY_START, end=DAY_END, zone_id="zone-syd")}
    omar = guests["omar.guest@example.org"]
    changed = await backend.update_guest(omar.id, GuestPatch(phone="+61 400 123 456", visit_start=syd("13:30"),
                                                             visit_end=syd("14:30"), host_email="grace.hopper@acme.example"))
    assert changed.phone == "+61 400 123 456" and changed.visit_start == syd("13:30")
    assert changed.host_email == "grace.hopper@acme.example"
    sam = guests["sam.client@partner.example"]
    with pytest.raises(InvalidInputError, match="meeting"):
        await backend.update_guest(sam.id, GuestPatch(visit_start=syd("13:00")))


# --------------------------------------------------------------------------- through the console's services


async def test_room_board_loads_a_level_with_one_free_busy_call(backend, fake):
    from staffterm.services.room_board import RoomBoard

    snapshot = await RoomBoard(backend, FrozenClock(NOW)).load("zone-syd-l1")
    assert {r.id for r in snapshot.rooms} == {"sys-ada", "sys-babbage", "sys-curie", "sys-darwin"}
    assert len(requests_to(fake, "/api/staff/v1/calendars/free_busy")) == 1
    assert snapshot.errors == []
    assert all(a.error is None for a in snapshot.availability.values())
    # 09:45 in Sydney: Ada hosts the 09:00-10:00 sync, Darwin is free all day.
    assert snapshot.statuses["sys-ada"].busy_until == syd("10:00")
    assert snapshot.statuses["sys-darwin"].current is None


async def test_reception_lists_and_checks_in_todays_visitors(backend):
    from staffterm.services.mail_templates import MailTemplates
    from staffterm.services.reception import ReceptionService

    desk = ReceptionService(backend, MailTemplates(), FrozenClock(NOW))
    expected = await desk.expected_today("zone-syd")
    assert {"jane.visitor@example.com", "sam.client@partner.example"} <= {g.email for g in expected}
    jane = next(g for g in expected if g.email == "jane.visitor@example.com")
    result = await desk.check_in(jane.id)
    assert result.guest.checked_in
    # PlaceOS's VisitorMailer tells the host: staffterm must not mail them a second time.
    assert result.notified_by == "placeos" and result.notification is None
    assert result.qr_payload.startswith("VISIT:jane.visitor@example.com,")


# --------------------------------------------------------------------------- directory


async def test_directory(backend):
    people = await backend.list_users(query="grace")
    assert [p.email for p in people] == ["grace.hopper@acme.example"]
    assert len(await backend.list_users(limit=3)) == 3
    ada = await backend.get_user("ada.lovelace@acme.example")
    assert ada.name == "Ada Lovelace" and ada.department == "Engineering"
    with pytest.raises(NotFoundError):
        await backend.get_user("nobody@acme.example")
    manager = await backend.user_manager("ada.lovelace@acme.example")
    assert manager is not None and manager.email == "grace.hopper@acme.example"
    assert await backend.user_manager("donald.knuth@acme.example") is None
    assert "grp-engineering" in {g.id for g in await backend.user_groups("ada.lovelace@acme.example")}
    groups = await backend.list_groups()
    assert {g.id for g in groups} >= {"grp-engineering", "grp-research", "grp-front-desk"}
    members = await backend.group_members("grp-research")
    assert {m.email for m in members} == {"alan.turing@acme.example", "edsger.dijkstra@acme.example"}
    calendars = await backend.list_calendars("ada.lovelace@acme.example")
    assert calendars and calendars[0].owner_email == "ada.lovelace@acme.example"


# --------------------------------------------------------------------------- check()


async def test_mail_is_not_a_placeos_capability(backend):
    from staffterm.errors import NotSupportedError
    from staffterm.models import MailMessage

    with pytest.raises(NotSupportedError):
        await backend.send_mail(MailMessage(to=["a@x.example"], subject="hi"))


async def test_partial_event_listing_warns_naming_the_calendar(backend, fake):
    seen: list[str] = []
    backend.warning_sink = seen.append
    fake.partial_calendars = {"grace.hopper@acme.example": "limit"}
    await backend.list_events("grace.hopper@acme.example", DAY_START, DAY_END)
    assert seen and "grace.hopper@acme.example" in seen[0] and "rate-limited" in seen[0]
    assert backend.warnings[-1] == seen[-1]


async def test_check_on_good_settings(backend):
    lines = await backend.check()
    assert lines[0].startswith("reached PlaceOS at https://placeos.test (staff-api build")
    assert lines[1] == "signed in as Rita Reception <reception@acme.example> (API key)"
    assert lines[-1] == "2 buildings, 10 rooms"


async def test_check_with_username_and_password(fake, tmp_path):
    over = {"api_key": None, "username": FakePlaceOS.USERNAME, "password": FakePlaceOS.PASSWORD,
            "client_id": FakePlaceOS.CLIENT_ID}
    async with make_backend(fake, tmp_path, **over) as b:
        lines = await b.check()
        assert lines[1] == "signed in as Rita Reception <reception@acme.example> (username/password)"
        assert len(await b.list_rooms()) == 10
    assert requests_to(fake, "/auth/oauth/token", "POST")
    assert any(r.headers.get("authorization", "").startswith("Bearer ") for r in fake.requests)


async def test_check_with_a_wrong_password_is_an_auth_error_without_the_password(fake, tmp_path):
    over = {"api_key": None, "username": FakePlaceOS.USERNAME, "password": "wrong-horse-secret",
            "client_id": FakePlaceOS.CLIENT_ID}
    async with make_backend(fake, tmp_path, **over) as b:
        with pytest.raises(AuthError) as caught:
            await b.check()
    assert "wrong-horse-secret" not in str(caught.value)


async def test_a_wrong_password_fails_the_check_even_after_the_right_one_signed_in(fake, tmp_path):
    # The same tenant (site, user, client) with a wrong password must not ride on the cached session.
    right = {"api_key": None, "username": FakePlaceOS.USERNAME, "password": FakePlaceOS.PASSWORD,
             "client_id": FakePlaceOS.CLIENT_ID}
    async with make_backend(fake, tmp_path, **right) as b:
        await b.check()
    assert list((tmp_path / "tokens").glob("*.json"))
    async with make_backend(fake, tmp_path, **{**right, "password": "wrong-horse-secret"}) as b:
        with pytest.raises(AuthError, match="refused the username or password"):
            await b.check()
    assert not list((tmp_path / "tokens").glob("*.json"))  # the session of the old credentials is dropped


async def test_check_with_a_wrong_key(fake, tmp_path):
    async with make_backend(fake, tmp_path, api_key="not-the-key") as b:
        with pytest.raises(AuthError) as caught:
            await b.check()
    assert "not-the-key" not in str(caught.value)


async def test_check_with_a_wrong_url(fake, tmp_path):
    def not_placeos(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="<html>Not Found</html>", headers={"content-type": "text/html"})

    async with make_backend(fake, tmp_path, transport=httpx.MockTransport(not_placeos)) as b:
        with pytest.raises(ConfigError) as caught:
            await b.check()
    assert caught.value.key == "base_url"
    assert "https://placeos.test does not look like a PlaceOS server" in str(caught.value)

    def web_page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>Welcome</html>", headers={"content-type": "text/html"})

    async with make_backend(fake, tmp_path, transport=httpx.MockTransport(web_page)) as b:
        with pytest.raises(ConfigError, match="does not look like a PlaceOS server"):
            await b.check()


async def test_check_with_an_unreachable_host(fake, tmp_path):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    async with make_backend(fake, tmp_path, transport=httpx.MockTransport(refuse)) as b:
        with pytest.raises(UnavailableError, match="cannot reach placeos.test"):
            await b.check()


async def test_check_on_a_domain_without_a_tenant(backend, fake):
    fake.tenant_configured = False
    with pytest.raises(ConfigError, match="tenant"):
        await backend.check()


async def test_query_bookings_with_no_zone_or_person_means_the_whole_site(backend, fake):
    # PlaceOS alone would answer only the signed-in account's bookings (Rita books none).
    found = await backend.query_bookings(BookingQuery(start=DAY_START, end=DAY_END, type="desk"))
    assert {b.asset_id for b in found} == {"desk-l1-01", "desk-l1-02"}
    asked = [r.url.params.get("zones", "") for r in requests_to(fake, "/api/staff/v1/bookings")]
    assert asked and all("zone-syd" in z and "zone-lon" in z for z in asked)


async def test_open_resolves_a_secret_command_off_the_event_loop(fake, tmp_path):
    # A secret command may take seconds (a password manager unlocking): the console's loop must keep
    # painting meanwhile, so open() resolves secrets in a worker thread.
    script = tmp_path / "slow-key"
    script.write_text(f"#!/bin/sh\nsleep 0.4\necho {FakePlaceOS.API_KEY}\n")
    script.chmod(0o700)
    b = make_backend(fake, tmp_path, api_key={"command": str(script)})
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.02)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        async with b:
            assert [z.id for z in await b.list_zones()]
    finally:
        task.cancel()
    assert ticks >= 10, f"the event loop ran only {ticks} ticks while the secret command ran"
