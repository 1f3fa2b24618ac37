"""Every raw PlaceOS client command against the in-repo fake PlaceOS (engine + Staff API + OAuth).

One test (at least) per command of the Staff API driver seed, plus the extras staffterm adds
(free/busy, availability, event writes, guest check-in, clashing assets) and the error paths an
operator meets (409, 410, 405, 403, 501, 511, 206).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from staffterm.backends.placeos.auth import ApiKeyAuth, PasswordGrantAuth
from staffterm.backends.placeos.engine import EngineAPI
from staffterm.backends.placeos.staff import StaffAPI
from staffterm.backends.placeos.wire_errors import placeos_error
from staffterm.errors import (
    AuthError,
    ConfigError,
    ConflictError,
    InvalidInputError,
    LimitReachedError,
    NotFoundError,
    PermissionDeniedError,
)
from staffterm.http.client import HttpClient, RetryPolicy
from staffterm.http.token_cache import TokenCache
from staffterm.models import Booking
from tests.fakes.placeos.server import FakePlaceOS

SYD = ZoneInfo("Australia/Sydney")
NOW = datetime(2025, 3, 10, 8, 0, tzinfo=SYD)  # a Monday morning in Sydney, before the seed's meetings
DAY_START = int(datetime(2025, 3, 10, 0, 0, tzinfo=SYD).timestamp())
DAY_END = int(datetime(2025, 3, 11, 0, 0, tzinfo=SYD).timestamp())


def at(hhmm: str) -> int:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return int(datetime(2025, 3, 10, hours, minutes, tzinfo=SYD).timestamp())


class Client:
    def __init__(self, fake: FakePlaceOS, auth=None, transport: httpx.AsyncBaseTransport | None = None) -> None:
        async def no_sleep(_s: float) -> None:
            return None

        self.warnings: list[str] = []
        self.http = HttpClient(
            base_url=fake.base_url, provider="PlaceOS", auth=auth or ApiKeyAuth(FakePlaceOS.API_KEY),
            error_mapper=placeos_error, transport=transport or fake.transport(), retry=RetryPolicy(max_attempts=3),
            sleep=no_sleep,
        )
        self.engine = EngineAPI(self.http)
        self.staff = StaffAPI(self.http, on_partial=self.warnings.append, clock=fake.now)


@pytest.fixture
def fake() -> FakePlaceOS:
    return FakePlaceOS(now=NOW)


@pytest.fixture
def client(fake) -> Client:
    return Client(fake)


@pytest.fixture(autouse=True)
def no_fake_crashes(fake):
    yield
    assert fake.server_errors == [], fake.server_errors


# --------------------------------------------------------------------------- engine: systems and zones


async def test_get_system(client):
    system = await client.engine.get_system("sys-ada")
    assert system["name"] == "Ada" and system["email"] == "ada.room@acme.example"
    assert (await client.engine.get_system("sys-ada", complete=True))["id"] == "sys-ada"
    with pytest.raises(NotFoundError):
        await client.engine.get_system("sys-nope")


async def test_systems(client):
    level1 = await client.engine.systems(zone_id="zone-syd-l1")
    assert sorted(s["id"] for s in level1) == ["sys-ada", "sys-babbage", "sys-curie", "sys-darwin"]
    big = await client.engine.systems(zone_id="zone-syd", capacity=10)
    assert sorted(s["id"] for s in big) == ["sys-curie", "sys-euler"]
    with_vc = await client.engine.systems(zone_id="zone-syd", features="vc", bookable=True)
    assert sorted(s["id"] for s in with_vc) == ["sys-ada", "sys-curie", "sys-euler"]
    assert [s["id"] for s in await client.engine.systems(q="faraday")] == ["sys-faraday"]
    page = await client.engine.systems(zone_id="zone-syd", limit=2, offset=2)
    assert len(page) == 2
    everything = await client.engine.systems(zone_id="zone-syd", limit=None)
    assert len(everything) == 8  # 7 rooms and the lobby signage player
    assert await client.engine.all_systems(zone_id="zone-syd") == everything


async def test_systems_follow_paging_links(fake, client):
    everything = await client.engine.all_systems()
    assert len(everything) == 11
    from staffterm.backends.placeos import engine as engine_module

    original = engine_module.PAGE_SIZE
    engine_module.PAGE_SIZE = 3
    try:
        fake.requests.clear()
        paged = await client.engine.all_systems()
    finally:
        engine_module.PAGE_SIZE = original
    assert [s["id"] for s in paged] == [s["id"] for s in everything]
    assert len(fake.requests) == 4


async def test_systems_in_building(client):
    ids = await client.engine.systems_in_building("zone-syd")
    assert sorted(ids) == ["sys-ada", "sys-babbage", "sys-curie", "sys-darwin", "sys-euler", "sys-faraday", "sys-gauss"]
    full = await client.engine.systems_in_building("zone-lon", ids_only=False)
    assert sorted(s["name"] for s in full) == ["Hopper", "Kelvin", "Newton"]


async def test_zone(client):
    zone = await client.engine.zone("zone-syd")
    assert zone["name"] == "Sydney HQ" and zone["timezone"] == "Australia/Sydney"


async def test_zones(client):
    buildings = await client.engine.zones(tags="building", parent="zone-acme")
    assert sorted(z["id"] for z in buildings) == ["zone-lon", "zone-syd"]
    levels = await client.engine.zones(tags=["level"], parent="zone-syd")
    assert sorted(z["id"] for z in levels) == ["zone-syd-l1", "zone-syd-l2"]
    assert [z["id"] for z in await client.engine.zones(q="London", tags="building")] == ["zone-lon"]
    assert len(await client.engine.all_zones(tags="level")) == 3


async def test_zones_need_a_filter_for_a_plain_user(fake):
    user = Client(fake, ApiKeyAuth(FakePlaceOS.USER_KEY))
    with pytest.raises(PermissionDeniedError) as caught:
        await user.engine.zones()
    assert "list zones" in caught.value.message


# --------------------------------------------------------------------------- engine: metadata


async def test_metadata(client):
    desks = await client.engine.metadata("zone-syd-l1", "desks")
    assert len(desks["desks"]["details"]) == 6
    everything = await client.engine.metadata("zone-syd")
    assert "settings" in everything


async def test_metadata_children(client):
    children = await client.engine.metadata_children("zone-syd", "desks")
    by_zone = {c["zone"]["id"]: c["metadata"] for c in children}
    assert "desks" in by_zone["zone-syd-l1"]


async def test_write_metadata(client):
    written = await client.engine.write_metadata("zone-syd-l2", "desks", [{"id": "desk-l2-01", "name": "Desk 2.01"}],
                                                 "Desks on Level 2")
    assert written["name"] == "desks" and written["details"] == [{"id": "desk-l2-01", "name": "Desk 2.01"}]
    again = await client.engine.metadata("zone-syd-l2", "desks")
    assert again["desks"]["details"][0]["id"] == "desk-l2-01"
    assert again["desks"]["description"] == "Desks on Level 2"


async def test_merge_metadata(client):
    await client.engine.merge_metadata("zone-syd", "settings", {"phone": "+61 2 5550 9999", "new_key": 1})
    settings = (await client.engine.metadata("zone-syd", "settings"))["settings"]["details"]
    assert settings["phone"] == "+61 2 5550 9999" and settings["new_key"] == 1
    assert settings["currency"] == "AUD"  # untouched keys stay


# --------------------------------------------------------------------------- engine: users


async def test_user(client):
    assert (await client.engine.user("user-ada"))["email"] == "ada.lovelace@acme.example"
    assert (await client.engine.current_user())["id"] == "user-reception"


async def test_query_users(client):
    found = await client.engine.query_users(q="Ada")
    assert [u["id"] for u in found] == ["user-ada"]
    active = await client.engine.query_users(limit=50)
    assert "user-linus" not in [u["id"] for u in active]
    everyone = await client.engine.query_users(limit=50, include_deleted=True)
    assert "user-linus" in [u["id"] for u in everyone]
    assert len(await client.engine.query_users(limit=2, offset=1)) == 2
    assert await client.engine.query_users(authority_id="authority-acme", q="Grace")


async def test_create_user(fake, client):
    made = await client.engine.create_user('{"name": "New Person", "email": "new.person@acme.example"}')
    assert made["email"] == "new.person@acme.example"
    assert made["id"] in fake.state.users


async def test_update_user(fake, client):
    await client.engine.update_user("user-ada", {"phone": "+61 400 123 456"})
    assert fake.state.users["user-ada"]["phone"] == "+61 400 123 456"


async def test_delete_user_soft_and_forced(fake, client):
    await client.engine.delete_user("user-donald")
    assert fake.state.users["user-donald"]["deleted"] is True
    await client.engine.delete_user("user-donald", force_removal=True)
    assert "user-donald" not in fake.state.users


async def test_revive_user(fake, client):
    await client.engine.revive_user("user-linus")
    assert not fake.state.users["user-linus"]["deleted"]


async def test_resource_token(client):
    token = await client.engine.resource_token()
    assert token["token"] and "expires" in token
    assert token["token"] not in client.http.redact(f"leaked {token['token']}")


async def test_signal(fake, client):
    await client.engine.signal("staff/desk/changed", {"id": "desk-l1-01"})
    assert fake.state.signals[-1].channel == "staff/desk/changed"
    assert fake.state.signals[-1].payload == {"id": "desk-l1-01"}


async def test_authority(client):
    assert (await client.engine.authority())["id"]


# --------------------------------------------------------------------------- staff: people and guests


async def test_staff_details(client):
    person = await client.staff.staff_details("ada.lovelace@acme.example")
    assert person["name"] == "Ada Lovelace"
    with pytest.raises(NotFoundError):
        await client.staff.staff_details("nobody@acme.example")


async def test_people_follow_next_page_links(fake, client):
    everyone = await client.staff.people()
    assert len(everyone) >= 8  # more than one Graph-like page of 5
    assert len(fake.requests_to("GET", "/api/staff/v1/people")) >= 2
    assert [p["email"] for p in await client.staff.people(q="grace")] == ["grace.hopper@acme.example"]


async def test_directory_extras(client):
    manager = await client.staff.person_manager("ada.lovelace@acme.example")
    assert manager["email"] == "grace.hopper@acme.example"
    assert {g["id"] for g in await client.staff.person_groups("ada.lovelace@acme.example")} == {"grp-engineering"}
    assert await client.staff.person_calendars("ada.lovelace@acme.example")
    assert await client.staff.calendars()
    assert {g["id"] for g in await client.staff.groups()} >= {"grp-engineering", "grp-research"}
    assert (await client.staff.group("grp-research"))["name"] == "Research"
    assert {m["email"] for m in await client.staff.group_members("grp-research")} == {
        "alan.turing@acme.example", "edsger.dijkstra@acme.example"}


async def test_guest_details(client):
    guest = await client.staff.guest_details("jane.visitor@example.com")
    assert guest["name"] == "Jane Visitor"
    by_id = await client.staff.guest_details(str(guest["id"]))
    assert by_id["email"] == "jane.visitor@example.com"


async def test_update_guest(fake, client):
    await client.staff.update_guest("jane.visitor@example.com", '{"phone": "+61 400 999 000", "notes": "VIP"}')
    guest = await client.staff.guest_details("jane.visitor@example.com")
    assert guest["phone"] == "+61 400 999 000" and guest["notes"] == "VIP"


async def test_query_guests(client):
    expected = await client.staff.query_guests(DAY_START, DAY_END, zones=["zone-syd"])
    emails = {g["email"] for g in expected}
    assert {"jane.visitor@example.com", "omar.guest@example.org", "li.wei@example.net"} <= emails
    li = next(g for g in expected if g["email"] == "li.wei@example.net")
    assert li["checked_in"] is True
    assert [g["email"] for g in await client.staff.query_guests(q="Omar")] == ["omar.guest@example.org"]


async def test_create_guest_and_guest_bookings(fake, client):
    made = await client.staff.create_guest({"email": "new.guest@example.com", "name": "New Guest"},
                                           idempotency_key="guest-1")
    assert made["extension_data"]["staffterm_request_id"] == "guest-1"
    again = await client.staff.create_guest({"email": "other.guest@example.com"}, idempotency_key="guest-2")
    assert again["email"] == "other.guest@example.com"
    bookings = await client.staff.guest_bookings("jane.visitor@example.com", include_past=True)
    assert [b["booking_type"] for b in bookings] == ["visitor"]


# --------------------------------------------------------------------------- staff: events


async def test_query_events(client):
    events = await client.staff.query_events(DAY_START, DAY_END, zones=["zone-syd-l1"])
    titles = {e["title"] for e in events}
    assert {"Weekly sync", "Client visit", "Design review", "Board prep"} <= titles
    assert "Standup" not in titles  # cancelled
    with_cancelled = await client.staff.query_events(DAY_START, DAY_END, systems="sys-babbage", include_cancelled=True)
    assert "Standup" in {e["title"] for e in with_cancelled}
    only_big = await client.staff.query_events(DAY_START, DAY_END, zones="zone-syd", capacity=15)
    assert {e["system"]["id"] for e in only_big} == {"sys-euler"}
    vc = await client.staff.query_events(DAY_START, DAY_END, zones="zone-syd", features="vc", bookable=True)
    assert {e["system"]["id"] for e in vc} <= {"sys-ada", "sys-curie", "sys-euler"}


async def test_events_206_reports_failing_calendars(fake, client):
    fake.partial_calendars = {"ada.room@acme.example": "limit", "babbage.room@acme.example": "issue"}
    events = await client.staff.query_events(DAY_START, DAY_END, zones=["zone-syd-l1"])
    assert {e["system"]["id"] for e in events} == {"sys-curie"}  # darwin has no meetings today
    assert client.warnings == [
        "2 calendars could not be read: rate-limited: ada.room@acme.example; failed: babbage.room@acme.example"]
    busy = await client.staff.free_busy(DAY_START, DAY_END, zones=["zone-syd-l1"])
    assert {row["id"] for row in busy} == {"curie.room@acme.example", "darwin.room@acme.example"}
    assert len(client.warnings) == 2


async def _an_event(client, title: str = "Client visit") -> dict:
    events = await client.staff.query_events(DAY_START, DAY_END, systems=["sys-ada"])
    return next(e for e in events if e["title"] == title)


async def test_get_and_create_event(fake, client):
    made = await client.staff.create_event({
        "title": "Ad hoc", "event_start": at("16:00"), "event_end": at("16:30"), "system_id": "sys-darwin",
        "attendees": [{"name": "Ada Lovelace", "email": "ada.lovelace@acme.example"}],
    }, idempotency_key="evt-key-1")
    assert made["id"] in fake.state.events
    fetched = await client.staff.get_event(made["id"], system_id="sys-darwin")
    assert fetched["title"] == "Ad hoc"
    assert fetched["extension_data"]["staffterm_request_id"] == "evt-key-1"


async def test_update_event(client):
    event = await _an_event(client, "Weekly sync")
    changed = await client.staff.update_event("sys-ada", {**event, "title": "Weekly sync (moved)"})
    assert changed["title"] == "Weekly sync (moved)"
    moved = await client.staff.update_event("sys-ada", {"id": event["id"], "system_id": "sys-babbage"})
    assert moved["system"]["id"] == "sys-babbage"


async def test_delete_event(fake, client):
    event = await _an_event(client, "Weekly sync")
    await client.staff.delete_event("sys-ada", event["id"])
    remaining = await client.staff.query_events(DAY_START, DAY_END, systems=["sys-ada"])
    assert event["id"] not in {e["id"] for e in remaining}
    with pytest.raises(NotFoundError, match="no meeting"):
        await client.staff.delete_event("sys-ada", event["id"])  # gone, and not by a retry of ours


async def test_decline_approve_and_reject_event(client):
    event = await _an_event(client)

    async def room_response() -> str:
        current = await client.staff.get_event(event["id"], system_id="sys-ada")
        return next(a["response_status"] for a in current["attendees"] if a.get("resource"))

    assert await client.staff.approve_event(event["id"], "sys-ada") is True
    assert await room_response() == "accepted"
    assert await client.staff.reject_event(event["id"], "sys-ada") is True
    assert await room_response() == "declined"
    await client.staff.decline_event(event["id"], system_id="sys-ada", comment="Room closed")
    assert (await client.staff.get_event(event["id"], system_id="sys-ada"))["status"] == "cancelled"


async def test_patch_event_metadata(client):
    event = await _an_event(client)
    merged = await client.staff.patch_event_metadata("sys-ada", event["id"], {"parking": 2}, ical_uid=event.get("ical_uid"),
                                                     setup_time=15, breakdown_time=10)
    assert merged["parking"] == 2 and merged["catering"] is True  # merged with the seed's ext_data
    assert (await client.staff.event_metadata("sys-ada", event["id"]))["parking"] == 2


async def test_replace_event_metadata(client):
    event = await _an_event(client)
    replaced = await client.staff.replace_event_metadata("sys-ada", event["id"], '{"only": "this"}')
    assert replaced == {"only": "this"}


async def test_event_guests_and_check_in(fake, client):
    event = await _an_event(client)
    guests = await client.staff.event_guests(event["id"], "sys-ada")
    assert [g["email"] for g in guests] == ["sam.client@partner.example"]
    checked = await client.staff.event_guest_check_in(event["id"], "sam.client@partner.example", system_id="sys-ada")
    assert checked["checked_in"] is True
    assert any(s.channel == "staff/guest/checkin" for s in fake.state.signals)
    with pytest.raises(NotFoundError):
        await client.staff.event_guest_check_in(event["id"], "stranger@example.com", system_id="sys-ada")


async def test_clashing_event_assets(client):
    clashes = await client.staff.clashing_event_assets({"event_start": at("09:15"), "event_end": at("09:45"),
                                                         "system_id": "sys-ada"})
    assert "sys-ada" in clashes


# --------------------------------------------------------------------------- staff: free/busy


async def test_free_busy_for_a_whole_level_in_one_call(fake, client):
    fake.requests.clear()
    rows = await client.staff.free_busy(at("09:00"), at("12:00"), zones=["zone-syd-l1"])
    assert len(fake.requests) == 1
    by_calendar = {row["id"]: row for row in rows}
    assert set(by_calendar) == {"ada.room@acme.example", "babbage.room@acme.example", "curie.room@acme.example",
                                "darwin.room@acme.example"}
    ada = by_calendar["ada.room@acme.example"]
    assert ada["system"]["id"] == "sys-ada"
    busy = [(b["starts_at"], b["ends_at"]) for b in ada["availability"] if b["status"] == "busy"]
    assert (at("09:00"), at("10:00")) in busy


async def test_availability(client):
    free = await client.staff.availability(at("09:00"), at("10:00"), zones=["zone-syd-l1"])
    ids = {row["id"] for row in free}
    assert "ada.room@acme.example" not in ids and "darwin.room@acme.example" in ids


async def test_free_busy_window_must_be_five_minutes(client):
    with pytest.raises(InvalidInputError) as caught:
        await client.staff.free_busy(at("09:00"), at("09:02"), zones=["zone-syd-l1"])
    assert caught.value.field == "period_end"


# --------------------------------------------------------------------------- staff: bookings


async def test_create_booking_every_parameter(fake, client):
    made = await client.staff.create_booking(
        "desk", "desk-l1-03", "user-barbara", "barbara.liskov@acme.example", "Barbara Liskov",
        ["zone-acme", "zone-syd", "zone-syd-l1"], at("09:00"), at("17:00"), checked_in=False, approved=True,
        title="Desk 1.03", description="near the window", time_zone="Australia/Sydney",
        extension_data={"monitor": "27in"}, utm_source="staffterm", limit_override=5,
    )
    stored = fake.state.bookings[made["id"]]
    assert stored["asset_id"] == "desk-l1-03" and stored["user_email"] == "barbara.liskov@acme.example"
    assert stored["booked_from"] == "staffterm"
    assert stored["booked_by_email"] == "reception@acme.example"
    assert stored["extension_data"]["monitor"] == "27in"
    assert stored["timezone"] == "Australia/Sydney" and stored["description"] == "near the window"
    assert (stored["booking_start"], stored["booking_end"]) == (at("09:00"), at("17:00"))


async def test_create_booking_defaults_to_today(fake, client):
    made = await client.staff.create_booking("locker", "locker-12", zones=["zone-syd"], time_zone="Australia/Sydney",
                                             user_email="ada.lovelace@acme.example")
    assert made["booking_start"] == DAY_START
    assert made["booking_end"] == DAY_END - 1


async def test_create_booking_clash_shows_the_clashing_booking(client):
    with pytest.raises(ConflictError) as caught:
        await client.staff.create_booking("desk", "desk-l1-01", zones=["zone-syd-l1"], booking_start=at("10:00"),
                                          booking_end=at("11:00"), user_email="grace.hopper@acme.example")
    assert [type(c) for c in caught.value.clashes] == [Booking]
    assert caught.value.clashes[0].asset_id == "desk-l1-01"
    assert "desk-l1-01 (ada.lovelace@acme.example)" in caught.value.message


async def test_create_booking_limit_and_limit_override(fake, client):
    fake.booking_limits = {"desk": 1}
    kwargs = {"zones": ["zone-acme", "zone-syd", "zone-syd-l1"], "booking_start": at("09:00"), "booking_end": at("12:00"),
                  "user_email": "ada.lovelace@acme.example", "user_id": "user-ada", "user_name": "Ada Lovelace"}
    with pytest.raises(LimitReachedError) as caught:
        await client.staff.create_booking("desk", "desk-l1-04", **kwargs)
    assert caught.value.limit == 1 and len(caught.value.items) == 1
    made = await client.staff.create_booking("desk", "desk-l1-04", limit_override=2, **kwargs)
    assert made["asset_id"] == "desk-l1-04"


async def test_create_booking_retry_after_a_lost_reply_does_not_book_twice(fake):
    lost = {"done": False}

    async def lossy(request: httpx.Request) -> httpx.Response:
        response = await fake.handler(request)
        if request.method == "POST" and request.url.path == "/api/staff/v1/bookings" and not lost["done"]:
            lost["done"] = True
            raise httpx.ReadTimeout("reply lost", request=request)  # the fake made the booking
        return response

    client = Client(fake, transport=httpx.MockTransport(lossy))
    before = len(fake.state.bookings)
    made = await client.staff.create_booking("desk", "desk-l1-03", zones=["zone-syd-l1"], booking_start=at("13:00"),
                                             booking_end=at("14:00"), user_email="reception@acme.example",
                                             idempotency_key="once-only")
    assert len(fake.state.bookings) == before + 1
    assert made["extension_data"]["staffterm_request_id"] == "once-only"
    assert len(fake.requests_to("POST", "/api/staff/v1/bookings")) == 1


async def test_update_booking(fake, client):
    desk = next(b for b in fake.state.bookings.values() if b["asset_id"] == "desk-l1-02")
    changed = await client.staff.update_booking(desk["id"], booking_end=at("15:00"), title="Half day",
                                                extension_data={"note": "leaves early"})
    assert changed["booking_end"] == at("15:00") and changed["title"] == "Half day"
    assert fake.state.bookings[desk["id"]]["extension_data"]["note"] == "leaves early"


async def test_approve(fake, client):
    desk = next(b for b in fake.state.bookings.values() if b["asset_id"] == "desk-l1-02")
    approved = await client.staff.approve(desk["id"])
    assert approved["approved"] is True
    assert fake.state.bookings[desk["id"]]["approver_email"] == "reception@acme.example"


async def test_reject(fake, client):
    desk = next(b for b in fake.state.bookings.values() if b["asset_id"] == "desk-l1-02")
    rejected = await client.staff.reject(desk["id"], utm_source="staffterm")
    assert rejected["rejected"] is True


async def test_booking_state(fake, client):
    desk = next(b for b in fake.state.bookings.values() if b["asset_id"] == "desk-l1-02")
    result = await client.staff.booking_state(desk["id"], "arrived-early")
    assert result["process_state"] == "arrived-early"


async def test_booking_check_in_window(fake, client):
    made = await client.staff.create_booking("desk", "desk-l1-04", zones=["zone-syd-l1"], booking_start=at("11:00"),
                                             booking_end=at("12:00"), user_email="reception@acme.example")
    with pytest.raises(InvalidInputError) as caught:
        await client.staff.booking_check_in(made["id"])
    assert "too early; check-in opens 1 hour before the start" in caught.value.message
    assert fake.state.bookings[made["id"]]["checked_in"] is False
    fake.advance(timedelta(hours=2, minutes=30))
    checked = await client.staff.booking_check_in(made["id"], utm_source="kiosk")
    assert checked["checked_in"] is True
    out = await client.staff.booking_check_in(made["id"], state=False)
    assert out["checked_in"] is False and out["checked_out_at"] == fake.now_epoch()


async def test_booking_delete(fake, client):
    desk = next(b for b in fake.state.bookings.values() if b["asset_id"] == "desk-l1-02")
    await client.staff.booking_delete(desk["id"], utm_source="staffterm")
    assert fake.state.bookings[desk["id"]]["deleted"] is True
    with pytest.raises(ConflictError):
        await client.staff.approve(desk["id"])  # 405 on a deleted booking


async def test_booking_guests_and_guest_check_in(fake, client):
    visit = next(b for b in fake.state.bookings.values() if b["asset_id"] == "jane.visitor@example.com")
    guests = await client.staff.booking_guests(visit["id"])
    assert [g["email"] for g in guests] == ["jane.visitor@example.com"]
    guest = await client.staff.booking_guest_check_in(visit["id"], "jane.visitor@example.com")
    assert guest["checked_in"] is True
    assert fake.state.bookings[visit["id"]]["checked_in"] is True


async def test_query_bookings_pages_through_link(fake, client):
    for n in range(3, 6):
        await client.staff.create_booking("desk", f"desk-l1-0{n}", zones=["zone-syd-l1"], booking_start=at("09:00"),
                                          booking_end=at("17:00"), user_email="reception@acme.example")
    fake.requests.clear()
    desks = await client.staff.query_bookings("desk", DAY_START, DAY_END, zones=["zone-syd-l1"], limit=2)
    assert sorted(b["asset_id"] for b in desks) == [f"desk-l1-0{n}" for n in range(1, 6)]
    assert len(fake.requests_to("GET", "/api/staff/v1/bookings")) == 3


async def test_query_bookings_filters(fake, client):
    visitors = await client.staff.query_bookings("visitor", DAY_START, DAY_END, zones="zone-syd")
    assert len(visitors) == 3
    checked_in = await client.staff.query_bookings("visitor", DAY_START, DAY_END, zones="zone-syd", checked_in=True)
    assert [b["asset_id"] for b in checked_in] == ["li.wei@example.net"]
    approved = await client.staff.query_bookings("desk", DAY_START, DAY_END, zones="zone-syd", approved=True)
    assert [b["asset_id"] for b in approved] == ["desk-l1-01"]
    mine = await client.staff.query_bookings("desk", DAY_START, DAY_END, email="alan.turing@acme.example")
    assert [b["asset_id"] for b in mine] == ["desk-l1-02"]
    by_ext = await client.staff.query_bookings("parking", DAY_START, DAY_END, zones="zone-syd",
                                               extension_data={"plate_number": "GRACE1"})
    assert [b["asset_id"] for b in by_ext] == ["park-b1-07"]
    # Default window: now (08:00) to 08:30 — the parking booking (from 08:00) is in it, the desks (09:00) are not.
    assert [b["booking_type"] for b in await client.staff.query_bookings("parking", zones="zone-syd")] == ["parking"]
    assert await client.staff.query_bookings("desk", zones="zone-syd") == []


async def test_get_booking(fake, client):
    desk = next(b for b in fake.state.bookings.values() if b["asset_id"] == "desk-l1-01")
    got = await client.staff.get_booking(desk["id"])
    assert got["id"] == desk["id"] and got["current_state"] == "reserved"


async def test_booked_and_clashing_assets(client):
    booked = await client.staff.booked("desk", at("10:00"), at("11:00"), zones=["zone-syd-l1"])
    assert sorted(booked) == ["desk-l1-01", "desk-l1-02"]
    clashes = await client.staff.clashing_assets({"booking_type": "desk", "booking_start": at("10:00"),
                                                  "booking_end": at("11:00"),
                                                  "asset_ids": ["desk-l1-01", "desk-l1-03"]})
    assert clashes == ["desk-l1-01"]


async def test_tenant_settings(fake, client):
    fake.booking_limits = {"desk": 2}
    assert await client.staff.current_limits() == {"desk": 2}
    assert await client.staff.current_early_checkin() == 3600
    assert (await client.staff.health())["commit"]


# --------------------------------------------------------------------------- errors and auth


async def test_a_plain_user_cannot_change_someone_elses_booking(fake):
    user = Client(fake, ApiKeyAuth(FakePlaceOS.USER_KEY))
    desk = next(b for b in fake.state.bookings.values() if b["asset_id"] == "desk-l1-02")  # Alan's
    with pytest.raises(PermissionDeniedError) as caught:
        await user.staff.booking_delete(desk["id"])
    assert "not allowed to delete this booking" in caught.value.message


async def test_no_tenant_and_no_user_token(fake, client):
    fake.tenant_configured = False
    with pytest.raises(ConfigError, match="no tenant configured"):
        await client.staff.query_bookings("desk")
    fake.tenant_configured = True
    fake.delegated_without_token = True
    with pytest.raises(AuthError) as caught:
        await client.staff.free_busy(at("09:00"), at("10:00"), zones="zone-syd-l1")
    assert caught.value.message == "delegated tenant: no user token"


async def test_a_wrong_api_key(fake):
    bad = Client(fake, ApiKeyAuth("not-the-key"))
    with pytest.raises(AuthError) as caught:
        await bad.engine.zone("zone-syd")
    assert caught.value.message == "PlaceOS refused the API key for placeos.test"
    assert "not-the-key" not in str(caught.value)


async def test_password_grant_against_the_fake(fake, tmp_path):
    def auth() -> PasswordGrantAuth:
        return PasswordGrantAuth(base_url=fake.base_url, username=FakePlaceOS.USERNAME, password=FakePlaceOS.PASSWORD,
                                 client_id=FakePlaceOS.CLIENT_ID, cache=TokenCache(tmp_path),
                                 clock=lambda: fake.now().timestamp())

    first = auth()
    client = Client(fake, first)
    assert (await client.engine.current_user())["email"] == FakePlaceOS.USERNAME
    fake.advance(fake.token_lifetime - 100)  # inside the renewal margin
    await client.staff.query_bookings("desk")
    second = auth()  # a new process reuses the cached (renewed) session
    await Client(fake, second).engine.zone("zone-syd")
    assert first.fetches == 2 and second.fetches == 0
    wrong = PasswordGrantAuth(base_url=fake.base_url, username=FakePlaceOS.USERNAME, password="nope",
                              client_id=FakePlaceOS.CLIENT_ID)
    with pytest.raises(AuthError, match="username or password"):
        await Client(fake, wrong).engine.zone("zone-syd")
