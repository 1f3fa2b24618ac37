"""The fake PlaceOS behaves like the real service where clients depend on it (auth, paging, rules, errors)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from tests.fakes.placeos import FakePlaceOS, seed_day_bounds, serve_on_loopback

# 10:30 on Monday 2 March 2026 in Sydney (AEDT, UTC+11); still 1 March in London.
NOW = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
STAFF = "/api/staff/v1"
ENGINE = "/api/engine/v2"
DAY_START, DAY_END = seed_day_bounds(NOW)
HOUR = 3600


def at(hhmm: str) -> int:
    """An epoch time on the seed's Sydney day."""
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return DAY_START + hours * HOUR + minutes * 60


@pytest.fixture
def fake():
    fake = FakePlaceOS(now=NOW)
    yield fake
    assert fake.server_errors == []  # a crash in the fake must never pass for an expected error


@pytest.fixture
async def client(fake):
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url,
                                 headers={"X-API-Key": fake.API_KEY}) as client:
        yield client


@pytest.fixture
async def user_client(fake):
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url,
                                 headers={"X-API-Key": fake.USER_KEY}) as client:
        yield client


async def _token(client: httpx.AsyncClient, **form: str) -> httpx.Response:
    data = {"grant_type": "password", "username": FakePlaceOS.USERNAME, "password": FakePlaceOS.PASSWORD,
            "client_id": FakePlaceOS.CLIENT_ID, "scope": "public", **form}
    return await client.post("/auth/oauth/token", data=data, headers={"X-API-Key": ""})


# -- auth ------------------------------------------------------------------------------------------

async def test_api_keys_authenticate_and_unknown_or_missing_keys_get_401(fake):
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url) as anon:
        missing = await anon.get(f"{ENGINE}/users/current")
        bad = await anon.get(f"{ENGINE}/users/current", headers={"X-API-Key": "nope"})
        admin = await anon.get(f"{ENGINE}/users/current", headers={"X-API-Key": fake.API_KEY})
        user = await anon.get(f"{ENGINE}/users/current", headers={"X-API-Key": fake.USER_KEY})
        health = await anon.get(STAFF)
    assert missing.status_code == 401 and "error" in missing.json()
    assert bad.status_code == 401 and bad.json() == {"error": "unknown X-API-Key"}
    assert admin.json()["email"] == "reception@acme.example" and admin.json()["sys_admin"] is True
    assert user.json()["email"] == "ada.lovelace@acme.example" and user.json()["support"] is False
    assert health.status_code == 200 and "commit" in health.json()


async def test_password_grant_token_expires_and_refresh_rotates(fake):
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url) as client:
        wrong = await _token(client, password="wrong")
        unknown_client = await _token(client, client_id="someone-else")
        granted = await _token(client)
        token = granted.json()
        bearer = {"Authorization": f"Bearer {token['access_token']}"}
        ok = await client.get(f"{ENGINE}/users/current", headers=bearer)
        fake.advance(fake.token_lifetime)
        expired = await client.get(f"{ENGINE}/users/current", headers=bearer)
        refreshed = await client.post("/auth/oauth/token", data={
            "grant_type": "refresh_token", "refresh_token": token["refresh_token"], "client_id": fake.CLIENT_ID})
        reused = await client.post("/auth/oauth/token", data={
            "grant_type": "refresh_token", "refresh_token": token["refresh_token"], "client_id": fake.CLIENT_ID})
        again = await client.get(f"{ENGINE}/users/current",
                                 headers={"Authorization": f"Bearer {refreshed.json()['access_token']}"})
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert "error_description" in wrong.json()
    assert unknown_client.status_code == 401 and unknown_client.json()["error"] == "invalid_client"
    assert granted.status_code == 200 and token["expires_in"] == 3600 and token["token_type"] == "Bearer"
    assert ok.json()["email"] == fake.USERNAME
    assert expired.status_code == 401 and expired.json() == {"error": "token expired"}
    assert refreshed.status_code == 200 and again.status_code == 200
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"


async def test_authority_needs_no_auth_and_inspect_returns_the_key_principal(fake, client):
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url) as anon:
        authority = await anon.get("/auth/authority")
    inspected = await client.get(f"{ENGINE}/api_keys/inspect")
    assert authority.json()["id"] == "authority-acme"
    assert inspected.json()["u"]["e"] == "reception@acme.example" and inspected.json()["u"]["p"] == 3


# -- engine ----------------------------------------------------------------------------------------

async def test_systems_paging_headers_and_link_next(client):
    first = await client.get(f"{ENGINE}/systems", params={"zone_id": "zone-acme,zone-syd", "limit": 3})
    assert first.headers["X-Total-Count"] == "8"  # 7 Sydney rooms + the signage player
    assert first.headers["Content-Range"] == "sys 0-2/8"
    link = first.headers["Link"]
    assert link.endswith('>; rel="next"') and "offset=3" in link and "zone_id=zone-acme%2Czone-syd" in link
    seen = [s["id"] for s in first.json()]
    url = link[1:link.index(">")]
    while url:
        page = await client.get(url)
        seen += [s["id"] for s in page.json()]
        link = page.headers.get("Link")
        url = link[1:link.index(">")] if link else None
    assert len(seen) == len(set(seen)) == 8


async def test_systems_filters_zone_all_capacity_features_bookable(client):
    rooms = (await client.get(f"{ENGINE}/systems", params={
        "zone_id": "zone-syd-l1", "capacity": 8, "features": "vc", "bookable": "true"})).json()
    assert sorted(r["name"] for r in rooms) == ["Ada", "Curie"]
    unbookable = (await client.get(f"{ENGINE}/systems", params={"bookable": "false", "zone_id": "zone-syd"})).json()
    assert {r["id"] for r in unbookable} == {"sys-gauss", "sys-lobby-signage"}
    bad = await client.get(f"{ENGINE}/systems", params={"capacity": "lots"})
    assert bad.status_code == 400 and bad.json()["parameter"] == "capacity"


async def test_zones_tags_must_all_match_and_plain_users_must_narrow(client, user_client):
    levels = (await client.get(f"{ENGINE}/zones", params={"tags": "level", "parent_id": "zone-syd"})).json()
    assert [z["id"] for z in levels] == ["zone-syd-l1", "zone-syd-l2"]
    assert (await client.get(f"{ENGINE}/zones", params={"tags": "level,building"})).json() == []
    denied = await user_client.get(f"{ENGINE}/zones")
    assert denied.status_code == 403 and denied.content == b""
    assert (await user_client.get(f"{ENGINE}/zones", params={"tags": "building"})).status_code == 200


async def test_metadata_put_patch_children_and_write_needs_support(fake, client, user_client):
    desks = (await client.get(f"{ENGINE}/metadata/zone-syd-l1", params={"name": "desks"})).json()
    assert len(desks["desks"]["details"]) == 6
    put = await client.put(f"{ENGINE}/metadata/zone-syd-l2", json={
        "name": "desks", "description": "L2", "details": {"a": 1, "b": 2}})
    patched = await client.patch(f"{ENGINE}/metadata/zone-syd-l2", json={"name": "desks", "details": {"b": 3}})
    assert put.status_code == 200 and patched.json()["details"] == {"a": 1, "b": 3}
    children = (await client.get(f"{ENGINE}/metadata/zone-syd/children", params={"name": "desks"})).json()
    assert [c["zone"]["id"] for c in children] == ["zone-syd-l1", "zone-syd-l2"]
    assert all("desks" in c["metadata"] for c in children)
    denied = await user_client.put(f"{ENGINE}/metadata/zone-syd-l2", json={"name": "x", "details": {}})
    assert denied.status_code == 403
    assert (await client.get(f"{ENGINE}/metadata/zone-nowhere")).status_code == 404


async def test_users_soft_delete_include_deleted_revive_and_force(client, user_client):
    created = await client.post(f"{ENGINE}/users", json={"email": "New.Person@acme.example", "name": "New Person"})
    assert created.status_code == 201 and created.json()["email"] == "new.person@acme.example"
    user_id = created.json()["id"]
    duplicate = await client.post(f"{ENGINE}/users", json={"email": "new.person@acme.example", "name": "X"})
    assert duplicate.status_code == 422 and duplicate.json()["failures"][0]["field"] == "email"
    assert (await user_client.post(f"{ENGINE}/users", json={"email": "a@b.example", "name": "A"})).status_code == 403
    assert (await client.delete(f"{ENGINE}/users/{user_id}")).status_code == 202
    listed = [u["id"] for u in (await client.get(f"{ENGINE}/users", params={"limit": 100})).json()]
    with_deleted = [u["id"] for u in (await client.get(
        f"{ENGINE}/users", params={"include_deleted": "true", "limit": 100})).json()]
    assert user_id not in listed and user_id in with_deleted and "user-linus" in with_deleted
    assert (await client.post(f"{ENGINE}/users/{user_id}/revive")).status_code == 200
    assert (await client.get(f"{ENGINE}/users/{user_id}")).json()["deleted"] is False
    assert (await client.delete(f"{ENGINE}/users/{user_id}", params={"force_removal": "true"})).status_code == 202
    assert (await client.get(f"{ENGINE}/users/{user_id}")).status_code == 404


async def test_signal_is_recorded_and_needs_a_channel(fake, client):
    assert (await client.post(f"{ENGINE}/signal", params={"channel": "staff/test"}, json={"a": 1})).status_code == 200
    assert fake.state.signals[-1] == ("staff/test", {"a": 1})
    missing = await client.post(f"{ENGINE}/signal", json={})
    assert missing.status_code == 400 and missing.json()["parameter"] == "channel"


async def test_unknown_route_and_bad_json(client):
    unknown = await client.get(f"{STAFF}/nowhere")
    assert unknown.status_code == 404 and "error" in unknown.json()
    bad = await client.post(f"{STAFF}/bookings", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 400 and "JSON" in bad.json()["error"]


# -- bookings --------------------------------------------------------------------------------------

async def test_bookings_need_type_and_integer_epochs(client):
    missing = await client.get(f"{STAFF}/bookings", params={"zones": "zone-syd"})
    assert missing.status_code == 422 and missing.json()["parameter"] == "type"
    bad = await client.get(f"{STAFF}/bookings", params={"type": "desk", "period_start": "today"})
    assert bad.status_code == 400 and bad.json()["parameter"] == "period_start"


async def test_bookings_paging_follows_link_with_filters_kept(client):
    params = {"type": "visitor", "zones": "zone-syd", "period_start": DAY_START, "period_end": DAY_END, "limit": 2}
    first = await client.get(f"{STAFF}/bookings", params=params)
    assert first.headers["X-Total-Count"] == "3" and first.headers["Content-Range"] == "bookings 0-1/3"
    url = first.headers["Link"][1:first.headers["Link"].index(">")]
    assert "type=visitor" in url and "offset=2" in url
    second = await client.get(url)
    assert "Link" not in second.headers
    items = first.json() + second.json()
    assert [b["booking_start"] for b in items] == sorted(b["booking_start"] for b in items)
    assert {b["asset_id"] for b in items} == {"jane.visitor@example.com", "omar.guest@example.org",
                                             "li.wei@example.net"}
    checked = next(b for b in items if b["asset_id"] == "li.wei@example.net")
    assert checked["current_state"] == "checked_in" and checked["attendees"][0]["checked_in"] is True


async def test_bookings_without_zones_or_email_are_the_callers_own(user_client):
    mine = (await user_client.get(f"{STAFF}/bookings", params={
        "type": "desk", "period_start": DAY_START, "period_end": DAY_END})).json()
    assert [b["user_email"] for b in mine] == ["ada.lovelace@acme.example"]


async def test_booking_filters_approved_extension_data_and_booked(client):
    base = {"zones": "zone-syd", "period_start": DAY_START, "period_end": DAY_END}
    pending = (await client.get(f"{STAFF}/bookings", params={**base, "type": "desk", "approved": "false"})).json()
    assert [b["asset_id"] for b in pending] == ["desk-l1-02"]
    plate = (await client.get(f"{STAFF}/bookings", params={
        **base, "type": "parking", "extension_data": "{plate_number:GRACE1}"})).json()
    assert [b["asset_id"] for b in plate] == ["park-b1-07"]
    booked = (await client.get(f"{STAFF}/bookings/booked", params={**base, "type": "desk"})).json()
    assert booked == ["desk-l1-01", "desk-l1-02"]


def _desk(asset: str, start: str = "09:00", end: str = "17:00", **extra) -> dict:
    return {"booking_type": "desk", "asset_id": asset, "booking_start": at(start), "booking_end": at(end),
            "zones": ["zone-acme", "zone-syd", "zone-syd-l1"], "timezone": "Australia/Sydney", **extra}


async def test_create_booking_201_location_booked_by_and_history(fake, client):
    response = await client.post(f"{STAFF}/bookings", params={"utm_source": "staffterm"},
                                 json=_desk("desk-l1-03", user_email="barbara.liskov@acme.example"))
    assert response.status_code == 201
    body = response.json()
    assert response.headers["Location"] == f"{STAFF}/bookings/{body['id']}"
    assert body["booked_by_email"] == "reception@acme.example" and body["booked_from"] == "staffterm"
    assert body["user_name"] == "Barbara Liskov" and body["user_id"] == "user-barbara"
    assert body["current_state"] == "reserved" and [h["state"] for h in body["history"]] == ["reserved"]
    assert fake.state.signals_on("staff/booking/changed")[-1]["action"] == "create"


async def test_create_booking_validation_is_422_with_failures(client):
    response = await client.post(f"{STAFF}/bookings", json={"booking_type": "desk", "asset_id": "desk-l1-03",
                                                             "booking_start": at("10:00"), "booking_end": at("09:00")})
    assert response.status_code == 422
    assert {"field": "booking_end", "reason": "must be after booking_start"} in response.json()["failures"]


async def test_clash_is_409_with_the_clashing_bookings_but_visitors_never_clash(client):
    clash = await client.post(f"{STAFF}/bookings", json=_desk("desk-l1-01", "12:00", "13:00"))
    assert clash.status_code == 409
    assert clash.json()["error"] == "Conflicting booking"
    assert [b["asset_id"] for b in clash.json()["bookings"]] == ["desk-l1-01"]
    visitor = {"booking_type": "visitor", "asset_id": "jane.visitor@example.com", "booking_start": at("10:00"),
               "booking_end": at("11:00"), "zones": ["zone-syd"]}
    assert (await client.post(f"{STAFF}/bookings", json=visitor)).status_code == 201


async def test_booking_limit_is_410_unless_overridden(fake, user_client):
    fake.booking_limits = {"desk": 1}
    limited = await user_client.post(f"{STAFF}/bookings", json=_desk("desk-l1-04", "12:00", "13:00"))
    assert limited.status_code == 410
    assert limited.json()["limit"] == 1 and [b["asset_id"] for b in limited.json()["bookings"]] == ["desk-l1-01"]
    overridden = await user_client.post(f"{STAFF}/bookings", params={"limit_override": 2},
                                        json=_desk("desk-l1-04", "12:00", "13:00"))
    assert overridden.status_code == 201


async def test_other_peoples_bookings_are_403_for_plain_users(user_client):
    alan_desk = 1002
    response = await user_client.patch(f"{STAFF}/bookings/{alan_desk}", json={"title": "mine now"})
    assert response.status_code == 403 and response.content == b""


async def test_check_in_window_rules(fake, client):
    later = (await client.post(f"{STAFF}/bookings", json=_desk("desk-l1-03", "13:00", "14:00"))).json()
    too_early = await client.post(f"{STAFF}/bookings/{later['id']}/check_in")
    # The real body (PlaceOS/staff-api bookings.cr, check_in): total_hours printed as a float.
    assert too_early.status_code == 405
    assert too_early.json() == {"error": "Can only check in an 1.0 hour before the booking start"}
    fake.early_checkin = 3 * HOUR
    ok = await client.post(f"{STAFF}/bookings/{later['id']}/check_in", params={"state": "true"})
    assert ok.status_code == 200 and ok.json()["current_state"] == "checked_in"
    out = await client.post(f"{STAFF}/bookings/{later['id']}/check_in", params={"state": "false"})
    assert out.json()["current_state"] == "checked_out"
    assert [h["state"] for h in out.json()["history"]] == ["reserved", "checked_in", "checked_out"]
    again = await client.post(f"{STAFF}/bookings/{later['id']}/check_in")
    assert again.status_code == 405 and again.json() == {"error": "a checked out booking cannot be checked back in"}
    fake.advance(7 * HOUR)  # 17:30: desk-l1-01 (09:00-17:00) is over
    ended = await client.post(f"{STAFF}/bookings/1001/check_in")
    assert ended.status_code == 405 and ended.json() == {"error": "The booking has ended"}


async def test_deleted_booking_is_soft_and_actions_are_405(fake, client):
    assert (await client.delete(f"{STAFF}/bookings/1002")).status_code == 202
    stored = fake.state.bookings[1002]
    assert stored["deleted"] is True and stored["deleted_at"] == fake.now_epoch()
    shown = (await client.get(f"{STAFF}/bookings/1002")).json()
    assert shown["current_state"] == "no_show"  # deleted after its start, never checked in
    for action in ("check_in", "approve", "reject"):
        assert (await client.post(f"{STAFF}/bookings/1002/{action}")).status_code == 405
    listed = await client.get(f"{STAFF}/bookings", params={"type": "desk", "zones": "zone-syd",
                                                           "period_start": DAY_START, "period_end": DAY_END})
    assert [b["id"] for b in listed.json()] == [1001]
    with_deleted = await client.get(f"{STAFF}/bookings", params={
        "type": "desk", "zones": "zone-syd", "period_start": DAY_START, "period_end": DAY_END,
        "include_deleted": "true"})
    assert [b["id"] for b in with_deleted.json()] == [1001, 1002]


async def test_approve_reject_and_visitor_check_in_checks_in_the_guest(fake, client):
    approved = (await client.post(f"{STAFF}/bookings/1002/approve")).json()
    assert approved["approved"] is True and approved["approver_email"] == "reception@acme.example"
    rejected = (await client.post(f"{STAFF}/bookings/1002/reject")).json()
    assert rejected["rejected"] is True and rejected["approved"] is False
    jane = (await client.post(f"{STAFF}/bookings/1004/check_in")).json()  # visitor booking 10:00-11:00
    assert jane["attendees"][0]["checked_in"] is True
    arrival = fake.state.signals_on("staff/guest/checkin")[-1]
    assert arrival["attendee_email"] == "jane.visitor@example.com" and arrival["host"] == "ada.lovelace@acme.example"


async def test_update_widening_resets_approval_and_records_reserved(client):
    response = await client.patch(f"{STAFF}/bookings/1001", json={"booking_end": at("18:00"),
                                                                  "extension_data": {"note": "late"}})
    body = response.json()
    assert body["approved"] is False and body["extension_data"] == {"note": "late"}
    assert body["history"][-1]["state"] == "reserved"


async def test_clashing_assets(client):
    body = {"booking_type": "desk", "booking_start": at("12:00"), "booking_end": at("13:00"),
            "asset_ids": ["desk-l1-01", "desk-l1-03"]}
    assert (await client.post(f"{STAFF}/bookings/clashing-assets", json=body)).json() == ["desk-l1-01"]
    available = await client.post(f"{STAFF}/bookings/clashing-assets", params={"return_available": "true"}, json=body)
    assert available.json() == ["desk-l1-03"]
    missing = await client.post(f"{STAFF}/bookings/clashing-assets", json={"booking_type": "desk"})
    assert missing.status_code == 422


# -- calendars and events --------------------------------------------------------------------------

async def test_free_busy_shapes_and_minimum_window(client):
    short = await client.get(f"{STAFF}/calendars/free_busy", params={
        "zone_ids": "zone-syd-l1", "period_start": at("09:00"), "period_end": at("09:04")})
    assert short.status_code == 400 and short.json()["parameter"] == "period_end"
    response = await client.get(f"{STAFF}/calendars/free_busy", params={
        "zone_ids": "zone-syd-l1", "period_start": DAY_START, "period_end": DAY_END})
    rooms = {entry["id"]: entry for entry in response.json()}
    assert set(rooms) == {"ada.room@acme.example", "babbage.room@acme.example", "curie.room@acme.example",
                          "darwin.room@acme.example"}
    ada = rooms["ada.room@acme.example"]
    assert ada["system"]["id"] == "sys-ada"
    assert [(b["status"], b["starts_at"], b["ends_at"]) for b in ada["availability"]] == [
        ("busy", at("09:00"), at("10:00")), ("busy", at("11:00"), at("11:30")), ("busy", at("14:00"), at("15:00"))]
    assert set(ada["availability"][0]) == {"status", "starts_at", "ends_at", "timezone"}
    babbage = rooms["babbage.room@acme.example"]["availability"]
    assert [b["starts_at"] for b in babbage] == [at("10:00")]  # the cancelled 15:00 standup is not busy


async def test_availability_lists_free_rooms_and_204_when_nothing_matched(client):
    free = await client.get(f"{STAFF}/calendars/availability", params={
        "zone_ids": "zone-syd-l1", "period_start": at("09:00"), "period_end": at("09:30")})
    assert sorted(r["id"] for r in free.json()) == ["babbage.room@acme.example", "curie.room@acme.example",
                                                    "darwin.room@acme.example"]
    with_vc = await client.get(f"{STAFF}/calendars/availability", params={
        "zone_ids": "zone-syd-l1", "features": "vc", "period_start": at("09:00"), "period_end": at("09:30")})
    assert [r["id"] for r in with_vc.json()] == ["curie.room@acme.example"]  # Ada has vc but is busy
    none = await client.get(f"{STAFF}/calendars/availability", params={
        "zone_ids": "zone-syd-l1", "capacity": 100, "period_start": at("09:00"), "period_end": at("09:30")})
    assert none.status_code == 204 and none.content == b""


async def test_partial_calendar_failures_are_206_with_headers(fake, client):
    fake.partial_calendars = {"ada.room@acme.example": "limit", "babbage.room@acme.example": "issue"}
    params = {"zone_ids": "zone-syd-l1", "period_start": DAY_START, "period_end": DAY_END}
    events = await client.get(f"{STAFF}/events", params=params)
    assert events.status_code == 206
    assert events.headers["X-Calendar-Errors"] == "2"
    assert events.headers["X-Calendar-Limit"] == "ada.room@acme.example"
    assert events.headers["X-Calendar-Issue"] == "babbage.room@acme.example"
    assert {e["calendar"] for e in events.json()} == {"curie.room@acme.example"}
    busy = await client.get(f"{STAFF}/calendars/free_busy", params=params)
    assert busy.status_code == 206 and "ada.room@acme.example" not in {e["id"] for e in busy.json()}
    strict = await client.get(f"{STAFF}/events", params={**params, "strict": "limit"})
    assert strict.status_code == 429


async def test_events_list_private_cancelled_and_visitor_attendee(client):
    params = {"system_ids": "sys-ada,sys-babbage", "period_start": DAY_START, "period_end": DAY_END}
    listed = (await client.get(f"{STAFF}/events", params=params)).json()
    assert [e["title"] for e in listed if e["calendar"] == "ada.room@acme.example"] == [
        "Weekly sync", "1:1", "Client visit"]
    assert next(e for e in listed if e["title"] == "1:1")["private"] is True
    visit = next(e for e in listed if e["title"] == "Client visit")
    sam = next(a for a in visit["attendees"] if a["email"] == "sam.client@partner.example")
    assert sam["visit_expected"] is True and visit["extension_data"]["catering"] is True
    assert visit["system"]["id"] == "sys-ada"
    assert "Standup" not in [e["title"] for e in listed]
    with_cancelled = (await client.get(f"{STAFF}/events", params={**params, "include_cancelled": "true"})).json()
    assert next(e for e in with_cancelled if e["title"] == "Standup")["status"] == "cancelled"
    missing = await client.get(f"{STAFF}/events", params={"system_ids": "sys-ada"})
    assert missing.status_code == 422 and missing.json()["parameter"] == "period_start"


async def test_create_event_adds_room_and_visitor_then_move_and_check_in(fake, client):
    created = await client.post(f"{STAFF}/events", json={
        "title": "Vendor pitch", "event_start": at("16:00"), "event_end": at("17:00"), "system_id": "sys-darwin",
        "host": "ada.lovelace@acme.example",
        "attendees": [{"name": "Vera Vendor", "email": "Vera@Vendor.example", "visit_expected": True}],
        "extension_data": {"catering": False}})
    assert created.status_code == 201
    event = created.json()
    room = next(a for a in event["attendees"] if a["resource"])
    assert room["email"] == "darwin.room@acme.example" and room["response_status"] == "accepted"
    assert fake.state.guest_by_ref("vera@vendor.example") is not None
    assert fake.state.signals_on("staff/guest/attending")[-1]["action"] == "meeting_created"
    partial = await client.patch(f"{STAFF}/events/{event['id']}", params={"system_id": "sys-darwin"},
                                 json={"system_id": "sys-faraday", "extension_data": {"notes": "moved"}})
    assert partial.status_code == 400  # the body must be a whole PlaceCalendar::Event
    assert partial.json()["error"].startswith("Missing JSON attribute: event_start")
    moved = await client.patch(f"{STAFF}/events/{event['id']}", params={"system_id": "sys-darwin"},
                               json={**event, "system_id": "sys-faraday", "extension_data": {"notes": "moved"}})
    assert moved.status_code == 200 and moved.json()["system"]["id"] == "sys-faraday"
    assert moved.json()["extension_data"] == {"catering": False, "notes": "moved"}
    gone = await client.get(f"{STAFF}/events/{event['id']}", params={"system_id": "sys-darwin"})
    assert gone.status_code == 404
    stranger = await client.post(f"{STAFF}/events/{event['id']}/guests/nobody@x.example/check_in",
                                 params={"system_id": "sys-faraday"})
    assert stranger.status_code == 404
    checked = await client.post(f"{STAFF}/events/{event['id']}/guests/vera@vendor.example/check_in",
                                params={"system_id": "sys-faraday"})
    assert checked.status_code == 200 and checked.json()["checked_in"] is True


async def test_deleting_from_a_room_frees_only_the_room_but_the_host_cancels_everywhere(client):
    params = {"period_start": DAY_START, "period_end": DAY_END}
    sync = next(e for e in (await client.get(f"{STAFF}/events", params={**params, "system_ids": "sys-ada"})).json()
                if e["title"] == "Weekly sync")
    assert (await client.delete(f"{STAFF}/events/{sync['id']}", params={"system_id": "sys-ada"})).status_code == 202
    room = (await client.get(f"{STAFF}/calendars/free_busy", params={**params, "system_ids": "sys-ada"})).json()
    assert at("09:00") not in [b["starts_at"] for b in room[0]["availability"]]
    host_calendar = {**params, "calendars": "ada.lovelace@acme.example"}
    assert sync["id"] in [e["id"] for e in (await client.get(f"{STAFF}/events", params=host_calendar)).json()]
    deleted = await client.delete(f"{STAFF}/events/{sync['id']}", params={"calendar": "ada.lovelace@acme.example"})
    assert deleted.status_code == 202
    attendee_view = {**params, "calendars": "alan.turing@acme.example"}
    assert sync["id"] not in [e["id"] for e in (await client.get(f"{STAFF}/events", params=attendee_view)).json()]


async def test_guest_records_crud_by_id_or_email(client):
    created = await client.post(f"{STAFF}/guests", json={"email": "Pat@Example.com", "name": "Pat",
                                                          "extension_data": {"badge": 1}})
    assert created.status_code == 201 and created.json()["email"] == "pat@example.com"
    duplicate = await client.post(f"{STAFF}/guests", json={"email": "pat@example.com"})
    assert duplicate.status_code == 422 and duplicate.json()["failures"][0]["field"] == "email"
    guest_id = created.json()["id"]
    patched = await client.patch(f"{STAFF}/guests/pat@example.com", json={"phone": "123",
                                                                          "extension_data": {"car": "yes"}})
    assert patched.json()["extension_data"] == {"badge": 1, "car": "yes"}
    assert (await client.get(f"{STAFF}/guests/{guest_id}")).json()["phone"] == "123"
    assert (await client.delete(f"{STAFF}/guests/{guest_id}")).status_code == 202
    assert (await client.get(f"{STAFF}/guests/pat@example.com")).status_code == 404
    jane = (await client.get(f"{STAFF}/guests/jane.visitor@example.com")).json()
    assert jane["visit_expected"] is True and jane["booking"]["id"] == 1004
    assert [b["id"] for b in (await client.get(f"{STAFF}/guests/{jane['id']}/bookings")).json()] == [1004]


async def test_room_approval_and_rejection(fake, client):
    events = (await client.get(f"{STAFF}/events", params={
        "system_ids": "sys-curie", "period_start": DAY_START, "period_end": DAY_END})).json()
    pending = events[0]
    room = next(a for a in pending["attendees"] if a["resource"])
    assert room["response_status"] == "needsAction"
    missing = await client.post(f"{STAFF}/events/{pending['id']}/approve")
    assert missing.status_code == 422 and missing.json()["parameter"] == "system_id"
    approved = await client.post(f"{STAFF}/events/{pending['id']}/approve", params={"system_id": "sys-curie"})
    assert approved.json() is True
    rejected = await client.post(f"{STAFF}/events/{pending['id']}/reject", params={"system_id": "sys-curie"})
    assert rejected.json() is True
    after = await client.get(f"{STAFF}/events/{pending['id']}", params={"system_id": "sys-curie"})
    assert after.json()["status"] == "cancelled"
    cancelled_check_in = await client.post(
        f"{STAFF}/events/{pending['id']}/guests/donald.knuth@acme.example/check_in", params={"system_id": "sys-curie"})
    assert cancelled_check_in.status_code == 404
    assert fake.state.signals_on("staff/event/changed")[-1]["reason"] == "rejected"


async def test_expected_guests_zones_narrow_bookings_and_zone_ids_add_room_meetings(client):
    """guests.cr index: ``zones`` only filters bookings; meeting visitors come from the room
    calendars of ``zone_ids`` / ``system_ids``; ``zone_ids`` filters bookings too, ``system_ids`` does not."""
    window = {"period_start": DAY_START, "period_end": DAY_END}
    by_zones = (await client.get(f"{STAFF}/guests", params={**window, "zones": "zone-syd"})).json()
    assert {g["email"] for g in by_zones} == {"li.wei@example.net", "jane.visitor@example.com",
                                              "omar.guest@example.org"}
    guests = (await client.get(f"{STAFF}/guests", params={**window, "zone_ids": "zone-syd"})).json()
    by_email = {g["email"]: g for g in guests}
    assert set(by_email) == {"li.wei@example.net", "jane.visitor@example.com", "omar.guest@example.org",
                             "sam.client@partner.example"}
    assert by_email["li.wei@example.net"]["checked_in"] is True and "booking" in by_email["li.wei@example.net"]
    meeting = by_email["sam.client@partner.example"]["event"]
    assert meeting["title"] == "Client visit"
    assert "system" not in meeting and "extension_data" not in meeting  # the raw calendar event
    assert all(g["visit_expected"] for g in guests)
    by_room = (await client.get(f"{STAFF}/guests", params={**window, "system_ids": "sys-ada"})).json()
    assert {g["email"] for g in by_room} == set(by_email)  # bookings unfiltered: no zone was given
    # a calendar named directly has no system: it adds no meeting guests
    by_calendar = (await client.get(f"{STAFF}/guests", params={**window, "calendars": "ada.room@acme.example"})).json()
    assert {g["email"] for g in by_calendar} == set(by_email) - {"sam.client@partner.example"}
    unknown_room = await client.get(f"{STAFF}/guests", params={**window, "system_ids": "sys-nope"})
    assert unknown_room.status_code == 404 and unknown_room.json()["error"].startswith("Not Found\n")
    unknown_zone = await client.get(f"{STAFF}/guests", params={**window, "zone_ids": "zone-nope"})
    assert unknown_zone.status_code == 200 and unknown_zone.json() == []
    found = (await client.get(f"{STAFF}/guests", params={"q": "jan"})).json()
    assert [g["email"] for g in found] == ["jane.visitor@example.com"]


async def test_people_pages_with_next_page_link_and_filter(client):
    first = await client.get(f"{STAFF}/people")
    link = first.headers["Link"]
    assert "next_page=" in link and link.endswith('rel="next"')
    rest = await client.get(link[1:link.index(">")])
    emails = [p["email"] for p in first.json() + rest.json()]
    assert len(emails) == 8 and "linus.torvalds@acme.example" not in emails
    filtered = (await client.get(f"{STAFF}/people", params={"filter": "startswith(displayName,'gr')"})).json()
    assert [p["email"] for p in filtered] == ["grace.hopper@acme.example"]
    manager = (await client.get(f"{STAFF}/people/ada.lovelace@acme.example/manager")).json()
    assert manager["email"] == "grace.hopper@acme.example"
    bad = await client.get(f"{STAFF}/people", params={"filter": "name like 'x'"})
    assert bad.status_code == 400 and bad.json()["parameter"] == "filter"


# -- tenant modes, throttling, injected faults -----------------------------------------------------

async def test_tenant_missing_is_501_and_delegated_without_token_is_511(fake, client):
    fake.delegated_without_token = True
    events = await client.get(f"{STAFF}/events", params={"period_start": DAY_START, "period_end": DAY_END})
    bookings = await client.get(f"{STAFF}/bookings", params={"type": "desk"})
    assert events.status_code == 511 and bookings.status_code == 200
    fake.tenant_configured = False
    no_tenant = await client.get(f"{STAFF}/bookings", params={"type": "desk"})
    assert no_tenant.status_code == 501
    assert no_tenant.json() == {"error": "domain does not have a tenant configured"}
    assert (await client.get(f"{ENGINE}/zones/zone-syd")).status_code == 200  # engine is unaffected


async def test_concurrent_requests_over_the_per_user_limit_get_429(fake, client, user_client):
    fake.max_in_flight_per_user = 1
    fake.latency = 0.05
    responses = await asyncio.gather(*(client.get(f"{ENGINE}/zones/zone-syd") for _ in range(3)),
                                     user_client.get(f"{ENGINE}/zones/zone-syd"))
    statuses = sorted(r.status_code for r in responses[:3])
    assert statuses == [200, 429, 429]
    assert all(r.headers["Retry-After"] == "1" for r in responses[:3] if r.status_code == 429)
    assert responses[3].status_code == 200  # another principal has its own queue
    assert (await client.get(f"{ENGINE}/zones/zone-syd")).status_code == 200


async def test_fail_next_injects_faults_by_exact_path_or_prefix(fake, client):
    fake.fail_next("GET", f"{ENGINE}/zones/*", 503, headers={"Retry-After": "2"}, times=2)
    first = await client.get(f"{ENGINE}/zones/zone-syd")
    second = await client.get(f"{ENGINE}/zones/zone-lon")
    third = await client.get(f"{ENGINE}/zones/zone-syd")
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.headers["Retry-After"] == "2" and first.json() == {"error": "injected failure"}
    assert len(fake.requests_to("GET", f"{ENGINE}/zones/*")) == 3


async def test_tenant_limits_and_early_checkin_routes(fake, client):
    fake.booking_limits = {"desk": 2}
    limits = await client.get(f"{STAFF}/tenants/current_limits")
    assert limits.json() == {"desk": 2} and limits.headers["X-Delegated"] == "false"
    assert (await client.get(f"{STAFF}/tenants/current_early_checkin")).json() == 3600


# -- loopback --------------------------------------------------------------------------------------

async def test_loopback_serves_real_http(fake):
    with serve_on_loopback(fake) as url:
        assert url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(base_url=url, headers={"X-API-Key": fake.API_KEY}) as client:
            response = await client.get(f"{ENGINE}/systems", params={"zone_id": "zone-lon-l1"})
            empty = await client.get(f"{STAFF}/calendars/availability", params={
                "zone_ids": "zone-lon-l1", "capacity": 100, "period_start": DAY_START, "period_end": DAY_END})
    assert response.status_code == 200 and response.headers["X-Total-Count"] == "3"
    assert [s["name"] for s in response.json()] == ["Hopper", "Kelvin", "Newton"]
    assert empty.status_code == 204
