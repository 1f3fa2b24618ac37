"""PlaceOS bookings as the real Staff API speaks them: what ``update_booking`` really copies, where
it reads ``instance``, what the ``GET /bookings`` filters really mean, and the 405 bodies of
check-in. The fake follows PlaceOS/staff-api src/controllers/bookings.cr (update, index, check_in,
check_deleted) and PlaceOS/models src/placeos-models/booking.cr (is_checked_in, as_instance); these
tests hold the raw client, the backend and the fake to it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from staffterm.errors import InvalidInputError
from staffterm.models import BookingPatch, BookingQuery
from tests.fakes.placeos.server import FakePlaceOS
from tests.unit.test_placeos_backend import make_backend
from tests.unit.test_placeos_client_fake import Client

SYD = ZoneInfo("Australia/Sydney")
NOW = datetime(2025, 3, 10, 8, 0, tzinfo=SYD)
DAY_START = int(datetime(2025, 3, 10, 0, 0, tzinfo=SYD).timestamp())
DAY_END = int(datetime(2025, 3, 11, 0, 0, tzinfo=SYD).timestamp())
STAFF = "/api/staff/v1"
DAY = 24 * 3600


def at(hhmm: str, days: int = 0) -> int:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return int(datetime(2025, 3, 10, hours, minutes, tzinfo=SYD).timestamp()) + days * DAY


@pytest.fixture
def fake() -> FakePlaceOS:
    return FakePlaceOS(now=NOW)


@pytest.fixture
def client(fake) -> Client:
    return Client(fake)


@pytest.fixture
async def raw(fake):
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url,
                                 headers={"X-API-Key": FakePlaceOS.API_KEY}) as http:
        yield http


@pytest.fixture(autouse=True)
def no_fake_crashes(fake):
    yield
    assert fake.server_errors == [], fake.server_errors


def desk(fake: FakePlaceOS, asset: str) -> dict:
    return next(b for b in fake.state.bookings.values() if b["asset_id"] == asset)


async def daily_desk(client: Client) -> dict:
    return await client.staff.create_booking(
        "desk", "desk-l1-05", zones=["zone-syd-l1"], booking_start=at("09:00"), booking_end=at("17:00"),
        user_email="reception@acme.example", time_zone="Australia/Sydney", recurrence_type="daily",
    )


# --------------------------------------------------------------------------- the fake, as the server is


async def test_update_copies_only_what_the_controller_copies(fake, raw):
    before = dict(desk(fake, "desk-l1-02"))
    response = await raw.patch(f"{STAFF}/bookings/{before['id']}", json={
        "title": "Kept", "approved": True, "checked_in": True, "checked_in_at": at("08:00"), "timezone": "Europe/London",
        "user_name": "Someone Else", "department": "Finance", "instance": at("09:00", 1),
    })
    assert response.status_code == 200
    stored = fake.state.bookings[before["id"]]
    assert stored["title"] == "Kept"
    for dropped in ("approved", "checked_in", "checked_in_at", "timezone", "user_name", "department"):
        assert stored[dropped] == before[dropped], dropped
    assert fake.state.booking_instances == {}  # an instance in the body is not an occurrence edit


async def test_an_occurrence_is_named_in_the_path_or_query_and_keeps_the_series(fake, client, raw):
    series = await daily_desk(client)
    tomorrow = at("09:00", 1)
    moved = await raw.patch(f"{STAFF}/bookings/{series['id']}/instance/{tomorrow}",
                            json={"booking_end": at("12:00", 1), "title": "lost on an occurrence"})
    assert moved.status_code == 200 and moved.json()["instance"] == tomorrow
    assert moved.json()["title"] == "lost on an occurrence"  # the reply shows it ...
    stored = fake.state.bookings[series["id"]]
    assert (stored["booking_start"], stored["booking_end"], stored["title"]) == (at("09:00"), at("17:00"), None)
    shown = (await raw.get(f"{STAFF}/bookings/{series['id']}", params={"instance": tomorrow})).json()
    assert (shown["booking_start"], shown["booking_end"]) == (tomorrow, at("12:00", 1))
    assert shown["title"] is None  # ... but an occurrence keeps only times, assets, state and extension data


async def test_check_in_refusals_carry_the_real_bodies(fake, client, raw):
    later = await client.staff.create_booking("desk", "desk-l1-03", zones=["zone-syd-l1"],
                                              booking_start=at("13:00"), booking_end=at("14:00"))
    too_early = await raw.post(f"{STAFF}/bookings/{later['id']}/check_in")
    assert (too_early.status_code, too_early.json()) == (
        405, {"error": "Can only check in an 1.0 hour before the booking start"})
    fake.early_checkin = 5400
    assert (await raw.post(f"{STAFF}/bookings/{later['id']}/check_in")).json()["error"] == (
        "Can only check in an 1.5 hour before the booking start")
    deleted = await raw.delete(f"{STAFF}/bookings/{later['id']}")
    assert deleted.status_code == 202
    refused = await raw.post(f"{STAFF}/bookings/{later['id']}/check_in")
    assert (refused.status_code, refused.content) == (405, b"")  # head :method_not_allowed
    # destroy and update have no deleted check: both still answer.
    assert (await raw.delete(f"{STAFF}/bookings/{later['id']}")).status_code == 202
    assert (await raw.patch(f"{STAFF}/bookings/{later['id']}", json={"title": "gone"})).status_code == 200


async def test_checking_out_twice_is_a_quiet_success(fake, client, raw):
    fake.advance(timedelta(hours=1, minutes=30))  # 09:30, Ada's desk (1001) has started
    assert (await raw.post(f"{STAFF}/bookings/1001/check_in")).status_code == 200
    first = (await raw.post(f"{STAFF}/bookings/1001/check_in", params={"state": "false"})).json()
    fake.advance(timedelta(minutes=5))
    again = await raw.post(f"{STAFF}/bookings/1001/check_in", params={"state": "false"})
    assert again.status_code == 200 and again.json()["checked_out_at"] == first["checked_out_at"]


async def test_approve_that_clashes_is_409_but_stays_approved(fake, client, raw):
    rejected = (await raw.post(f"{STAFF}/bookings/1002/reject")).json()
    assert rejected["rejected"] is True
    # Someone takes desk-l1-02 while the first booking is rejected; approving the first one again clashes.
    taken = await client.staff.create_booking("desk", "desk-l1-02", zones=["zone-syd-l1"],
                                              booking_start=at("10:00"), booking_end=at("11:00"))
    clash = await raw.post(f"{STAFF}/bookings/1002/approve")
    assert clash.status_code == 409 and clash.json()["error"] == "Conflicting booking"
    assert [b["id"] for b in clash.json()["bookings"]] == [taken["id"]]
    assert fake.state.bookings[1002]["approved"] is True  # set_approver saved before the clash check


async def test_the_index_reads_checked_in_false_as_checked_out_and_ignores_asset_id(fake, client, raw):
    base = {"type": "desk", "zones": "zone-syd", "period_start": DAY_START, "period_end": DAY_END}
    assert (await raw.get(f"{STAFF}/bookings", params={**base, "checked_in": "false"})).json() == []
    unfiltered = (await raw.get(f"{STAFF}/bookings", params={**base, "asset_id": "desk-l1-01"})).json()
    assert sorted(b["asset_id"] for b in unfiltered) == ["desk-l1-01", "desk-l1-02"]
    fake.advance(timedelta(hours=1, minutes=30))
    await raw.post(f"{STAFF}/bookings/1001/check_in")
    await raw.post(f"{STAFF}/bookings/1001/check_in", params={"state": "false"})
    out = await raw.get(f"{STAFF}/bookings", params={**base, "checked_in": "false", "include_checked_out": "true"})
    assert [b["id"] for b in out.json()] == [1001]
    # checked_out is ignored once include_checked_out is set.
    both = await raw.get(f"{STAFF}/bookings", params={**base, "checked_out": "true", "include_checked_out": "true"})
    assert [b["id"] for b in both.json()] == [1001, 1002]


async def test_occurrence_routes_for_actions_and_extension_data(fake, client, raw):
    series = await daily_desk(client)
    tomorrow = at("09:00", 1)
    state = await raw.post(f"{STAFF}/bookings/{series['id']}/update_state/{tomorrow}", params={"state": "away"})
    assert state.status_code == 200 and state.json()["process_state"] == "away"
    ext = await raw.patch(f"{STAFF}/bookings/{series['id']}/ext_data/{tomorrow}", json={"note": "one day"})
    assert ext.json()["extension_data"] == {"note": "one day"}
    approved = await raw.post(f"{STAFF}/bookings/{series['id']}/approve/{tomorrow}")
    assert approved.json()["approved"] is True
    stored = fake.state.bookings[series["id"]]
    assert (stored["process_state"], stored["extension_data"], stored["approved"]) == (None, {}, False)
    row = fake.state.booking_instances[(series["id"], tomorrow)]
    assert (row["process_state"], row["extension_data"], row["approved"]) == ("away", {"note": "one day"}, True)
    assert (await raw.post(f"{STAFF}/bookings/{series['id']}/ext_data", json={})).status_code == 404  # PATCH only


async def test_attendees_added_and_removed(fake, raw):
    added = await raw.post(f"{STAFF}/bookings/1001/attendee", json={"name": "Kim", "email": "Kim@Example.com"})
    assert added.status_code == 200 and added.json()["email"] == "kim@example.com"
    twice = await raw.post(f"{STAFF}/bookings/1001/attendee", json={"name": "Kim", "email": "kim@example.com"})
    assert (twice.status_code, twice.json()["error"]) == (400, "Attendee already exists in this booking")
    assert (await raw.delete(f"{STAFF}/bookings/1001/attendee/kim@example.com")).status_code == 202
    missing = await raw.delete(f"{STAFF}/bookings/1001/attendee/kim@example.com")
    assert (missing.status_code, missing.json()["error"]) == (400, "Attendee not found in this booking")


# --------------------------------------------------------------------------- the client says only what is honoured


@pytest.mark.parametrize(("given", "instead"), [
    ({"approved": True}, "approve"),
    ({"approved": False}, "reject"),
    ({"checked_in": True}, "booking_check_in"),
    ({"checked_in": False}, "booking_check_in"),
    ({"timezone": "Europe/London"}, "time zone"),
    ({"user_name": "Ada"}, "user_email"),
])
async def test_update_booking_refuses_what_placeos_drops_before_sending(fake, client, given, instead):
    fake.requests.clear()
    with pytest.raises(InvalidInputError) as caught:
        await client.staff.update_booking(1002, title="x", **given)
    assert instead in caught.value.message
    assert fake.requests == []
    assert fake.state.bookings[1002]["title"] == "Desk 1.02"  # the seed's, unchanged


async def test_update_booking_of_one_occurrence_leaves_the_series(fake, client):
    series = await daily_desk(client)
    tomorrow = at("09:00", 1)
    changed = await client.staff.update_booking(series["id"], booking_end=at("12:00", 1), instance=tomorrow)
    assert changed["instance"] == tomorrow and changed["booking_end"] == at("12:00", 1)
    stored = fake.state.bookings[series["id"]]
    assert (stored["booking_start"], stored["booking_end"]) == (at("09:00"), at("17:00"))
    shown = await client.staff.get_booking(series["id"], instance=tomorrow)
    assert shown["booking_end"] == at("12:00", 1)


async def test_update_booking_of_an_occurrence_refuses_series_fields(fake, client):
    series = await daily_desk(client)
    fake.requests.clear()
    with pytest.raises(InvalidInputError) as caught:
        await client.staff.update_booking(series["id"], title="Just Tuesday", instance=at("09:00", 1))
    assert "title" in caught.value.message and "series" in caught.value.message
    assert fake.requests == []


async def test_query_bookings_checked_in_false_means_not_checked_in(fake, client):
    visitors = await client.staff.query_bookings("visitor", DAY_START, DAY_END, zones="zone-syd", checked_in=False)
    assert sorted(b["asset_id"] for b in visitors) == ["jane.visitor@example.com", "omar.guest@example.org"]


async def test_query_bookings_asset_id_filters(fake, client):
    found = await client.staff.query_bookings("desk", DAY_START, DAY_END, zones="zone-syd", asset_id="desk-l1-02")
    assert [b["asset_id"] for b in found] == ["desk-l1-02"]
    sent = fake.requests_to("GET", f"{STAFF}/bookings")[-1]
    assert "asset_id" not in sent.url.params  # the server would ignore it


async def test_query_bookings_created_before_means_created(fake, client, raw):
    made = await client.staff.create_booking("desk", "desk-l1-06", zones=["zone-syd-l1"],
                                             booking_start=at("12:00"), booking_end=at("13:00"))
    fake.advance(timedelta(minutes=10))
    # A move resets the booking and stamps last_changed, which PlaceOS's created_* filters compare.
    await raw.patch(f"{STAFF}/bookings/{made['id']}", json={"asset_id": "desk-l1-07"})
    older = await client.staff.query_bookings("desk", DAY_START, DAY_END, zones="zone-syd-l1",
                                              created_before=fake.now_epoch() - 60)
    assert made["id"] in [b["id"] for b in older]
    newer = await client.staff.query_bookings("desk", DAY_START, DAY_END, zones="zone-syd-l1",
                                              created_after=fake.now_epoch() - 60)
    assert made["id"] not in [b["id"] for b in newer]


# --------------------------------------------------------------------------- the backend


@pytest.fixture
async def backend(fake, tmp_path):
    b = make_backend(fake, tmp_path)
    async with b:
        yield b


async def test_backend_query_checked_in_false_lists_the_not_yet_arrived(fake, backend):
    query = BookingQuery(start=datetime.fromtimestamp(DAY_START, SYD), end=datetime.fromtimestamp(DAY_END, SYD),
                         type="visitor", checked_in=False)
    waiting = await backend.query_bookings(query)
    assert sorted(b.asset_ids[0] for b in waiting) == ["jane.visitor@example.com", "omar.guest@example.org"]


async def test_backend_update_host_takes_the_name_from_the_directory(fake, backend):
    moved = await backend.update_booking("1002", BookingPatch(user_email="grace.hopper@acme.example",
                                                              user_name="Amazing Grace"))
    assert moved.user_email == "grace.hopper@acme.example"
    assert fake.state.bookings[1002]["user_name"] == "Grace Hopper"
    with pytest.raises(InvalidInputError, match="host's email"):
        await backend.update_booking("1002", BookingPatch(user_name="Amazing Grace"))



async def test_backend_approve_that_clashes_reports_the_approval_it_made(fake, client, raw, backend):
    # staff-api saves the approval before its clash check (bookings.cr approve, set_approver), so a
    # 409 from approve still approved the booking: the desk must hear "approved", with the clash as
    # a warning, not "failed".
    await raw.post(f"{STAFF}/bookings/1002/reject")
    await client.staff.create_booking("desk", "desk-l1-02", zones=["zone-syd-l1"],
                                      booking_start=at("10:00"), booking_end=at("11:00"))
    approved = await backend.approve_booking("1002")
    assert approved.approved is True and fake.state.bookings[1002]["approved"] is True
    assert any("approved" in w and "clash" in w for w in backend.warnings), backend.warnings
